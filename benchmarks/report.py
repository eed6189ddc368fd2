"""Every benchmark writes its table the same way: a title, the exact command that made it, the table."""

from __future__ import annotations

import sys
from pathlib import Path


def write_report(path: Path | None, title: str, module: str, argv: list[str] | None, body: str) -> None:
    """Write ``body`` under ``title`` and the command line (``python -m <module> <args>``) to ``path``."""
    if path is None:
        return
    command = f"python -m {module} " + " ".join(argv if argv is not None else sys.argv[1:])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\nCommand: `{command.strip()}`\n\n{body}\n")
