"""Conversation state kept in SQLite (``sessions.db`` beside the catalog), so a restart loses nothing.

One writer per session: ``SessionStore.editing(id)`` holds that session's lock around read-modify-write, so
a like that lands during a turn is applied after it, never lost. ``forget`` wins over a turn in flight:
the turn's save is dropped when the session was forgotten after the turn read it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from .state import Wishes

MAX_MESSAGES = 200


@dataclass
class Session:
    id: str
    user_id: int | None = None                            # a catalog user to chat as (a persona, not an account)
    wishes: Wishes = field(default_factory=Wishes)
    previous_wishes: Wishes = field(default_factory=Wishes)  # before the latest change, for "forget that"
    shown: list[int] = field(default_factory=list)        # every item shown, oldest first
    last_items: list[int] = field(default_factory=list)   # the latest list of picks
    reasons: dict = field(default_factory=dict)           # item id (str) -> the reason shown with it
    messages: list[dict] = field(default_factory=list)    # {"role", "content"} turns
    loaded_at: float = field(default=0.0, compare=False)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("loaded_at")
        data["wishes"], data["previous_wishes"] = self.wishes.as_dict(), self.previous_wishes.as_dict()
        data["messages"] = self.messages[-MAX_MESSAGES:]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> "Session":
        data = json.loads(text)
        data["wishes"] = Wishes.from_dict(data.get("wishes"))
        data["previous_wishes"] = Wishes.from_dict(data.get("previous_wishes"))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def update_wishes(self, wishes: Wishes) -> None:
        if wishes != self.wishes:
            self.previous_wishes, self.wishes = self.wishes, wishes


class SessionStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db_lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._forgotten: dict[str, float] = {}
        self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
        self.db["sessions"].create({"id": str, "user_id": int, "state": str, "updated": float}, pk="id",
                                   if_not_exists=True)

    @contextmanager
    def editing(self, session_id: str) -> Iterator[Session]:
        """The session, locked for this caller; saved when the block ends without an exception."""
        with self._lock_for(session_id):
            session = self.get(session_id)
            yield session
            self.save(session)

    def _lock_for(self, session_id: str) -> threading.Lock:
        """A plain lock, not bound to a thread: a streamed turn may be resumed by another worker thread."""
        with self._db_lock:
            return self._locks.setdefault(session_id, threading.Lock())

    def get(self, session_id: str) -> Session:
        with self._db_lock:
            rows = list(self.db.query("select state from sessions where id = ?", [session_id]))
        session = Session.from_json(rows[0]["state"]) if rows else Session(session_id)
        session.loaded_at = time.monotonic()
        return session

    def exists(self, session_id: str) -> bool:
        with self._db_lock:
            return bool(list(self.db.query("select 1 from sessions where id = ?", [session_id])))

    def save(self, session: Session) -> bool:
        """Store the session; False (and nothing stored) when it was forgotten after it was read."""
        with self._db_lock:
            if self._forgotten.get(session.id, -1.0) >= session.loaded_at:
                return False
            self.db["sessions"].upsert({"id": session.id, "user_id": session.user_id, "state": session.to_json(),
                                        "updated": time.time()}, pk="id")
            return True

    def forget(self, session_id: str) -> None:
        """Delete this session's stored data now; a turn still running for it will not write it back."""
        with self._db_lock:
            self._forgotten[session_id] = time.monotonic()
            self.db.execute("delete from sessions where id = ?", [session_id])
            self.db.conn.commit()
