"""Latency of one ``recommend`` call: on the real catalog and on a synthetic 1M-item, 100k-user one."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from recommender.data import InteractionMatrix, ItemTable
from recommender.models import make_model
from recommender.query import Query
from recommender.service import Recommender
from recommender.text_index import TextIndex

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


def random_query(rng: np.random.Generator, genres: list[str], user: int | None, text: str | None) -> Query:
    start = int(rng.integers(1930, 2000))
    return Query(user_id=user, text=text, genres=[str(rng.choice(genres))], exclude_genres=[str(rng.choice(genres))],
                 year_min=start, year_max=start + int(rng.integers(5, 30)))


def time_calls(recommender: Recommender, calls: int, query: str | None, seed: int = 0) -> dict[str, float]:
    """Median and p95 milliseconds of ``calls`` recommend calls for random users and random filters."""
    rng = np.random.default_rng(seed)
    users = recommender.interactions.user_ids
    genres = recommender.items.genre_names
    recommender.recommend(Query(user_id=int(users[0]), text=query))  # warm caches
    times = []
    for _ in range(calls):
        user = int(rng.choice(users)) if query is None else None
        request = random_query(rng, genres, user, query)
        start = time.perf_counter()
        recommender.recommend(request)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": float(np.median(times)), "p95_ms": float(np.percentile(times, 95)), "calls": calls}


def format_latency(rows: list[dict]) -> str:
    lines = ["| catalog | items | users | path | calls | median ms | p95 ms |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['catalog']} | {r['items']:,} | {r['users']:,} | {r['path']} | {r['calls']} | "
                     f"{r['median_ms']:.2f} | {r['p95_ms']:.2f} |")
    return "\n".join(lines)


def latency_rows(catalog, settings, calls: int, synthetic_items: int, synthetic_users: int) -> list[dict]:
    import sys

    rows = []
    real = Recommender.for_catalog(catalog, settings.recommender)
    shape = {"catalog": "ML-100K", "items": len(real.items), "users": len(real.interactions.user_ids)}
    rows.append({**shape, "path": f"{settings.recommender}, user history + filters", **time_calls(real, calls, None)})
    rows.append({**shape, "path": "new user, MiniLM query + filters", **time_calls(real, calls, "space adventure")})
    if synthetic_items:
        print(f"building a synthetic catalog of {synthetic_items:,} items and {synthetic_users:,} users…",
              file=sys.stderr)
        synth = synthetic_recommender(synthetic_items, synthetic_users)
        shape = {"catalog": "synthetic", "items": len(synth.items), "users": len(synth.interactions.user_ids)}
        index = "FAISS IVF" if synth.text.index is not None else "exact"
        rows.append({**shape, "path": "svd, user history + filters", **time_calls(synth, calls, None)})
        rows.append({**shape, "path": f"new user, query via {index} + filters", **time_calls(synth, calls, "q")})
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.recommender_latency``: median and p95 time of one recommend call."""
    import argparse
    from pathlib import Path

    from catalog.build import open_or_build
    from settings import Settings, add_arguments

    from .report import write_report

    parser = argparse.ArgumentParser(prog="python -m benchmarks.recommender_latency", description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--synthetic-items", type=int, default=1_000_000)
    parser.add_argument("--synthetic-users", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    add_arguments(parser, "db", "data_dir", "ml100k_dir", "recommender")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    table = format_latency(latency_rows(open_or_build(settings), settings, args.calls, args.synthetic_items,
                                        args.synthetic_users))
    print(table)
    write_report(args.out, "Recommender latency", "benchmarks.recommender_latency", argv, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
