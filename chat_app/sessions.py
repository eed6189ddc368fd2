"""Conversation state kept in SQLite (``sessions.db`` beside the catalog), so a restart loses nothing.

One writer per session: ``SessionStore.editing(id)`` holds that session's lock around read-modify-write, so
a like that lands during a turn is applied after it, never lost. ``forget`` wins over a turn in flight: the
save of every edit running or waiting when it lands is dropped, and the session's id is recorded as revoked.
A lock lives only while someone holds or waits for it, so memory does not grow with the number of sessions;
``expire`` deletes conversations idle longer than the expiry, and ``admits`` says whether a token for a
session is still good (see ``chat_app.page.keys``).
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
    focus: int | None = None                              # the pick last asked about: what "it" means next
    messages: list[dict] = field(default_factory=list)    # {"role", "content"} turns

    def to_json(self) -> str:
        data = asdict(self)
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


@dataclass
class _Hold:
    """A session's lock (a plain one, not bound to a thread: a streamed turn may be resumed by another worker
    thread) and how many edits hold or wait for it; ``forgotten`` drops their saves."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0
    forgotten: bool = False


class SessionStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db_lock = threading.Lock()
        self._holds: dict[str, _Hold] = {}
        self._swept = 0.0
        self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
        self.db["sessions"].create({"id": str, "user_id": int, "state": str, "updated": float}, pk="id",
                                   if_not_exists=True)
        self.db["sessions"].create_index(["updated"], if_not_exists=True)
        self.db["revoked"].create({"id": str, "at": float}, pk="id", if_not_exists=True)

    @contextmanager
    def editing(self, session_id: str) -> Iterator[Session]:
        """The session, locked for this caller; saved when the block ends without an exception."""
        with self._db_lock:
            hold = self._holds.setdefault(session_id, _Hold())
            hold.users += 1
        try:
            with hold.lock:
                session = self.get(session_id)
                yield session
                self._save(session, hold)
        finally:
            with self._db_lock:
                hold.users -= 1
                if not hold.users:
                    del self._holds[session_id]

    def in_use(self) -> int:
        """How many sessions have a lock in memory (an edit holds or waits for it)."""
        with self._db_lock:
            return len(self._holds)

    def get(self, session_id: str) -> Session:
        with self._db_lock:
            rows = list(self.db.query("select state from sessions where id = ?", [session_id]))
        return Session.from_json(rows[0]["state"]) if rows else Session(session_id)

    def exists(self, session_id: str) -> bool:
        with self._db_lock:
            return bool(list(self.db.query("select 1 from sessions where id = ?", [session_id])))

    def _save(self, session: Session, hold: _Hold) -> bool:
        """Store the session; False (and nothing stored) when it was forgotten while this edit ran or waited."""
        with self._db_lock:
            if hold.forgotten:
                return False
            self.db["sessions"].upsert({"id": session.id, "user_id": session.user_id, "state": session.to_json(),
                                        "updated": time.time()}, pk="id")
            return True

    def forget(self, session_id: str) -> None:
        """Delete this session's stored data now and revoke its id; a turn still running for it will not write
        it back."""
        with self._db_lock:
            if session_id in self._holds:
                self._holds[session_id].forgotten = True
            self.db.execute("delete from sessions where id = ?", [session_id])
            self.db["revoked"].upsert({"id": session_id, "at": time.time()}, pk="id")
            self.db.conn.commit()

    def admits(self, session_id: str, issued: float, idle_seconds: float) -> bool:
        """Whether a token issued at ``issued`` (Unix time) for this session is still good: not revoked, and
        either younger than ``idle_seconds`` or for a conversation used within them."""
        since = time.time() - idle_seconds
        with self._db_lock:
            row = next(self.db.query("select (select 1 from revoked where id = :id) as revoked, "
                                     "(select updated from sessions where id = :id) as updated",
                                     {"id": session_id}))
        return not row["revoked"] and (issued >= since or (row["updated"] or 0.0) >= since)

    def expire(self, idle_seconds: float, every_seconds: float = 0.0) -> int:
        """Delete conversations idle longer than ``idle_seconds``, and revocations older than that (their tokens
        have expired by then). Does nothing when the last sweep was under ``every_seconds`` ago. Returns how
        many conversations were deleted."""
        now = time.time()
        with self._db_lock:
            if now - self._swept < every_seconds:
                return 0
            self._swept = now
            deleted = self.db.execute("delete from sessions where updated < ?", [now - idle_seconds]).rowcount
            self.db.execute("delete from revoked where at < ?", [now - idle_seconds])
            self.db.conn.commit()
        return deleted
