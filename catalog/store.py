"""Read access to a built catalog: items, users, histories, title search."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import sqlite_utils
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .errors import CatalogError
from .titles import MAX_QUERY_CHARS, canonical, clean_text, normalize, query_forms, title_variants


@dataclass(frozen=True)
class Item:
    id: int
    key: str
    title: str
    year: int | None
    genres: tuple[str, ...]
    text: str
    attrs: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "year": self.year, "genres": list(self.genres)}


class Catalog:
    """A built catalog database. Items are cached in memory; queries are safe across threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.exists():
            raise CatalogError(f"no catalog at {self.path}: run `python -m catalog build` first")
        self._lock = threading.Lock()
        self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
        if not self.db["items"].exists():
            raise CatalogError(f"{self.path}: not a catalog database (no items table)")

    # --- items -------------------------------------------------------------------------------
    @cached_property
    def _items(self) -> dict[int, Item]:
        with self._lock:
            rows = list(self.db.query("select * from items order by id"))
        return {
            r["id"]: Item(r["id"], r["key"], r["title"], r["year"], tuple(json.loads(r["genres"] or "[]")),
                          r["text"], json.loads(r["attrs"] or "{}"))
            for r in rows
        }

    def item(self, item_id: int) -> Item | None:
        return self._items.get(int(item_id))

    def items(self, ids) -> list[Item]:
        return [self._items[i] for i in map(int, ids) if i in self._items]

    def all_items(self) -> list[Item]:
        return list(self._items.values())

    @cached_property
    def item_ids(self) -> np.ndarray:
        return np.fromiter(self._items, dtype=np.int64, count=len(self._items))

    @cached_property
    def genres(self) -> list[str]:
        return sorted({g for item in self._items.values() for g in item.genres})

    @cached_property
    def popularity(self) -> dict[int, int]:
        """Number of interactions per item id."""
        with self._lock:
            rows = self.db.execute("select item_id, count(*) from interactions group by item_id").fetchall()
        return dict(rows)

    # --- title search ------------------------------------------------------------------------
    @cached_property
    def _normalized_titles(self) -> dict[int, str]:
        return {i: normalize(item.title) for i, item in self._items.items()}

    @cached_property
    def _title_index(self) -> dict[str, list[int]]:
        """Canonical title variant -> item ids: items whose whole title it is first, then the most rated."""
        index: dict[str, list[tuple[bool, int, int]]] = {}
        for item in self._items.values():
            whole = canonical(item.title)
            for variant in title_variants(item.title):
                index.setdefault(variant, []).append((variant != whole, -self.popularity.get(item.id, 0), item.id))
        return {variant: [i for *_, i in sorted(hits)] for variant, hits in index.items()}

    def search(self, text: str, limit: int = 5, min_score: float = 60.0) -> list[tuple[Item, float]]:
        """Items whose title matches ``text`` (full-text hits and fuzzy matches for typos), best first."""
        text = clean_text(text[:MAX_QUERY_CHARS], one_line=True)
        query = normalize(text)
        if not query:
            return []
        scores = {
            item_id: score
            for _, score, item_id in process.extract(
                query, self._normalized_titles, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=min_score)
        }
        for item_id in self._full_text(text, limit * 4):
            scores[item_id] = max(scores.get(item_id, 0.0), fuzz.WRatio(query, self._normalized_titles[item_id]))
        for item_id, title in self._normalized_titles.items():
            if title == query:
                scores[item_id] = 101.0  # an exact title beats any partial match
        ranked = sorted(scores, key=lambda i: (-round(scores[i]), -self.popularity.get(i, 0)))
        return [(self._items[i], scores[i]) for i in ranked[:limit]]

    def resolve_title(self, text: str) -> Item | None:
        """The one item a title written by a person or an LLM refers to, or None when it names no catalog
        item. The whole text must be the title, give or take case, article, subtitle, year and a typo or
        two in a long title; numbers must agree, and a year written with it within one year."""
        forms = query_forms(text)
        for near in (False, True):
            for form, year in forms:
                ids = self._near_titles(form) if near else self._title_index.get(form, [])
                ids = [i for i in ids if year is None or self._items[i].year in (year - 1, year, year + 1)]
                if ids:
                    return self._items[ids[0]]
        return None

    def _near_titles(self, form: str) -> list[int]:
        """Items with a title variant within the typo budget of ``form``, closest first."""
        if len(form) < 6:
            return []
        budget = 1 if len(form) < 10 else 2
        digits = re.findall(r"\d+", form)
        hits = process.extract(form, self._title_index.keys(), scorer=OSA.distance, score_cutoff=budget, limit=None)
        return [i for variant, _, _ in sorted(hits, key=lambda hit: hit[1])
                if re.findall(r"\d+", variant) == digits for i in self._title_index[variant]]

    def _full_text(self, text: str, limit: int) -> list[int]:
        with self._lock:
            try:
                rows = self.db["items"].search(text, columns=["id"], limit=limit, quote=True)
                return [r["id"] for r in rows]
            except sqlite3.OperationalError:
                return []

    # --- users and interactions --------------------------------------------------------------
    def user(self, user_id: int) -> dict | None:
        with self._lock:
            rows = list(self.db.query("select * from users where id = ?", [int(user_id)]))
        return rows[0] if rows else None

    def history(self, user_id: int) -> list[tuple[int, float, int]]:
        """(item id, rating, timestamp) for a user, oldest first."""
        with self._lock:
            return self.db.execute(
                "select item_id, rating, ts from interactions where user_id = ? order by ts, item_id",
                [int(user_id)]).fetchall()

    def interactions(self) -> np.ndarray:
        """All interactions as a structured array with fields user, item, rating, ts."""
        with self._lock:
            rows = self.db.execute("select user_id, item_id, rating, ts from interactions").fetchall()
        return np.array(rows, dtype=[("user", np.int64), ("item", np.int64), ("rating", np.float32),
                                     ("ts", np.int64)])

    def meta(self) -> dict[str, str]:
        with self._lock:
            return {r["key"]: r["value"] for r in self.db["meta"].rows}

    def info(self) -> dict:
        with self._lock:
            counts = {name: self.db[name].count for name in ("items", "users", "interactions")}
        return {**counts, "db": str(self.path), **self.meta()}
