"""Importer for any catalog given as CSV, TSV or JSONL: items, and optionally interactions.

The column mapping (a JSON object, see ``DEFAULT_MAPPING``) names which source column holds each field,
the year range and rating scale values must fall in, and optionally the catalog's ``domain`` ("books").
Item columns that the mapping does not name are kept as extra attributes. Ids may be any string; the
catalog gives each item and user an integer id and keeps the original as ``key``. Every value is checked
on the way in; the first bad one stops the import with one line naming its file, line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import CatalogError
from .files import CSV_TYPES, read_rows, read_text
from .records import (RATING_SCALE, TIMESTAMP_RANGE, YEAR_RANGE, CatalogData, clean_value, item_text, number,
                      shown, text, where)

DEFAULT_MAPPING = {
    "items": {"id": "id", "title": "title", "year": "year", "genres": "genres", "description": "description",
              "genre_separator": "|", "year_range": YEAR_RANGE},
    "interactions": {"user": "user_id", "item": "item_id", "rating": "rating", "timestamp": "timestamp",
                     "rating_scale": RATING_SCALE},
}
REQUIRED = {"items": ("id", "title"), "interactions": ("user", "item")}
RANGES = {"year_range", "rating_scale"}
MAX_TITLE_CHARS = 300
_DOMAIN_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")


def load_mapping(path: Path | None) -> dict:
    """The default mapping updated with the file's; every part and value is checked."""
    mapping = {part: dict(fields) for part, fields in DEFAULT_MAPPING.items()}
    if path is None:
        return mapping
    try:
        given = json.loads(read_text(Path(path)))
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = f"{exc.msg} at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise CatalogError(f"{path}: not valid JSON ({detail})") from None
    if not isinstance(given, dict):
        raise CatalogError(f"{path}: the mapping must be a JSON object, not {type(given).__name__}")
    for key, value in given.items():
        if key == "domain":
            if not isinstance(value, str) or not _DOMAIN_NAME.fullmatch(value):
                raise CatalogError(f"{path}: \"domain\" must be a lower-case name such as \"books\", "
                                   f"not {shown(value)}")
            mapping["domain"] = value
        elif key in DEFAULT_MAPPING:
            mapping[key].update(_mapping_part(path, key, value))
        else:
            raise CatalogError(f"{path}: unknown key {shown(key)} (expected items, interactions, domain)")
    return mapping


def _mapping_part(path: Path, part: str, fields) -> dict:
    if not isinstance(fields, dict):
        raise CatalogError(f"{path}: \"{part}\" must be a JSON object of field -> column, not {shown(fields)}")
    checked = {}
    for name, value in fields.items():
        at = f"{path}: \"{part}\".{name}"
        if name not in DEFAULT_MAPPING[part]:
            raise CatalogError(f"{path}: unknown field {shown(name)} in \"{part}\" "
                               f"(expected {', '.join(DEFAULT_MAPPING[part])})")
        if name in RANGES:
            checked[name] = value if name == "rating_scale" and value == "any" else _range(value, at)
        elif isinstance(value, str) and value:
            checked[name] = value
        else:
            raise CatalogError(f"{at} must be a non-empty string, not {shown(value)}")
    return checked


def _range(value, at: str) -> tuple[float, float]:
    if isinstance(value, list) and len(value) == 2:
        low, high = (number(v, "bound", at) for v in value)
        if low <= high:
            return low, high
    alternative = ' or "any"' if at.endswith("rating_scale") else ""
    raise CatalogError(f"{at} must be [low, high]{alternative}, not {shown(value)}")


def load_tabular(items_path: Path, interactions_path: Path | None = None,
                 mapping_path: Path | None = None, encoding: str = "utf-8") -> CatalogData:
    """Read and check the items (and interactions) files; ``encoding`` applies to both."""
    mapping = load_mapping(mapping_path)
    items, key_to_id = _items(Path(items_path), mapping["items"], encoding)
    data = CatalogData(items=items, meta={"source": "file", "source_path": str(Path(items_path).resolve())})
    if "domain" in mapping:
        data.meta["domain"] = mapping["domain"]
    if interactions_path is not None:
        fields = mapping["interactions"]
        data.users, data.interactions = _interactions(Path(interactions_path), fields, key_to_id, encoding)
        data.meta["interactions_path"] = str(Path(interactions_path).resolve())
        data.meta["rating_scale"] = json.dumps(fields["rating_scale"])
    return data


