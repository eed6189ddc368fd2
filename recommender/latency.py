"""Latency of one ``recommend`` call: on the real catalog and on a synthetic 1M-item, 100k-user one."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from .data import InteractionMatrix, ItemTable
from .models import make_model
from .service import Filters, Recommender
from .text_index import TextIndex

GENRES = ["Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Horror",
          "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]


class _ConstantEncoder:
    """Stands in for MiniLM on synthetic data: a fixed random unit query vector."""

    def __init__(self, dim: int, seed: int = 1):
        vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
        self.vector = vector / np.linalg.norm(vector)

    def encode(self, texts):
        return np.tile(self.vector, (len(texts), 1))


def synthetic_recommender(n_items: int = 1_000_000, n_users: int = 100_000, per_user: int = 20,
                          text_dim: int = 384, seed: int = 0) -> Recommender:
    """A catalog with Zipf-like popularity, random years and genres, random text vectors, PureSVD model."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_items + 1) ** 0.8
    popularity /= popularity.sum()
    item_cols = rng.choice(n_items, size=n_users * per_user, p=popularity)
    user_rows = np.repeat(np.arange(n_users), per_user)
    matrix = sp.csr_matrix((np.ones(len(item_cols), np.float32), (user_rows, item_cols)), shape=(n_users, n_items))
    matrix.data[:] = 1.0
    genre_bits = np.zeros(n_items, np.uint64)
    for _ in range(2):
        genre_bits |= np.uint64(1) << rng.integers(0, len(GENRES), n_items).astype(np.uint64)
    items = ItemTable(ids=np.arange(1, n_items + 1, dtype=np.int64),
                      years=rng.integers(1920, 2021, n_items).astype(np.int32),
                      genre_bits=genre_bits, genre_names=GENRES,
                      popularity=np.asarray(matrix.sum(axis=0)).ravel().astype(np.float32))
    vectors = rng.standard_normal((n_items, text_dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    interactions = InteractionMatrix(matrix, np.arange(1, n_users + 1, dtype=np.int64))
    return Recommender(items, make_model("svd").fit(matrix), interactions, TextIndex(vectors),
                       _ConstantEncoder(text_dim))


def random_filters(rng: np.random.Generator, genres: list[str]) -> Filters:
    start = int(rng.integers(1930, 2000))
    return Filters(genres=[str(rng.choice(genres))], exclude_genres=[str(rng.choice(genres))],
                   year_min=start, year_max=start + int(rng.integers(5, 30)))


def time_calls(recommender: Recommender, calls: int, query: str | None, seed: int = 0) -> dict[str, float]:
    """Median and p95 milliseconds of ``calls`` recommend calls for random users and random filters."""
    rng = np.random.default_rng(seed)
    users = recommender.interactions.user_ids
    genres = recommender.items.genre_names
    recommender.recommend(user_id=int(users[0]), query=query)  # warm caches
    times = []
    for _ in range(calls):
        user = int(rng.choice(users)) if query is None else None
        filters = random_filters(rng, genres)
        start = time.perf_counter()
        recommender.recommend(user_id=user, query=query, filters=filters, k=20)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": float(np.median(times)), "p95_ms": float(np.percentile(times, 95)), "calls": calls}


def format_latency(rows: list[dict]) -> str:
    lines = ["| catalog | items | users | path | calls | median ms | p95 ms |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['catalog']} | {r['items']:,} | {r['users']:,} | {r['path']} | {r['calls']} | "
                     f"{r['median_ms']:.2f} | {r['p95_ms']:.2f} |")
    return "\n".join(lines)
