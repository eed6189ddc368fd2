"""Session tokens: the server picks the session id and signs it, so nobody can choose, guess or borrow one.

A token is ``<id>.<issued>.<mac>``: 144 random bits, the Unix second it was issued, and an HMAC-SHA256 of both
under a secret that is created in the data folder on first start (readable by its owner only). A token is
good while it is young or its conversation is in use (within the idle expiry), and never after ``forget``
revoked its session; the session store only ever sees the id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from chat_app.sessions import SessionStore
from settings import Settings

SECRET_FILE = "session-secret"
TOKEN = re.compile(r"([A-Za-z0-9_-]{24})\.([0-9]{10})\.([A-Za-z0-9_-]{22})")
SWEEP_SECONDS = 3600  # how often checking tokens also deletes idle conversations


@dataclass(frozen=True)
class Ticket:
    session_id: str
    issued: int  # Unix seconds


class SessionKeys:
    def __init__(self, folder: Path | str, idle_seconds: float):
        self._secret = load_or_create_secret(Path(folder) / SECRET_FILE)
        self.idle_seconds = idle_seconds

    @classmethod
    def of(cls, settings: Settings) -> "SessionKeys":
        return cls(settings.data_dir, settings.session_idle_days * 86400)

    def issue(self) -> str:
        """A new session token."""
        session_id, issued = secrets.token_urlsafe(18), f"{int(time.time()):010d}"
        return f"{session_id}.{issued}.{self._mac(session_id, issued)}"

    def signed(self, token) -> Ticket | None:
        """What a token this server issued carries (None for any other value); says nothing of expiry."""
        match = TOKEN.fullmatch(token) if isinstance(token, str) else None
        if match is None or not hmac.compare_digest(match[3], self._mac(match[1], match[2])):
            return None
        return Ticket(match[1], int(match[2]))

    def session_id(self, token, sessions: SessionStore) -> str | None:
        """The session id of a good token: signed here, not revoked, young or for a conversation in use.
        Checking also deletes idle conversations, at most once an hour."""
        ticket = self.signed(token)
        if ticket is None or not sessions.admits(ticket.session_id, ticket.issued, self.idle_seconds):
            return None
        sessions.expire(self.idle_seconds, every_seconds=SWEEP_SECONDS)
        return ticket.session_id

    def _mac(self, session_id: str, issued: str) -> str:
        digest = hmac.new(self._secret, f"{session_id}.{issued}".encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:22]


def load_or_create_secret(path: Path) -> bytes:
    """The secret in ``path``, created atomically (owner-only) when missing: two processes agree on one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # fails when another process created it first; then theirs is used
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return bytes.fromhex(path.read_text().strip())
