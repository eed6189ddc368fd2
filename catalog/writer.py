"""Writes a ``CatalogData`` into a fresh SQLite file and moves it into place atomically."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from .errors import CatalogError
from .files import atomic_path
from .records import CatalogData


def write_catalog(data: CatalogData, db_path: Path) -> Path:
    """Build the database in a temporary file beside ``db_path``, then replace it in one step."""
    if not data.items:
        raise CatalogError("the catalog has no items: nothing to build")
    try:
        with atomic_path(db_path) as tmp:
            db = sqlite_utils.Database(tmp)
            try:
                _write(db, data)
            finally:
                db.conn.close()
    except (sqlite3.Error, OSError) as exc:
        raise CatalogError(f"{db_path}: could not write the catalog ({exc})") from exc
    return Path(db_path)


def _write(db: sqlite_utils.Database, data: CatalogData) -> None:
    db["items"].create(
        {"id": int, "key": str, "title": str, "year": int, "genres": str, "text": str, "attrs": str}, pk="id")
    db["items"].insert_all(data.items)
    db["items"].create_index(["key"], unique=True)
    db["items"].enable_fts(["title"], tokenize="porter", create_triggers=True)
    db["users"].create({"id": int, "key": str}, pk="id")
    db["users"].insert_all(data.users, alter=True)
    db["users"].create_index(["key"], unique=True)
    db["interactions"].create(
        {"user_id": int, "item_id": int, "rating": float, "ts": int},
        foreign_keys=[("user_id", "users", "id"), ("item_id", "items", "id")])
    db["interactions"].insert_all(data.interactions, batch_size=10_000)
    db["interactions"].create_index(["user_id"])
    db["interactions"].create_index(["item_id"])
    meta = {"built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **data.meta}
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["meta"].insert_all({"key": k, "value": str(v)} for k, v in meta.items())
    db.conn.commit()
