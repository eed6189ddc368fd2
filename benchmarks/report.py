"""Every benchmark writes its table the same way: a title, the exact command that made it, the table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def write_report(path: Path | None, title: str, module: str, argv: list[str] | None, body: str) -> None:
    """Write ``body`` under ``title`` and the command line (``python -m <module> <args>``) to ``path``."""
    if path is None:
        return
    command = f"python -m {module} " + " ".join(argv if argv is not None else sys.argv[1:])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\nCommand: `{command.strip()}`\n\n{body}\n")


def machine() -> str:
    """The CPU model as ``lscpu`` names it and the cores this process may use."""
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        model = "unknown CPU"
    return f"{model}, {len(os.sched_getaffinity(0))} cores"
