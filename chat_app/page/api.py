"""The page's documented API, for scripts (``gradio_client``) and outside assistants (MCP tools).

A conversation starts with ``new_session``, which returns a signed token; ``chat``, ``feedback`` and
``forget`` take it. There is no shared or default session: a missing, made-up, altered, forgotten or expired
token gets an error. ``recommend`` asks the recommender alone (no session, no language model); ``status`` says
whether the assistant is loaded. The same readiness is served at ``GET /ready`` (200 when ready, else 503).
Every field is bounded (``page.limits``) and checked before any work.
"""

from __future__ import annotations

import gradio as gr
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError

from chat_app.startup import AgentStartup
from recommender.tool import RecommendInput, run_tool

from .capacity import MODEL_EVENT
from .keys import SessionKeys
from .limits import Limits

BAD_SESSION = ("not a valid session token: call new_session for one and pass it unchanged "
               "(tokens are issued by this server; there is no shared session; a token ends with forget or "
               "when its conversation has been idle for the expiry)")
PRIVATE_USERS = "user_id: this catalog's users are private; leave it empty"
WAIT_SECONDS = 600
NAMES = ("new_session", "chat", "feedback", "forget", "recommend", "status")


class PageApi:
    def __init__(self, startup: AgentStartup, keys: SessionKeys):
        self.startup, self.keys, self.limits = startup, keys, Limits.of(startup.settings)

    def _session(self, token, wait: bool = True) -> tuple | dict:
        """(agent, session id) for a good token, else the error to answer. The signature is checked before
        waiting for the assistant, revocation and expiry once its session store is open."""
        if self.keys.signed(token) is None:
            return {"error": BAD_SESSION}
        agent = self.startup.wait(WAIT_SECONDS) if wait else self.startup.agent
        if agent is None:
            return self.not_ready()
        session_id = self.keys.session_id(token, agent.sessions)
        return (agent, session_id) if session_id else {"error": BAD_SESSION}

    def new_session(self) -> str:
        """Start a conversation. Returns the session token to pass to chat, feedback and forget; keep it private."""
        return self.keys.issue()

    def chat(self, message: str, session: str, wait: bool = True) -> dict:
        """Send one message in a conversation and get the reply.

        Args:
            message: what the user says, e.g. "recommend some sci-fi from the 80s" or "why the first one?"
            session: the token from new_session
            wait: while the assistant is still loading, wait for it (up to 600 s); false answers at once

        Returns:
            The reply: text, items (id, title, year, genres, reason), intent, tool_called, tool_args, candidates,
            wishes, understood, timings, notes. On a bad token or while loading (wait false): error, and ready_in_s.
        """
        found = self._session(session, wait)
        if isinstance(found, dict):
            return found
        agent, session_id = found
        return agent.respond(session_id, message).as_dict()

    def feedback(self, session: str, item_id: int, liked: bool) -> str:
        """Like or dislike an item in a conversation; the next recommendations take it into account.

        Args:
            session: the token from new_session
            item_id: the item's id (from a reply's items)
            liked: true for a like, false for "not for me"
        """
        problems = self.limits.problems(texts={"item_id": str(item_id)})
        if problems:
            return "; ".join(problems)
        found = self._session(session)
        return found["error"] if isinstance(found, dict) else found[0].feedback(found[1], item_id, bool(liked))

    def forget(self, session: str) -> str:
        """Delete this conversation's stored data (its messages, likes and wishes); nothing else is touched.

        Args:
            session: the token from new_session; it is revoked (call new_session to start again)
        """
        found = self._session(session)
        return found["error"] if isinstance(found, dict) else found[0].forget(found[1])

    def recommend(self, query: str = "", genres: list[str] | None = None, exclude_genres: list[str] | None = None,
                  year_min: int | None = None, year_max: int | None = None, similar_to: list[str] | None = None,
                  user_id: int | None = None, k: int = 10) -> dict:
        """Recommend real catalog items: the collaborative recommender alone, best first, with catalog facts.

        Args:
            query: free text describing what is wanted (optional)
            genres: only items in any of these catalog genres
            exclude_genres: no items in these genres
            year_min: earliest year
            year_max: latest year
            similar_to: titles the results should resemble
            user_id: a catalog user whose ratings shape the list (empty: a new user; refused where the operator
                keeps catalog users private)
            k: how many items (1-100)

        Returns:
            items (id, title, year, genres, score, because: the user's own items that support it), notes, new_user;
            or error. Text fields take at most as many characters as a chat message, lists a bounded number of
            entries.
        """
        problems = self.limits.problems(texts={"query": query}, lists={
            "genres": genres, "exclude_genres": exclude_genres, "similar_to": similar_to})
        if user_id is not None and self.startup.settings.private_users:
            problems.append(PRIVATE_USERS)
        if problems:
            return {"error": "; ".join(problems)}
        agent = self.startup.agent
        if agent is None:
            return self.not_ready()
        try:
            args = RecommendInput(query=query or None, genres=genres or [], exclude_genres=exclude_genres or [],
                                  year_min=year_min, year_max=year_max, similar_to=similar_to or [],
                                  user_id=user_id, k=k)
        except ValidationError as exc:
            return {"error": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())}
        return run_tool(agent.recommender, agent.catalog, args)

    def status(self) -> dict:
        """Whether the assistant is loaded: ready, failed, status (the step running), elapsed_s, ready_in_s, steps."""
        return self.startup.readiness()

    def not_ready(self) -> dict:
        return {"error": self.startup.loading_text() or "the assistant is not ready",
                "ready_in_s": self.startup.ready_in()}

    def register(self) -> None:
        """Name the endpoints inside the Blocks being built (they become MCP tools too)."""
        for name in NAMES:
            gr.api(getattr(self, name), api_name=name, **(MODEL_EVENT if name == "chat" else {}))


def ready_route(startup: AgentStartup) -> APIRoute:
    """``GET /ready``: the readiness as JSON, status 200 once ready and 503 while loading or failed."""
    def ready() -> JSONResponse:
        state = startup.readiness()
        return JSONResponse(state, status_code=200 if state["ready"] else 503)

    return APIRoute("/ready", ready, methods=["GET"])
