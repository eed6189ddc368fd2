"""A tiny synthetic catalog for unit tests: 36 items in three taste clusters and 30 users."""

from __future__ import annotations

import csv
import random
import zlib
from pathlib import Path

import numpy as np

CLUSTERS = {
    "space": ("Sci-Fi|Adventure", "starships, distant planets and space travel"),
    "love": ("Romance|Drama", "two people falling in love in a small town"),
    "fear": ("Horror|Thriller", "a haunted house and a killer in the dark"),
}
WORDS = ["Silver", "Last", "Quiet", "Red", "Broken", "Golden", "Night", "Lost", "Bright", "Cold", "Wild", "Dark"]


def items() -> list[dict]:
    rows = []
    for c, (cluster, (genres, blurb)) in enumerate(CLUSTERS.items()):
        for n, word in enumerate(WORDS):
            rows.append({
                "id": f"m{c * len(WORDS) + n + 1}",
                "title": f"{word} {cluster.title()}",
                "year": 1950 + 4 * n + c,
                "genres": genres,
                "description": f"A film about {blurb}.",
                "studio": "Acme",
            })
    return rows


def interactions(seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    all_items = items()
    by_cluster = {cluster: [r["id"] for r in all_items if r["title"].endswith(cluster.title())]
                  for cluster in CLUSTERS}
    rows, ts = [], 1_000_000
    for user in range(1, 31):
        home = list(CLUSTERS)[user % 3]
        liked = rng.sample(by_cluster[home], 8)
        other = rng.sample([i for c, ids in by_cluster.items() if c != home for i in ids], 3)
        for item in liked + other:
            ts += 1
            rows.append({"user_id": f"u{user}", "item_id": item,
                         "rating": rng.choice([4, 5]) if item in liked else rng.choice([1, 2]), "timestamp": ts})
    return rows


def write(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "items.csv", folder / "interactions.csv"
    for path, rows in zip(paths, (items(), interactions())):
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return paths


class HashingEncoder:
    """A fast bag-of-words stand-in for MiniLM: texts sharing words get similar unit vectors."""

    dim = 256

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in "".join(ch.lower() if ch.isalnum() else " " for ch in text).split():
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0  # the same in every process
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)
