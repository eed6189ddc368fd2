"""Importer for any catalog given as CSV or JSONL: items, and optionally interactions.

The column mapping (a JSON file, see ``DEFAULT_MAPPING``) names which source column holds each field.
Item columns that the mapping does not name are kept as extra attributes. Ids may be any string; the
catalog gives each item and user an integer id and keeps the original as ``key``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .errors import CatalogError
from .records import CatalogData, item_text

DEFAULT_MAPPING = {
    "items": {"id": "id", "title": "title", "year": "year", "genres": "genres",
              "description": "description", "genre_separator": "|"},
    "interactions": {"user": "user_id", "item": "item_id", "rating": "rating", "timestamp": "timestamp"},
}
REQUIRED = {"items": ("id", "title"), "interactions": ("user", "item")}


def load_mapping(path: Path | None) -> dict:
    mapping = {part: dict(fields) for part, fields in DEFAULT_MAPPING.items()}
    if path is None:
        return mapping
    try:
        given = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise CatalogError(f"{path}: mapping file not found") from None
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    for part in ("items", "interactions"):
        mapping[part].update(given.get(part, {}))
    return mapping


def load_tabular(items_path: Path, interactions_path: Path | None = None,
                 mapping_path: Path | None = None) -> CatalogData:
    mapping = load_mapping(mapping_path)
    items, key_to_id = _items(Path(items_path), mapping["items"])
    data = CatalogData(items=items, meta={"source": "file", "source_path": str(Path(items_path).resolve())})
    if interactions_path is not None:
        data.users, data.interactions = _interactions(Path(interactions_path), mapping["interactions"], key_to_id)
        data.meta["interactions_path"] = str(Path(interactions_path).resolve())
    return data


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """Columns and (line number, row) pairs of a CSV or JSONL file."""
    if not path.exists():
        raise CatalogError(f"{path}: file not found")
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        rows, columns = [], {}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CatalogError(f"{path} line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise CatalogError(f"{path} line {n}: expected a JSON object")
            columns.update(dict.fromkeys(row))
            rows.append((n, row))
        return list(columns), rows
    if path.suffix.lower() not in {".csv", ".tsv"}:
        raise CatalogError(f"{path}: unsupported file type (use .csv, .tsv or .jsonl)")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        rows = []
        for row in reader:
            if None in row:
                raise CatalogError(f"{path} line {reader.line_num}: more fields than the header has")
            rows.append((reader.line_num, row))
        return list(reader.fieldnames or []), rows


def _require_columns(path: Path, columns: list[str], fields: dict, part: str) -> None:
    for name in REQUIRED[part]:
        if fields[name] not in columns:
            raise CatalogError(f"{path}: missing column '{fields[name]}' for the item {name} "
                               f"(columns: {', '.join(columns) or 'none'}; see --mapping)")


def _items(path: Path, fields: dict) -> tuple[list[dict], dict[str, int]]:
    columns, rows = read_rows(path)
    _require_columns(path, columns, fields, "items")
    named = {fields[k] for k in ("id", "title", "year", "genres", "description")}
    items, key_to_id = [], {}
    for n, row in rows:
        key = str(row.get(fields["id"]) or "").strip()
        title = str(row.get(fields["title"]) or "").strip()
        if not key or not title:
            raise CatalogError(f"{path} line {n}: empty {'id' if not key else 'title'}")
        if key in key_to_id:
            raise CatalogError(f"{path} line {n}: duplicate id '{key}'")
        year = _year(row.get(fields["year"]), path, n)
        genres = _genres(row.get(fields["genres"]), fields["genre_separator"])
        description = str(row.get(fields["description"]) or "")
        key_to_id[key] = len(items) + 1
        attrs = {c: row[c] for c in row if c not in named and row[c] not in (None, "")}
        if description:
            attrs["description"] = description
        items.append({"id": key_to_id[key], "key": key, "title": title, "year": year, "genres": genres,
                      "text": item_text(title, year, genres, description), "attrs": attrs})
    if not items:
        raise CatalogError(f"{path}: no items")
    return items, key_to_id


def _interactions(path: Path, fields: dict, key_to_id: dict[str, int]) -> tuple[list[dict], list[dict]]:
    columns, rows = read_rows(path)
    _require_columns(path, columns, fields, "interactions")
    users: dict[str, int] = {}
    interactions = []
    for n, row in rows:
        user = str(row.get(fields["user"]) or "").strip()
        item = str(row.get(fields["item"]) or "").strip()
        if not user:
            raise CatalogError(f"{path} line {n}: empty user")
        if item not in key_to_id:
            raise CatalogError(f"{path} line {n}: item '{item}' is not in the items file")
        users.setdefault(user, len(users) + 1)
        interactions.append({"user_id": users[user], "item_id": key_to_id[item],
                             "rating": _number(row.get(fields["rating"]), 1.0, "rating", path, n),
                             "ts": int(_number(row.get(fields["timestamp"]), n, "timestamp", path, n))})
    return [{"id": uid, "key": key} for key, uid in users.items()], interactions


def _year(value, path: Path, line: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise CatalogError(f"{path} line {line}: year '{value}' is not a number") from None


def _number(value, default: float, what: str, path: Path, line: int) -> float:
    if value in (None, ""):
        return float(default)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise CatalogError(f"{path} line {line}: {what} '{value}' is not a number") from None


def _genres(value, separator: str) -> list[str]:
    if isinstance(value, list):
        return [str(g).strip() for g in value if str(g).strip()]
    return [g.strip() for g in str(value or "").split(separator) if g.strip()]
