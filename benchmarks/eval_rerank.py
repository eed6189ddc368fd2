"""``python -m benchmarks.eval_rerank``: does the LLM's re-rank of the recommender's top-20 improve the top-5?

For test users of the recommender benchmark's protocols, the default model (trained on the training part)
proposes 20 candidates; the LLM scores each one against the user's liked training items; top-5 lists are
formed for several blend weights (0 = recommender order, 1 = LLM order) and scored against the held-out
items rated 4 or 5 with NDCG@5 and Precision@5.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from catalog.build import open_or_build
from recommender.data import ItemTable
from .recommender_eval import SplitData
from .metrics import ndcg_at, precision_at
from recommender.models import make_model
from recommender.query import Query
from recommender.service import Recommender
from .report import write_report
from .splits import split
from settings import Settings, add_arguments

from catalog.domain import domain_of
from chat_app.rerank import blend, llm_scores, profile_text
from chat_app.state import Wishes

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
REQUEST = "Recommend me some movies I would enjoy."


def score_users(llm, catalog, settings: Settings, protocol: str, users: int, seed: int = 0) -> list[dict]:
    items, interactions = ItemTable.from_catalog(catalog), catalog.interactions()
    data = SplitData.make(items, interactions, protocol, seed)
    train = interactions[split(interactions, protocol, seed)[0]]
    model = make_model(settings.recommender).fit(data.train.matrix)
    recommender = Recommender(items, model, data.train)
    chosen = np.random.default_rng(seed).choice(len(data.rows), size=min(users, len(data.rows)), replace=False)
    out = []
    for n, index in enumerate(chosen, 1):
        user = int(data.train.user_ids[data.rows[index]])
        mine = train[train["user"] == user]
        liked = mine["item"][np.argsort(mine["ts"])][mine["rating"][np.argsort(mine["ts"])] >= 4].tolist()
        disliked = mine["item"][mine["rating"] <= 2].tolist()
        result = recommender.recommend(Query(user_id=user, k=20))
        started = time.perf_counter()
        profile = profile_text(catalog, Wishes(liked=tuple(liked), disliked=tuple(disliked)))
        probs = llm_scores(llm, catalog, domain_of(catalog), profile, REQUEST, result.item_ids)
        out.append({"user": user, "candidates": result.item_ids, "scores": [c.score for c in result.candidates],
                    "llm": probs.tolist(), "relevant": sorted(data.relevant[index]),
                    "llm_seconds": time.perf_counter() - started})
        print(f"{protocol}: user {n}/{len(chosen)} scored in {out[-1]['llm_seconds']:.1f} s", file=sys.stderr)
    return out


def summarise(rows: list[dict]) -> dict[float, dict[str, float]]:
    table = {}
    for weight in WEIGHTS:
        ndcg, precision = [], []
        for row in rows:
            order = blend(row["scores"], row["llm"], weight)
            top = [row["candidates"][n] for n in order[:5]]
            ndcg.append(ndcg_at(top, set(row["relevant"]), 5))
            precision.append(precision_at(top, set(row["relevant"]), 5))
        table[weight] = {"ndcg@5": float(np.mean(ndcg)), "precision@5": float(np.mean(precision))}
    return table


def format_report(results: dict) -> str:
    lines = ["| protocol | users | LLM weight | NDCG@5 | P@5 |", "|---|---|---|---|---|"]
    for protocol, block in results.items():
        for weight, values in block["table"].items():
            label = {0.0: "0 (recommender order)", 1.0: "1 (LLM order)"}.get(float(weight), str(weight))
            lines.append(f"| {protocol} | {block['users']} | {label} | {values['ndcg@5']:.4f} | "
                         f"{values['precision@5']:.4f} |")
        lines.append(f"| {protocol} | | mean LLM time per user (20 candidates) | {block['llm_seconds']:.2f} s | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from chat_app.llm.loader import load_chat_model

    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_rerank", description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--protocols", nargs="+", default=["random", "temporal"])
    parser.add_argument("--out", type=Path, help="also write the table as Markdown")
    parser.add_argument("--raw", type=Path, help="write the per-user scores as JSON")
    add_arguments(parser, "model", "llm_url", "device", "data_dir", "db", "ml100k_dir", "recommender")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    catalog = open_or_build(settings)
    llm = load_chat_model(settings, progress=lambda m: print(m, file=sys.stderr))
    results, raw = {}, {}
    for protocol in args.protocols:
        raw[protocol] = score_users(llm, catalog, settings, protocol, args.users)
        results[protocol] = {"users": len(raw[protocol]), "table": summarise(raw[protocol]),
                             "llm_seconds": float(np.mean([r["llm_seconds"] for r in raw[protocol]]))}
    report = format_report(results)
    print(report)
    write_report(args.out, "LLM re-rank of the recommender's top-20", "benchmarks.eval_rerank", argv, report)
    if args.raw:
        args.raw.write_text(json.dumps(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
