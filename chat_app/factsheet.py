"""What the catalog really knows about an item: every sentence the bot says of an item is made from a ``Sheet``,
and the checker holds model-written text to it (``grounding.py``).

A sheet holds the item's title, year, genres and description (where the catalog has one), how many catalog users
rated it and how highly, where that stands within its genres, and the items its fans loved most ("48 of the 120
people who loved Fargo also loved this"), all counted from the catalog's own interactions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from scipy import sparse

from catalog import Catalog, Item
from catalog.domain import Domain
from catalog.records import item_text

LOVED_SHARE = 0.75   # a rating this far up the scale is "loved" (4 and 5 of 5); without ratings, any interaction
MIN_RATERS = 20      # an item's standing within a genre is counted among items rated at least this often
NEIGHBOURS = 3


@dataclass(frozen=True)
class CoLiked:
    """``both`` of the ``fans`` people who loved ``other`` also loved the sheet's item."""
    other: Item
    both: int
    fans: int


@dataclass(frozen=True)
class Standing:
    genre: str
    beats: float          # the share of the genre's well-rated items this one's mean rating is above
    among: int            # how many such items the genre has


@dataclass(frozen=True)
class Sheet:
    item: Item
    description: str
    raters: int
    mean: float | None     # mean rating, None without ratings
    scale: tuple[float, float]
    standing: Standing | None
    neighbours: tuple[CoLiked, ...]

    def known_text(self) -> str:
        """Everything the sheet says, as text: the words the checker accepts about this item."""
        parts = [self.item.label, " ".join(self.item.genres), self.description]
        parts += [n.other.label for n in self.neighbours]
        return " ".join(p for p in parts if p)


class CatalogFacts:
    """Sheets for one catalog; the counts are made once, on first use."""

    def __init__(self, catalog: Catalog, domain: Domain):
        self.catalog, self.domain = catalog, domain
        self._lock = threading.Lock()

    @cached_property
    def _tables(self) -> tuple[dict[int, int], np.ndarray, sparse.csc_matrix, np.ndarray, np.ndarray]:
        """Item id -> column, item ids, the users x items "loved" matrix, rating counts and sums per column."""
        with self._lock:
            rows = self.catalog.interactions()
            ids = np.array([item.id for item in self.catalog.all_items()])
            column = {int(i): n for n, i in enumerate(ids)}
            cols = np.array([column.get(int(i), -1) for i in rows["item"]])
            keep = cols >= 0
            rows, cols = rows[keep], cols[keep]
            users, user_rows = np.unique(rows["user"], return_inverse=True)
            rated = ~np.isnan(rows["rating"])
            low, high = self.domain.rating_scale
            loved = ~rated | (rows["rating"] >= low + LOVED_SHARE * (high - low))
            matrix = sparse.csc_matrix((np.ones(loved.sum(), np.float32), (user_rows[loved], cols[loved])),
                                       shape=(len(users), len(ids)))
            counts = np.bincount(cols[rated], minlength=len(ids))
            sums = np.bincount(cols[rated], weights=rows["rating"][rated], minlength=len(ids))
            return column, ids, matrix, counts, sums

    @cached_property
    def _labels(self) -> np.ndarray:
        """Each column's title and year, lower-cased."""
        _, ids, _, _, _ = self._tables
        return np.array([item.label.lower() for item in self.catalog.items([int(i) for i in ids])])

    def sheet(self, item: Item) -> Sheet:
        column, ids, loved, counts, sums = self._tables
        n = column.get(item.id)
        raters = int(counts[n]) if n is not None else 0
        mean = float(sums[n] / counts[n]) if raters else None
        return Sheet(item, description(item), raters, mean, tuple(self.domain.rating_scale),
                     self._standing(item, n) if raters >= MIN_RATERS else None,
                     tuple(self._neighbours(n)) if n is not None else ())

    def co_liked(self, item: Item, other: Item) -> CoLiked | None:
        """How many of ``other``'s fans also loved ``item`` (None when nobody loved ``other``)."""
        column, _, loved, _, _ = self._tables
        a, b = column.get(item.id), column.get(other.id)
        if a is None or b is None:
            return None
        fans = loved[:, b]
        if not fans.nnz:
            return None
        return CoLiked(other, int(fans.multiply(loved[:, a]).sum()), int(fans.nnz))

    def _neighbours(self, n: int) -> list[CoLiked]:
        """The items whose fans most often loved this one too (lift over their popularity, at least 5 shared)."""
        column, ids, loved, _, _ = self._tables
        fans = loved[:, n]
        if not fans.nnz:
            return []
        both = np.asarray((loved.T @ fans).todense()).ravel()
        popularity = np.asarray(loved.sum(axis=0)).ravel()
        others = self._labels != self._labels[n]  # not itself, nor its twin (MovieLens lists a few films twice)
        score = np.where((both >= 5) & others, both / np.sqrt(np.maximum(popularity, 1)), 0)
        best = [int(m) for m in np.argsort(-score)[:NEIGHBOURS] if score[m] > 0]
        return [CoLiked(self.catalog.item(int(ids[m])), int(both[m]), int(popularity[m])) for m in best]

    def standing_in(self, item: Item, genre: str) -> Standing | None:
        """Its standing among ``genre``'s well-rated items (None when either is too thinly rated)."""
        column, _, _, counts, _ = self._tables
        n = column.get(item.id)
        if n is None or counts[n] < MIN_RATERS or genre not in item.genres:
            return None
        scores = self._genre_means(genre)
        return Standing(genre, float((scores < self._means[n]).mean()), len(scores)) if len(scores) >= 10 else None

    @cached_property
    def _means(self) -> np.ndarray:
        """Each column's mean rating, NaN for an item rated fewer than MIN_RATERS times."""
        _, _, _, counts, sums = self._tables
        return np.where(counts >= MIN_RATERS, sums / np.maximum(counts, 1), np.nan)

    @lru_cache(maxsize=None)
    def _genre_means(self, genre: str) -> np.ndarray:
        """The mean ratings of the genre's well-rated items (counted once per genre, not per card)."""
        column = self._tables[0]
        scores = self._means[[column[i.id] for i in self.catalog.all_items() if genre in i.genres and i.id in column]]
        return scores[~np.isnan(scores)]

    def _standing(self, item: Item, n: int) -> Standing | None:
        """Its best standing among the genres it has: the share of that genre's well-rated items it beats."""
        standings = [s for genre in item.genres if (s := self.standing_in(item, genre)) is not None]
        return max(standings, key=lambda s: s.beats, default=None)


def description(item: Item) -> str:
    """The catalog's own description of the item ("" when it has none, as MovieLens does)."""
    head = item_text(item.title, item.year, list(item.genres))
    return item.text[len(head):].strip() if item.text.startswith(head) else ""
