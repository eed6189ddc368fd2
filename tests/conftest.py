from pathlib import Path

import pytest
import synthetic

from settings import Settings

SHARED_ML100K = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ml-100k"


@pytest.fixture(scope="session")
def encoder():
    return synthetic.HashingEncoder()


@pytest.fixture(scope="session")
def tiny_settings(tmp_path_factory) -> Settings:
    folder = tmp_path_factory.mktemp("tiny")
    items, interactions = synthetic.write(folder)
    # The decision's learned prior needs MiniLM's vectors to mean anything; its own tests give it one.
    return Settings(data_dir=folder, source=str(items), interactions=interactions, intent_prior=False)


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


def pytest_collection_modifyitems(items):
    """Anything that needs the real MovieLens catalog is an end-to-end test: `-m "not real"` skips it."""
    for item in items:
        if {"ml100k_catalog", "ml100k_settings"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real)
