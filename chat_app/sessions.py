"""Conversation state kept in SQLite (``sessions.db`` beside the catalog) so a restart loses nothing."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils


@dataclass
class Session:
    id: str
    user_id: int | None = None
    shown: list[int] = field(default_factory=list)        # every item shown, oldest first
    last_items: list[int] = field(default_factory=list)   # the latest list of picks
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    tastes: list[str] = field(default_factory=list)       # what the user said about their taste
    last_args: dict = field(default_factory=dict)         # the latest recommender arguments
    reasons: dict = field(default_factory=dict)           # item id (str) -> the reason shown with it
    messages: list[dict] = field(default_factory=list)    # {"role", "content"} turns

    def like(self, item_id: int, liked: bool) -> None:
        add, remove = (self.liked, self.disliked) if liked else (self.disliked, self.liked)
        if item_id in remove:
            remove.remove(item_id)
        if item_id not in add:
            add.append(item_id)


class SessionStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
        self.db["sessions"].create({"id": str, "user_id": int, "state": str, "updated": float}, pk="id",
                                   if_not_exists=True)
        self.db["sessions"].create_index(["user_id"], if_not_exists=True)

    def get(self, session_id: str) -> Session:
        with self._lock:
            rows = list(self.db.query("select state from sessions where id = ?", [session_id]))
        return Session(**json.loads(rows[0]["state"])) if rows else Session(session_id)

    def save(self, session: Session) -> None:
        with self._lock:
            self.db["sessions"].upsert({"id": session.id, "user_id": session.user_id,
                                        "state": json.dumps(asdict(session)), "updated": time.time()}, pk="id")

    def forget_session(self, session_id: str) -> None:
        with self._lock:
            self.db.execute("delete from sessions where id = ?", [session_id])
            self.db.conn.commit()

    def forget_user(self, user_id: int) -> int:
        """Delete every stored session of a user; returns how many were deleted."""
        with self._lock:
            cursor = self.db.execute("delete from sessions where user_id = ?", [int(user_id)])
            self.db.conn.commit()
            return cursor.rowcount
