"""One chat turn as the page shows it, and taking a turn back (the chat's undo and retry).

``run_turn`` turns the agent's events into ``Step``s: the growing chat history (the user's message, the
recommender call as a tool message, the streamed reply), a status line, and finally the ``Reply``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from queue import Queue

from chat_app.events import Reply
from chat_app.state import Wishes

from .text import md_lines, reply_markdown, tool_message


@dataclass
class View:
    """What one browser tab shows that the session store does not keep."""

    picks: list[int] = field(default_factory=list)                # the items on the cards
    presented: dict[int, list[int]] = field(default_factory=dict)  # chat message index -> the items it presented
    before: list[dict] = field(default_factory=list)              # per turn of this tab: wishes and picks before it


@dataclass
class Step:
    history: list[dict]
    status: str | None = None        # None: leave the status line as it is
    picks: list[dict] | None = None  # the picks for the cards, as soon as they are known
    reply: Reply | None = None       # the final step carries the reply


def run_turn(agent, session_id: str, text: str, history: list[dict], view: View) -> Iterator[Step]:
    """Stream one turn; ``history`` already ends with the user's message. Event kinds the page does not
    know are skipped."""
    session = agent.sessions.get(session_id)
    view.before.append({"wishes": session.wishes.as_dict(), "last_items": list(session.last_items)})
    reply_at = None
    streamed = ""
    for event in in_own_thread(lambda: agent.respond_stream(session_id, text)):
        if event.kind == "status":
            yield Step(history, status=event.text)
        elif event.kind == "tool":
            history.append(tool_message(event, agent.tools.domain.items))
            yield Step(history)
        elif event.kind == "picks":
            view.picks = [i["id"] for i in event.items]
            yield Step(history, picks=event.items)
        elif event.kind in ("token", "reply"):
            if reply_at is None:
                history.append({"role": "assistant", "content": ""})
                reply_at = len(history) - 1
            if event.kind == "token":
                streamed += event.text
                history[reply_at]["content"] = md_lines(streamed)
                yield Step(history)
            else:
                reply = event.reply
                history[reply_at]["content"] = reply_markdown(reply.text, reply.notes)
                if reply.items:
                    view.presented[reply_at] = [i["id"] for i in reply.items]
                turn = sum(m["role"] == "user" for m in history)
                yield Step(history, status=f"Turn {turn} answered in {reply.timings.get('total', 0.0):.1f} s.",
                           reply=reply)


def in_own_thread(events: Callable[[], Iterator]) -> Iterator:
    """Run an event stream to its end in a thread of its own and pass its events on.

    The agent holds the session's lock for the whole turn, and a lock must be released by the thread that
    took it, while Gradio may run each step of a generator in another worker thread. A turn whose browser
    went away still finishes (and is stored), and closing this generator waits for it, so the event keeps
    its place in the model's queue until the model is free.
    """
    queue: Queue = Queue()
    finished = threading.Event()

    def pump() -> None:
        try:
            for event in events():
                queue.put((True, event))
            queue.put((False, None))
        except BaseException as exc:  # re-raised in the caller's thread
            queue.put((False, exc))
        finally:
            finished.set()

    threading.Thread(target=pump, name="page-turn", daemon=True).start()
    try:
        while True:
            going, value = queue.get()
            if going:
                yield value
            elif value is None:
                return
            else:
                raise value
    finally:
        finished.wait()


def take_back(agent, session_id: str, view: View, cut: int) -> tuple[str, bool] | None:
    """Remove the session's last exchange; restore the wishes and picks from before it when this tab ran it.

    ``cut`` is where the chat history is cut. Returns the user's message taken back and whether the state
    before it was restored (None: there was nothing to take back).
    """
    before = view.before.pop() if view.before else None
    with agent.sessions.editing(session_id) as session:
        if len(session.messages) < 2 or session.messages[-2]["role"] != "user":
            return None
        text = session.messages[-2]["content"]
        session.messages = session.messages[:-2]
        if before is not None:
            session.update_wishes(Wishes.from_dict(before["wishes"]))
            session.last_items = before["last_items"]
        view.picks = list(session.last_items)
    view.presented = {n: ids for n, ids in view.presented.items() if n < cut}
    return text, before is not None


def stored_cards(agent, session_id: str) -> list[dict]:
    """The session's latest picks with the reasons shown for them (for a reload or an undo)."""
    session = agent.sessions.get(session_id)
    return [{**item.as_dict(), "reason": session.reasons.get(str(item.id), "")}
            for item in agent.catalog.items(session.last_items)]


def stored_history(agent, session_id: str, limit: int = 20) -> list[dict]:
    """The session's last messages for the chat (tool messages are not stored)."""
    return [{"role": m["role"], "content": md_lines(m["content"])}
            for m in agent.sessions.get(session_id).messages[-limit:]]
