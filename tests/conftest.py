import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402
from settings import Settings  # noqa: E402

SHARED_ML100K = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ml-100k"


@pytest.fixture(scope="session")
def encoder():
    return synthetic.HashingEncoder()


@pytest.fixture(scope="session")
def tiny_settings(tmp_path_factory) -> Settings:
    folder = tmp_path_factory.mktemp("tiny")
    items, interactions = synthetic.write(folder)
    return Settings(data_dir=folder, source=str(items), interactions=interactions)


@pytest.fixture(scope="session")
def tiny_catalog(tiny_settings, encoder):
    from catalog.build import build_catalog

    return build_catalog(tiny_settings, encoder=encoder)


@pytest.fixture(scope="session")
def ml100k_settings(tmp_path_factory) -> Settings:
    """Real MovieLens 100K: the checked official files when present, else the recbole copy."""
    official = SHARED_ML100K if (SHARED_ML100K / "u.data").exists() else None
    return Settings(data_dir=tmp_path_factory.mktemp("ml100k"), ml100k_dir=official)


@pytest.fixture(scope="session")
def ml100k_catalog(ml100k_settings):
    from catalog.build import build_catalog

    return build_catalog(ml100k_settings)
