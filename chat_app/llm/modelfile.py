"""Checks on a model file before anything loads it: it exists, is not empty, starts with the GGUF magic
bytes and, for packaged models, has the published sha256. A verified digest is remembered in a stamp file
beside the model (keyed by size and modification time), so later starts skip re-reading hundreds of MB."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from .errors import LLMError

Progress = Callable[[str], None]
GGUF_MAGIC = b"GGUF"


def check_gguf(path: Path, sha256: str | None = None, progress: Progress = print) -> Path:
    """``path`` if it looks like a usable GGUF file (and has digest ``sha256`` when given), else ``LLMError``."""
    if not path.is_file():
        raise LLMError(f"model file {path} does not exist")
    if path.stat().st_size == 0:
        raise LLMError(f"model file {path} is empty")
    with path.open("rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise LLMError(f"model file {path} is not a GGUF file (it does not start with the GGUF magic bytes)")
    if sha256 and not _stamped(path, sha256):
        progress(f"checking the sha256 of {path.name}")
        actual = file_sha256(path)
        if actual != sha256:
            raise LLMError(f"model file {path} is damaged: its sha256 is {actual}, expected {sha256}")
        stamp(path, sha256)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def stamp(path: Path, sha256: str) -> None:
    """Remember that ``path``, as it is now, has digest ``sha256``."""
    info = path.stat()
    _stamp_path(path).write_text(json.dumps({"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": sha256}))


def _stamped(path: Path, sha256: str) -> bool:
    try:
        saved = json.loads(_stamp_path(path).read_text())
    except (OSError, ValueError):
        return False
    info = path.stat()
    return saved == {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": sha256}


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def check_gguf_tensors(path: Path) -> Path:
    """``check_gguf`` plus a read of every tensor's header: a truncated file fails here, in one line."""
    check_gguf(path)
    try:
        from gguf import GGUFReader

        reader = GGUFReader(path)
        end = max((t.data_offset + t.n_bytes for t in reader.tensors), default=0)
    except Exception as exc:  # the gguf reader raises many types on a damaged file
        raise LLMError(f"model file {path} is damaged: {type(exc).__name__}: {str(exc)[:120]}") from None
    if end > path.stat().st_size:
        raise LLMError(f"model file {path} is truncated: its tensors need {end} bytes, it has {path.stat().st_size}")
    return path
