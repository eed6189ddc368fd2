"""``python -m recommender evaluate|tune|latency|recommend``: benchmarks and a quick look at the tool."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalog import CatalogError
from catalog.build import open_or_build
from settings import Settings, add_arguments

from .evaluate import evaluate, format_table, tune
from .latency import format_latency, synthetic_recommender, time_calls
from .service import Recommender, RecommenderError
from .tool import RecommendInput, run_tool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m recommender", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    ev = commands.add_parser("evaluate", help="ranking quality of every model under both protocols")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    commands.add_parser("tune", help="NDCG@5 per hyperparameter on a validation split of the training data")
    lat = commands.add_parser("latency", help="median and p95 time of one recommend call")
    lat.add_argument("--calls", type=int, default=1000)
    lat.add_argument("--synthetic-items", type=int, default=1_000_000)
    lat.add_argument("--synthetic-users", type=int, default=100_000)
    lat.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    rec = commands.add_parser("recommend", help="call the tool once and print its JSON answer")
    rec.add_argument("arguments", help='tool arguments as JSON, e.g. \'{"user_id": 1, "genres": ["Sci-Fi"]}\'')
    for sub in (ev, lat, rec, commands.choices["tune"]):
        add_arguments(sub, "db", "data_dir", "ml100k_dir", "recommender")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    try:
        catalog = open_or_build(settings)
        if args.command == "evaluate":
            result = {"default": settings.recommender, **evaluate(catalog)}
            print(json.dumps(result) if args.json else format_table(result))
            _write(args.out, format_table(result))
        elif args.command == "tune":
            for name, scores in tune(catalog).items():
                print(name, "  ".join(f"{value}: {ndcg:.4f}" for value, ndcg in scores.items()))
        elif args.command == "latency":
            table = format_latency(latency_rows(catalog, settings, args))
            print(table)
            _write(args.out, table)
        else:
            recommender = Recommender.for_catalog(catalog, settings.recommender)
            print(json.dumps(run_tool(recommender, catalog, RecommendInput(**json.loads(args.arguments))), indent=2))
    except (CatalogError, RecommenderError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def latency_rows(catalog, settings: Settings, args) -> list[dict]:
    rows = []
    real = Recommender.for_catalog(catalog, settings.recommender)
    shape = {"catalog": "ML-100K", "items": len(real.items), "users": len(real.interactions.user_ids)}
    rows.append({**shape, "path": f"{settings.recommender}, user history + filters",
                 **time_calls(real, args.calls, None)})
    rows.append({**shape, "path": "new user, MiniLM query + filters", **time_calls(real, args.calls, "space adventure")})
    if args.synthetic_items:
        print(f"building a synthetic catalog of {args.synthetic_items:,} items and {args.synthetic_users:,} users…",
              file=sys.stderr)
        synth = synthetic_recommender(args.synthetic_items, args.synthetic_users)
        shape = {"catalog": "synthetic", "items": len(synth.items), "users": len(synth.interactions.user_ids)}
        index = "FAISS IVF" if synth.text.index is not None else "exact"
        rows.append({**shape, "path": "svd, user history + filters", **time_calls(synth, args.calls, None)})
        rows.append({**shape, "path": f"new user, query via {index} + filters", **time_calls(synth, args.calls, "q")})
    return rows


def _write(path: Path | None, text: str) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