def _require_columns(path: Path, columns: list[str], fields: dict, part: str) -> None:
    for name in REQUIRED[part]:
        if fields[name] not in columns:
            raise CatalogError(f"{path}: missing column {shown(fields[name])} for the {part} field '{name}' "
                               f"(columns: {', '.join(map(shown, columns)) or 'none'}; see --mapping)")


def _items(path: Path, fields: dict, encoding: str) -> tuple[list[dict], dict[str, int]]:
    columns, rows = read_rows(path, encoding)
    _require_columns(path, columns, fields, "items")
    named = {fields[k] for k in ("id", "title", "year", "genres", "description")}
    items, key_to_id = [], {}
    for n, row in rows:
        key = _ident(row, fields["id"], "id", path, n)
        if key in key_to_id:
            raise CatalogError(f"{where(path, n, fields['id'])}: duplicate id {shown(key)}")
        title = _title(row.get(fields["title"]), where(path, n, fields["title"]), path.suffix.lower() in CSV_TYPES)
        year = _optional(row, fields["year"])
        if year is not None:
            year = int(number(year, "year", where(path, n, fields["year"]), fields["year_range"], whole=True))
        genres = _genres(row.get(fields["genres"]), fields["genre_separator"], where(path, n, fields["genres"]))
        description = text(_optional(row, fields["description"]) or "", "description",
                           where(path, n, fields["description"]), one_line=False)
        key_to_id[key] = len(items) + 1
        attrs = clean_value({c: v for c, v in row.items() if c not in named and v not in (None, "")})
        if description:
            attrs["description"] = description
        items.append({"id": key_to_id[key], "key": key, "title": title, "year": year, "genres": genres,
                      "text": item_text(title, year, genres, description), "attrs": attrs})
    if not items:
        raise CatalogError(f"{path}: no items")
    return items, key_to_id


def _interactions(path: Path, fields: dict, key_to_id: dict[str, int],
                  encoding: str) -> tuple[list[dict], list[dict]]:
    columns, rows = read_rows(path, encoding)
    _require_columns(path, columns, fields, "interactions")
    scale = None if fields["rating_scale"] == "any" else fields["rating_scale"]
    users: dict[str, int] = {}
    interactions = []
    for n, row in rows:
        user = _ident(row, fields["user"], "user", path, n)
        item = _ident(row, fields["item"], "item", path, n)
        if item not in key_to_id:
            raise CatalogError(f"{where(path, n, fields['item'])}: item {shown(item)} is not in the items file")
        rating = _optional(row, fields["rating"])
        timestamp = _optional(row, fields["timestamp"])
        users.setdefault(user, len(users) + 1)
        interactions.append({
            "user_id": users[user], "item_id": key_to_id[item],
            "rating": 1.0 if rating is None else number(rating, "rating", where(path, n, fields["rating"]), scale),
            "ts": n if timestamp is None else
            int(number(timestamp, "timestamp", where(path, n, fields["timestamp"]), TIMESTAMP_RANGE))})
    return [{"id": uid, "key": key} for key, uid in users.items()], interactions


def _optional(row: dict, column: str):
    """The value in ``column``, None when absent or empty."""
    value = row.get(column)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _ident(row: dict, column: str, what: str, path: Path, line: int) -> str:
    at = where(path, line, column)
    value = row.get(column)
    key = "" if value is None else text(value, what, at)
    if not key:
        raise CatalogError(f"{at}: empty {what}")
    return key


def _title(value, at: str, quoted_csv: bool) -> str:
    """A title on one line; in CSV a line break in a title is taken for a quote left open."""
    if quoted_csv and isinstance(value, str) and ("\n" in value or "\r" in value):
        raise CatalogError(f"{at}: the title runs over several lines (is a quote left open on this line?)")
    title = text(value if value is not None else "", "title", at)
    if not title:
        raise CatalogError(f"{at}: empty title")
    if len(title) > MAX_TITLE_CHARS:
        raise CatalogError(f"{at}: the title is longer than {MAX_TITLE_CHARS} characters (is a quote left open?)")
    return title


def _genres(value, separator: str, at: str) -> list[str]:
    parts = value if isinstance(value, list) else text(value or "", "genres", at).split(separator)
    return [g for g in (text(p, "genre", at) for p in parts) if g]
