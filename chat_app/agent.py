"""The Chat-REC agent. Each turn: read the message into a change of the dialogue state -> update the state
-> decide -> (recommend: retrieve a top-20 -> re-rank -> explain the top-5) -> reply -> remember.

``respond_stream`` yields typed events (``Status``, ``ToolCall``, ``Token``, finally ``Done``);
``respond`` returns the final ``Reply``. The page, the dialogue runner, scripts and the tests all use these.
"""

from __future__ import annotations

import traceback
import unicodedata
from pathlib import Path
from collections.abc import Iterator

from catalog import Catalog, Item
from catalog.domain import domain_of
from recommender.service import Recommender
from settings import Settings

from . import prompting
from .decide import Decider
from .events import Done, Event, Reply, Timer
from .intents import LearnedPrior
from .handlers import HANDLERS, Turn
from .llm.errors import LLMError
from .reader import MessageReader
from .sessions import SessionStore
from .stages import Toolbox
from .state import Change, Wishes
from .wishes_text import understood


class Agent:
    def __init__(self, catalog: Catalog, recommender: Recommender, llm, sessions: SessionStore, settings: Settings):
        domain = domain_of(catalog)
        reader = MessageReader(catalog, domain, encoder=lambda: recommender.encoder)
        self.tools = Toolbox.build(catalog, recommender, llm, domain, settings, reader)
        self.catalog, self.recommender, self.llm, self.sessions, self.settings = \
            catalog, recommender, llm, sessions, settings
        prior = LearnedPrior(lambda: recommender.encoder, Path(settings.data_dir) / "intents.npz") \
            if settings.intent_prior else None
        self.decider = Decider(llm, domain, prior)

    def respond(self, session_id: str, message: str, shown: list[Item] | None = None) -> Reply:
        return [e for e in self.respond_stream(session_id, message, shown) if isinstance(e, Done)][-1].reply

    def respond_stream(self, session_id: str, message: str, shown: list[Item] | None = None) -> Iterator[Event]:
        """One turn. ``shown``: what the person saw just before this message, when it was not this agent's latest
        picks (a host page's own list, a replayed conversation); items outside the catalog have negative ids."""
        message, notes = clean_message(message, self.settings.max_message_chars)
        if not message:
            yield Done(Reply(prompting.text("empty", self.tools.domain), intent="empty", timings={"total": 0.0}))
            return
        with self.sessions.editing(session_id) as session:
            timer = Timer()
            try:
                shown = self.catalog.items(session.last_items) if shown is None else list(shown)
                change, intent = self.understand(message, session.wishes, shown, timer)
                if intent in ("recommend", "chat"):  # a question about a pick or a refusal changes no wish
                    session.update_wishes(change.apply(session.wishes, session.previous_wishes))
                handler = HANDLERS.get(intent, HANDLERS["refuse"])
                reply = yield from handler(self.tools, Turn(session, message, change, timer))
            except LLMError as exc:
                change, reply = Change(), Reply(f"The language model failed ({exc}). Your conversation is kept; "
                                                "please try again.", intent="error")
            except Exception:  # a bug of ours: the person gets a sentence and keeps the conversation; we get the trace
                traceback.print_exc()
                change, reply = Change(), Reply("Something went wrong on my side with that message. Your "
                                                "conversation is kept; please try again or say it another way.",
                                                intent="error")
            reply.notes = notes + reply.notes + unknown_notes(change, self.tools.domain.item)
            reply.wishes = session.wishes.as_dict()
            reply.understood = understood(change, self.catalog)
            reply.change = change.as_dict()
            reply.timings = timer.total()
            session.messages += [{"role": "user", "content": message}, {"role": "assistant", "content": reply.text}]
        yield Done(reply)

    def understand(self, message: str, wishes: Wishes, shown: list[Item], timer: Timer | None = None
                   ) -> tuple[Change, str]:
        """What the message changes and what it asks for (read, then decide); nothing is stored."""
        timer = timer or Timer()
        with timer("read"):
            change = self.tools.reader.read(message, wishes, shown)
        with timer("decide"):
            intent, _ = self.decider.decide(message, [i.label for i in shown], change)
        return change, intent

    def feedback(self, session_id: str, item_id, liked: bool) -> str:
        item = self.catalog.item(item_id) if _is_id(item_id) else None
        if item is None:
            return f"There is no {self.tools.domain.item} {str(item_id)[:40]!r} in the catalog."
        with self.sessions.editing(session_id) as session:
            session.update_wishes(session.wishes.like(item.id, bool(liked)))
        return f"Noted: you {'liked' if liked else 'did not like'} {item.label}."

    def set_user(self, session_id: str, user_id) -> str:
        """Chat as a catalog user (a persona whose ratings shape the picks), or as a new user (None)."""
        if user_id is not None and (not _is_id(user_id) or self.catalog.user(int(user_id)) is None):
            return f"There is no user {str(user_id)[:40]!r} in the catalog; you are chatting as a new user."
        with self.sessions.editing(session_id) as session:
            session.user_id = int(user_id) if user_id is not None else None
        return f"Chatting as user {int(user_id)}." if user_id is not None else "Chatting as a new user."

    def remove_wish(self, session_id: str, slot: str, value=None) -> Wishes:
        """Take one wish back (a chip clicked away on the page)."""
        with self.sessions.editing(session_id) as session:
            session.update_wishes(session.wishes.without(slot, value))
            return session.wishes

    def profile(self, session_id: str) -> dict:
        session = self.sessions.get(session_id)
        top = sorted(self.catalog.history(session.user_id), key=lambda r: (-r[1], -r[2]))[:5] \
            if session.user_id is not None else []
        return {"user_id": session.user_id, "top_rated": [self.catalog.item(i).label for i, _, _ in top],
                "wishes": session.wishes, "shown": len(session.shown)}

    def forget(self, session_id: str) -> str:
        """Delete this conversation's stored data (never another session's, whichever persona it used)."""
        self.sessions.forget(session_id)
        return "Forgotten: this conversation, its likes, dislikes and wishes are deleted."


