"""``python -m recommender recommend '{"user_id": 1, "genres": ["Sci-Fi"], "k": 5}'``: call the tool once.

Benchmarks live in ``benchmarks/`` (``python -m benchmarks.recommender_eval``, ``benchmarks.recommender_latency``).
"""

from __future__ import annotations

import argparse
import json
import sys

from catalog import CatalogError
from catalog.build import open_or_build
from settings import Settings, add_arguments

from .service import Recommender, RecommenderError
from .tool import RecommendInput, run_tool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m recommender", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("recommend", help="call the tool once and print its JSON answer")
    rec.add_argument("arguments", help='tool arguments as JSON, e.g. \'{"user_id": 1, "genres": ["Sci-Fi"]}\'')
    add_arguments(rec, "db", "data_dir", "ml100k_dir", "recommender")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    try:
        catalog = open_or_build(settings)
        recommender = Recommender.for_catalog(catalog, settings.recommender)
        print(json.dumps(run_tool(recommender, catalog, RecommendInput(**json.loads(args.arguments))), indent=2))
    except (CatalogError, RecommenderError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
