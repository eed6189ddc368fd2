"""Every benchmark writes its table the same way: a title, the exact command that made it, the machine it ran
on (figures from one CPU say little about another), the table."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chat_app.llm.cpu_guard import cpu_flags, platform_name

SIMD = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_int8", "amx_bf16", "asimddp", "sve")


def machine() -> str:
    """'Intel(R) Xeon(R) Processor, 2 cores (avx2 avx512f … amx_int8), no GPU'."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    flags = cpu_flags()
    return f"{platform_name()}, {cores} cores ({' '.join(f for f in SIMD if f in flags) or 'no SIMD flags read'})"


def write_report(path: Path | None, title: str, module: str, argv: list[str] | None, body: str) -> None:
    """Write ``body`` under ``title``, the command line (``python -m <module> <args>``) and the machine to ``path``."""
    if path is None:
        return
    command = f"python -m {module} " + " ".join(argv if argv is not None else sys.argv[1:])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\nCommand: `{command.strip()}`\n\nMachine: {machine()}.\n\n{body}\n")
