"""``python -m catalog build|info``: build the catalog database or describe it."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from settings import Settings, add_arguments

from .build import build_catalog
from .errors import CatalogError
from .store import Catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="import a source into the catalog database")
    add_arguments(build, "source", "interactions", "mapping", "db", "data_dir", "ml100k_dir")
    build.add_argument("--encoding", default="utf-8",
                       help="text encoding of a CSV/TSV/JSONL source and its interactions (default: utf-8)")
    build.add_argument("--no-embeddings", action="store_true", help="skip computing item embeddings")
    info = commands.add_parser("info", help="counts and provenance of the catalog")
    add_arguments(info, "db", "data_dir")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    try:
        if args.command == "build":
            catalog = build_catalog(settings, embed=not args.no_embeddings, encoding=args.encoding)
            print(_describe(catalog.info()))
        else:
            details = Catalog(settings.db_path).info()
            print(json.dumps(details) if args.json else _describe(details))
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0


def _describe(info: dict) -> str:
    return "\n".join(f"{key:>14}: {value}" for key, value in info.items())


if __name__ == "__main__":
    # A terminated build unwinds like an interrupted one, so its temporary file is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