def clean_message(message, limit: int) -> tuple[str, list[str]]:
    """Valid Unicode, no control characters, at most ``limit`` characters; notes say what was changed."""
    text = str(message or "").encode("utf-8", "replace").decode("utf-8")
    text = "".join(c if c in "\n\t" or unicodedata.category(c)[0] != "C" else " " for c in text).strip()
    notes = []
    if len(text) > limit:
        text = text[:limit]
        notes.append(f"your message was long; I read its first {limit} characters")
    return text, notes


def unknown_notes(change: Change, noun: str) -> list[str]:
    """What was not taken from the message as the person wrote it: unknown titles, and names a later film has."""
    notes = [f"I don't know the {noun} “{title}”: it is not in the catalog" for title in change.unknown_titles[:3]]
    for n in change.namesakes[:3]:
        notes.append(f"I took “{n['words']}” to be {n['label']}, the one in the catalog ({n['later']} is not in it)"
                     if n["linked"] else f"“{n['words']}” is mostly {n['later']}, which is not in the catalog, so I "
                     f"left it out; say “the {n['year']} {n['words']}” if you meant the one I have")
    return notes


def _is_id(value) -> bool:
    try:
        return isinstance(value, (int, str)) and not isinstance(value, bool) and 0 <= int(value) < 2**63
    except (TypeError, ValueError):
        return False


def build_agent(model: str = "default", db=None, settings: Settings | None = None, llm=None,
                progress=print) -> Agent:
    """An agent over the catalog at ``db`` (built from the settings' source if missing) and a chat model."""
    from catalog.build import open_or_build

    from .llm.loader import load_chat_model

    settings = settings or Settings.from_env()
    settings = settings.replace(model=model, **({"db": db} if db is not None else {}))
    progress("opening the catalog (built on first start)")
    catalog = open_or_build(settings)
    progress(f"loading the {settings.recommender} recommender (trained on first start)")
    recommender = Recommender.for_catalog(catalog, settings.recommender)
    llm = llm or load_chat_model(settings, progress)
    agent = Agent(catalog, recommender, llm, SessionStore(settings.sessions_path), settings)
    if agent.decider.prior:
        agent.decider.prior.warm(progress)  # MiniLM and the intent weights load while the page already answers
    return agent
