"""Build a catalog database from a named source and embed its items."""

from __future__ import annotations

from pathlib import Path

from settings import Settings

from .embeddings import Encoder, item_embeddings
from .movielens import load_ml100k
from .records import CatalogData
from .store import Catalog
from .tabular import load_tabular
from .writer import write_catalog


def load_source(settings: Settings, encoding: str = "utf-8") -> CatalogData:
    """The source's rows; ``encoding`` is that of a CSV/TSV/JSONL source (MovieLens has its own)."""
    if settings.source == "ml-100k":
        return load_ml100k(settings.ml100k_dir, download_dir=Path(settings.data_dir) / "downloads")
    return load_tabular(Path(settings.source), settings.interactions, settings.mapping, encoding)


def build_catalog(settings: Settings, embed: bool = True, encoder: Encoder | None = None,
                  encoding: str = "utf-8") -> Catalog:
    """Import the source into ``settings.db_path`` (atomically) and compute missing item embeddings."""
    write_catalog(load_source(settings, encoding), settings.db_path)
    catalog = Catalog(settings.db_path)
    if embed:
        item_embeddings(catalog, encoder)
    return catalog


def open_or_build(settings: Settings, encoder: Encoder | None = None) -> Catalog:
    """The catalog at ``settings.db_path``, built from ``settings.source`` on first use."""
    if settings.db_path.exists():
        return Catalog(settings.db_path)
    return build_catalog(settings, encoder=encoder)
