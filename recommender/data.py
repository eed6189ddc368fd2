"""Array views of a catalog that the models and filters work on: item attributes and the user-item matrix."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from catalog import Catalog


@dataclass
class ItemTable:
    """Item attributes in column order: ids, years (0 when unknown), genres as bit sets, popularity."""

    ids: np.ndarray
    years: np.ndarray
    genre_bits: np.ndarray
    genre_names: list[str]
    popularity: np.ndarray
    recommendable: np.ndarray | None = None  # False for placeholder rows (ML-100K's item 267 "unknown")

    def __post_init__(self):
        if self.recommendable is None:
            self.recommendable = np.ones(len(self.ids), bool)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> "ItemTable":
        items = catalog.all_items()
        names = catalog.genres
        bit = {g: np.uint64(1) << np.uint64(n) for n, g in enumerate(names)}
        genre_bits = np.array([sum((bit[g] for g in item.genres), np.uint64(0)) for item in items], np.uint64)
        return cls(
            ids=np.array([item.id for item in items], np.int64),
            years=np.array([item.year or 0 for item in items], np.int32),
            genre_bits=genre_bits,
            genre_names=names,
            popularity=np.array([catalog.popularity.get(item.id, 0) for item in items], np.float32),
            recommendable=np.array([item.title.strip().lower() not in {"", "unknown"} for item in items]),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def columns(self, item_ids) -> np.ndarray:
        """Column positions of known item ids (unknown ids are dropped)."""
        item_ids = np.asarray(list(item_ids), np.int64)
        pos = np.searchsorted(self.ids, item_ids)
        pos = np.clip(pos, 0, len(self.ids) - 1)
        return pos[self.ids[pos] == item_ids] if len(item_ids) else pos[:0]

    def genre_mask(self, names) -> np.uint64:
        lookup = {g.lower(): n for n, g in enumerate(self.genre_names)}
        return np.uint64(sum(1 << lookup[name.lower()] for name in names if name.lower() in lookup))


# A rating counts as a positive signal from this share of the scale's top (3 of 5 stars; any implicit 1.0).
POSITIVE_SHARE = 0.6


@dataclass
class InteractionMatrix:
    """User x item matrices in the row order of user ids: ``matrix`` holds the positive interactions
    (what the models learn from and score with), ``seen`` every interaction (what is never recommended)."""

    matrix: sp.csr_matrix
    user_ids: np.ndarray
    seen: sp.csr_matrix | None = None

    def __post_init__(self):
        if self.seen is None:
            self.seen = self.matrix

    @classmethod
    def build(cls, interactions: np.ndarray, items: ItemTable) -> "InteractionMatrix":
        user_ids, rows = np.unique(interactions["user"], return_inverse=True)
        cols = items.columns(interactions["item"])
        positive = interactions["rating"] >= POSITIVE_SHARE * interactions["rating"].max(initial=1.0)
        shape = (len(user_ids), len(items))
        seen = _binary(rows, cols, shape)
        return cls(_binary(rows[positive], cols[positive], shape), user_ids, seen)

    def row(self, user_id: int) -> int | None:
        pos = int(np.searchsorted(self.user_ids, user_id))
        return pos if pos < len(self.user_ids) and self.user_ids[pos] == user_id else None

    def fingerprint(self) -> str:
        digest = hashlib.sha1(self.matrix.indices.tobytes())
        digest.update(self.matrix.indptr.tobytes())
        digest.update(self.user_ids.tobytes())
        return digest.hexdigest()


def _binary(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    matrix = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
    matrix.data[:] = 1.0  # duplicates count once
    return matrix
