"""The catalog: items, users and interactions in SQLite, with importers and item embeddings."""

from .errors import CatalogError
from .store import Catalog, Item

__all__ = ["Catalog", "CatalogError", "Item"]
