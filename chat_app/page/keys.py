"""Session tokens: the server picks the session id and signs it, so nobody can choose, guess or borrow one.

A token is ``<id>.<mac>``: 144 random bits and an HMAC-SHA256 of the id under a secret that is created in
the data folder on first start (readable by its owner only). The session store only ever sees the id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

SECRET_FILE = "session-secret"
TOKEN = re.compile(r"[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{22}")


class SessionKeys:
    def __init__(self, folder: Path | str):
        self._secret = load_or_create_secret(Path(folder) / SECRET_FILE)

    def issue(self) -> str:
        """A new session token."""
        session_id = secrets.token_urlsafe(18)
        return f"{session_id}.{self._mac(session_id)}"

    def session_id(self, token) -> str | None:
        """The session id a token carries, or None when it is not one this server issued."""
        if not isinstance(token, str) or not TOKEN.fullmatch(token):
            return None
        session_id, mac = token.split(".")
        return session_id if hmac.compare_digest(mac, self._mac(session_id)) else None

    def _mac(self, session_id: str) -> str:
        digest = hmac.new(self._secret, session_id.encode("ascii"), hashlib.sha256).digest()
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
