"""Offline benchmark of the collaborative models under the ``random`` and ``temporal`` protocols.

Relevant items are a user's held-out ratings of 4 or 5; every item outside the user's training part is
ranked; users without a relevant item are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catalog import Catalog

from recommender.data import InteractionMatrix, ItemTable
from .metrics import mean_metrics
from recommender.models import MODELS, make_model
from .splits import split

PROTOCOLS = ("random", "temporal")
# Chat-REC (Gao et al., 2023), Table 1, MovieLens 100K: precision@5, recall@5, ndcg@5.
CHAT_REC_REPORTED = {
    "LightGCN (Chat-REC paper)": {"precision@5": 0.3030, "recall@5": 0.1455, "ndcg@5": 0.3425},
    "Chat-REC text-davinci-003 (paper)": {"precision@5": 0.3240, "recall@5": 0.1404, "ndcg@5": 0.3802},
}
TOP = 20


@dataclass
class SplitData:
    """A protocol's training matrix and, for each evaluated user, their row and relevant item ids."""

    items: ItemTable
    train: InteractionMatrix
    rows: np.ndarray
    relevant: list[set[int]]

    @classmethod
    def make(cls, items: ItemTable, interactions: np.ndarray, protocol: str, seed: int = 0) -> "SplitData":
        train_mask, test_mask = split(interactions, protocol, seed)
        train = InteractionMatrix.build(interactions[train_mask], items)
        held = interactions[test_mask & (interactions["rating"] >= 4)]
        rows, relevant = [], []
        for user in np.unique(held["user"]):
            row = train.row(int(user))
            if row is not None:
                rows.append(row)
                relevant.append(set(held["item"][held["user"] == user].tolist()))
        return cls(items, train, np.array(rows), relevant)

    def rank(self, scores: np.ndarray, k: int = TOP) -> np.ndarray:
        """Item ids of the top-k per evaluated user, training items excluded."""
        seen = self.train.seen[self.rows]
        scores = np.array(scores, dtype=np.float32)
        scores[seen.nonzero()] = -np.inf
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        order = np.take_along_axis(scores, top, 1).argsort(axis=1)[:, ::-1]
        return self.items.ids[np.take_along_axis(top, order, 1)]


def report(data: SplitData, ranked: np.ndarray) -> dict[str, float]:
    result = mean_metrics(ranked.tolist(), data.relevant)
    train_counts = np.asarray(data.train.matrix.sum(axis=0)).ravel()
    result["coverage"] = len(np.unique(ranked)) / len(data.items)
    result["mean_pop@5"] = float(train_counts[data.items.columns(ranked[:, :5].ravel())].mean())
    return result


def score_model(data: SplitData, name: str, **params) -> dict[str, float]:
    model = make_model(name, **params).fit(data.train.matrix)
    return report(data, data.rank(model.score(data.train.matrix[data.rows])))


def evaluate(catalog: Catalog, models=tuple(MODELS), protocols=PROTOCOLS, seed: int = 0) -> dict:
    items, interactions = ItemTable.from_catalog(catalog), catalog.interactions()
    splits = {}
    for protocol in protocols:
        data = SplitData.make(items, interactions, protocol, seed)
        splits[protocol] = {"users": len(data.rows), "models": {name: score_model(data, name) for name in models}}
    return {"splits": splits}


TUNING_GRID = {"ease": ("l2", [100, 200, 300, 500, 800]), "itemknn": ("neighbours", [20, 50, 100, 200]),
               "svd": ("rank", [10, 20, 32, 64])}


def tune(catalog: Catalog, seed: int = 0) -> dict[str, dict]:
    """NDCG@5 per hyperparameter on a validation split taken from the ``random`` protocol's training part."""
    items, interactions = ItemTable.from_catalog(catalog), catalog.interactions()
    train_mask, _ = split(interactions, "random", seed)
    data = SplitData.make(items, interactions[train_mask], "random", seed + 1)
    return {name: {value: score_model(data, name, **{param: value})["ndcg@5"] for value in values}
            for name, (param, values) in TUNING_GRID.items()}


def format_table(result: dict) -> str:
    columns = ["precision@5", "recall@5", "ndcg@5", "ndcg@10", "ndcg@20", "hr@20", "coverage", "mean_pop@5"]
    lines = []
    for protocol, block in result["splits"].items():
        lines.append(f"\n{protocol} protocol: {block['users']} users with a relevant held-out item")
        lines.append(f"| {'model':<34} | " + " | ".join(f"{c:>11}" for c in columns) + " |")
        lines.append("|" + "-" * 36 + "|" + "|".join("-" * 13 for _ in columns) + "|")
        rows = dict(block["models"])
        if protocol == "random":
            rows.update(CHAT_REC_REPORTED)
        for name, values in rows.items():
            mark = " (default)" if name == result.get("default") else ""
            cells = [f"{values[c]:>11.4f}" if c in values else f"{'':>11}" for c in columns]
            lines.append(f"| {name + mark:<34} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.recommender_eval [evaluate|tune]``: ranking quality, or the tuning sweep."""
    import argparse
    import json
    from pathlib import Path

    from catalog.build import open_or_build
    from settings import Settings, add_arguments

    from .report import write_report

    parser = argparse.ArgumentParser(prog="python -m benchmarks.recommender_eval", description=__doc__)
    parser.add_argument("command", nargs="?", default="evaluate", choices=["evaluate", "tune"],
                        help="evaluate: every model under both protocols; tune: NDCG@5 per hyperparameter on a "
                             "validation split of the training data")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    add_arguments(parser, "db", "data_dir", "ml100k_dir", "recommender")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    catalog = open_or_build(settings)
    if args.command == "tune":
        for name, scores in tune(catalog).items():
            print(name, "  ".join(f"{value}: {ndcg:.4f}" for value, ndcg in scores.items()))
        return 0
    result = {"default": settings.recommender, **evaluate(catalog)}
    table = format_table(result)
    print(json.dumps(result) if args.json else table)
    write_report(args.out, "Recommender quality on MovieLens 100K", "benchmarks.recommender_eval", argv, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
