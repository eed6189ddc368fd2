"""File access for the catalog: decoded text and CSV/TSV/JSONL rows with one clear error naming the line,
and atomic writes (a temporary file beside the target, moved into place on success and removed on failure
or interruption)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import CatalogError
from .titles import clean_text

CSV_TYPES, JSON_TYPES = {".csv", ".tsv"}, {".jsonl", ".ndjson"}
_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole file decoded, without a byte order mark; bad bytes name their line and suggest --encoding."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise CatalogError(f"unknown text encoding {encoding!r} (try utf-8 or latin-1)") from None
    if not path.is_file():
        raise CatalogError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        if codec == "utf-8":
            raise CatalogError(f"{path} line {line} is not valid UTF-8; pass --encoding latin-1") from None
        raise CatalogError(f"{path} line {line} is not valid {encoding}; check --encoding") from None
    return text.removeprefix("\ufeff")


def read_rows(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[tuple[int, dict]]]:
    """Columns and (line number, row) pairs of a CSV, TSV or JSONL file."""
    suffix = path.suffix.lower()
    if suffix not in CSV_TYPES | JSON_TYPES:
        raise CatalogError(f"{path}: unsupported file type (use .csv, .tsv or .jsonl)")
    content = read_text(path, encoding)
    return _json_rows(path, content) if suffix in JSON_TYPES else _csv_rows(path, content, suffix)


def _json_rows(path: Path, content: str) -> tuple[list[str], list[tuple[int, dict]]]:
    rows, columns = [], {}
    for n, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{path} line {n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise CatalogError(f"{path} line {n}: not valid JSON (nested too deeply)") from None
        if not isinstance(row, dict):
            raise CatalogError(f"{path} line {n}: expected a JSON object")
        columns.update(dict.fromkeys(row))
        rows.append((n, row))
    return list(columns), rows


def _csv_rows(path: Path, content: str, suffix: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Rows of a CSV/TSV text; a row is numbered by the line it starts on, where an open quote starts."""
    reader = csv.reader(io.StringIO(content, newline=""), delimiter="\t" if suffix == ".tsv" else ",", strict=True)
    rows, start = [], 1
    try:
        header = [clean_text(c, one_line=True) for c in next(reader, [])]
        if not header:
            raise CatalogError(f"{path}: the file is empty")
        if len(set(header)) < len(header):
            raise CatalogError(f"{path} line 1: the header names a column twice")
        start = reader.line_num + 1
        for fields in reader:
            if any(f.strip() for f in fields):
                if len(fields) != len(header):
                    more = "more" if len(fields) > len(header) else "fewer"
                    raise CatalogError(f"{path} line {start}: {len(fields)} fields, {more} fields than the header has "
                                       f"({len(header)})")
                rows.append((start, dict(zip(header, fields))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CatalogError(f"{path} line {start}: {_csv_problem(str(exc))}") from None
    return header, rows


def _csv_problem(message: str) -> str:
    if "unexpected end of data" in message:
        return "a quoted field that starts on this line is never closed (unbalanced quote)"
    if "expected after" in message:
        return "text follows a closing quote (double a quote inside a quoted field, or close the one opened here)"
    if "field larger than field limit" in message:
        return f"a field longer than {csv.field_size_limit()} characters (is a quote left open?)"
    return f"not valid CSV ({message})"


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``target`` in one step, otherwise it is removed.

    The temporary name carries the writer's process id, so a file left by a killed writer is recognised
    and removed by the next one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    fd, name = tempfile.mkstemp(prefix=f"{target.name}.{os.getpid()}.", suffix=".tmp" + target.suffix,
                                dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o644)
        os.replace(tmp, target)
    finally:
        _remove(tmp)


def _remove_stale(target: Path) -> None:
    for tmp in target.parent.glob(f"{target.name}.*.tmp{target.suffix}"):
        pid = tmp.name[len(target.name) + 1:].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            _remove(tmp)


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # signal 0 only probes on POSIX; elsewhere os.kill would end the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        pass
    return True


def _remove(tmp: Path) -> None:
    for path in (tmp, *(tmp.with_name(tmp.name + side) for side in _SQLITE_SIDE_FILES)):
        path.unlink(missing_ok=True)


def save_npz(target: Path, **arrays) -> None:
    with atomic_path(target) as tmp:
        np.savez(tmp, **arrays)
