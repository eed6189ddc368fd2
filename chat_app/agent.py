"""The Chat-REC agent: each turn decide, retrieve a top-20, re-rank to a top-k, explain, remember.

``respond_stream`` yields events (``status``, ``token``, and a final ``reply``); ``respond`` returns the
final ``Reply``. Scripts, the UI and the tests all go through these.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from catalog import Catalog
from recommender.service import Recommender
from recommender.tool import make_recommend_tool
from settings import Settings

from . import prompting
from .constraints import Request, parse_request
from .decide import decide
from .explain import facts, ground_titles, matched_constraints, reason
from .llm.errors import LLMError
from .rerank import blend, llm_scores, profile_text
from .sessions import Session, SessionStore

CANDIDATES = 20
SHOW = 5


@dataclass
class Reply:
    text: str
    items: list[dict] = field(default_factory=list)   # id, title, year, genres, reason
    tool_called: bool = False
    tool_args: dict = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    intent: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Event:
    kind: str            # "status", "token" or "reply"
    text: str = ""
    reply: Reply | None = None


class Agent:
    def __init__(self, catalog: Catalog, recommender: Recommender, llm, sessions: SessionStore,
                 settings: Settings):
        self.catalog, self.recommender, self.llm, self.sessions = catalog, recommender, llm, sessions
        self.settings = settings
        self.tool = make_recommend_tool(recommender, catalog)

    # --- public API --------------------------------------------------------------------------------
    def respond(self, session_id: str, message: str) -> Reply:
        reply = None
        for event in self.respond_stream(session_id, message):
            reply = event.reply or reply
        return reply

    def respond_stream(self, session_id: str, message: str) -> Iterator[Event]:
        session = self.sessions.get(session_id)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        message = (message or "").strip()
        notes = []
        if len(message) > self.settings.max_message_chars:
            message = message[: self.settings.max_message_chars]
            notes.append(f"your message was long; I read its first {self.settings.max_message_chars} characters")
        if not message:
            yield Event("reply", reply=Reply(prompting.text("empty"), intent="empty", timings={"total": 0.0}))
            return
        try:
            clock = time.perf_counter()
            intent, _ = decide(self.llm, message, [i.label for i in self.catalog.items(session.last_items)])
            timings["decide"] = time.perf_counter() - clock
            request = parse_request(message, self.catalog, session.last_items)
            for item_id in request.liked:
                session.like(item_id, True)
            for item_id in request.disliked:
                session.like(item_id, False)
            handler = {"recommend": self._recommend, "explain": self._explain, "about": self._about,
                       "chat": self._chat}.get(intent, self._refuse)
            reply = yield from handler(session, message, request, timings)
        except LLMError as exc:
            reply = Reply(f"The language model failed ({exc}). Your conversation is kept; please try again.",
                          intent="error")
        reply.notes = notes + reply.notes
        reply.timings = {**timings, "total": time.perf_counter() - started}
        session.messages += [{"role": "user", "content": message}, {"role": "assistant", "content": reply.text}]
        self.sessions.save(session)
        yield Event("reply", reply=reply)

    def feedback(self, session_id: str, item_id: int, liked: bool) -> str:
        item = self.catalog.item(item_id)
        if item is None:
            return f"There is no item {item_id} in the catalog."
        session = self.sessions.get(session_id)
        session.like(item.id, liked)
        self.sessions.save(session)
        return f"Noted: you {'liked' if liked else 'did not like'} {item.label}."

    def set_user(self, session_id: str, user_id: int | None) -> str:
        session = self.sessions.get(session_id)
        if user_id is not None and self.catalog.user(user_id) is None:
            return f"There is no user {user_id} in the catalog; you are chatting as a new user."
        session.user_id = user_id
        self.sessions.save(session)
        return f"Chatting as user {user_id}." if user_id is not None else "Chatting as a new user."

    def profile(self, session_id: str) -> dict:
        session = self.sessions.get(session_id)
        top = sorted(self.catalog.history(session.user_id), key=lambda r: (-r[1], -r[2]))[:5] \
            if session.user_id is not None else []
        return {"user_id": session.user_id, "top_rated": [self.catalog.item(i).label for i, _, _ in top],
                "liked": [i.label for i in self.catalog.items(session.liked)],
                "disliked": [i.label for i in self.catalog.items(session.disliked)],
                "tastes": session.tastes, "shown": len(session.shown)}

    def forget(self, session_id: str) -> str:
        user_id = self.sessions.get(session_id).user_id
        self.sessions.forget_session(session_id)
        if user_id is not None:
            self.sessions.forget_user(user_id)
        return "Forgotten: this conversation, your likes, dislikes and stated tastes are deleted."

    # --- turn handlers (generators yielding events, returning the Reply) ------------------------------
    def _recommend(self, session: Session, message: str, request: Request, timings: dict):
        args = self._tool_args(session, message, request)
        yield Event("status", "Looking at your history and the catalog…")
        clock = time.perf_counter()
        result = self.tool.invoke(args)
        timings["retrieve"] = time.perf_counter() - clock
        candidates = result["items"]
        if not candidates:
            text = "I found nothing that fits: " + "; ".join(result["notes"]) + ". Try loosening the request."
            return Reply(text, tool_called=True, tool_args=args, intent="recommend", notes=result["notes"])
        yield Event("status", f"Ranking {len(candidates)} candidates…")
        clock = time.perf_counter()
        order = list(range(len(candidates)))
        if self.settings.rerank_weight > 0 and len(candidates) > 1:
            ids = [c["id"] for c in candidates]
            profile = profile_text(self.catalog, session.liked, session.disliked, session.tastes)
            probs = llm_scores(self.llm, self.catalog, profile, message, ids)
            order = blend([c["score"] for c in candidates], probs, self.settings.rerank_weight).tolist()
        timings["rerank"] = time.perf_counter() - clock
        picks = [candidates[n] for n in order[: request.count or SHOW]]
        clock = time.perf_counter()
        ratings = self._ratings(session)
        items = []
        for pick in picks:
            item = self.catalog.item(pick["id"])
            because = self.catalog.items(pick["because_ids"])
            items.append({**item.as_dict(), "reason": reason(item, because, ratings,
                                                             set(session.liked), matched_constraints(item, args))})
        timings["explain"] = time.perf_counter() - clock
        yield Event("status", "Writing the answer…")
        clock = time.perf_counter()
        intro = ""
        if self.settings.generate_intro:
            intro = yield from self._generate(prompting.messages("intro", request=message), 32,
                                              {i["id"] for i in items}, first_sentence=True)
        timings["generate"] = time.perf_counter() - clock
        listing = "\n".join(f"{n}. {i['title']} ({i['year']}): {i['reason']}" for n, i in enumerate(items, 1))
        text = (intro or "Here are my picks for you:") + "\n\n" + listing
        if result["notes"]:
            text += "\n\n(" + "; ".join(result["notes"]) + ")"
        yield Event("token", "\n\n" + listing)
        session.shown += [i["id"] for i in items if i["id"] not in session.shown]
        session.reasons.update({str(i["id"]): i["reason"] for i in items})
        session.last_items = [i["id"] for i in items]
        session.last_args = {k: v for k, v in args.items() if k not in ("liked", "disliked", "exclude", "user_id", "k")}
        return Reply(text, items=items, tool_called=True, tool_args=args, intent="recommend",
                     candidates=[c["id"] for c in candidates], notes=result["notes"])

    def _explain(self, session: Session, message: str, request: Request, timings: dict):
        item = self._mentioned_item(session, message, request)
        if item is None:
            text = ("Which movie do you mean? Ask about one of my picks by name, for example "
                    f"\"why {self.catalog.item(session.last_items[0]).title}?\"" if session.last_items
                    else "I have not recommended anything yet. Tell me what you like and I will.")
            return Reply(text, intent="explain")
        why = session.reasons.get(str(item.id)) or reason(item, self._because(session, item.id),
                                                          self._ratings(session), set(session.liked), "")
        lead = "I recommended" if item.id in session.shown else "About"
        text = f"{lead} {item.label}: {why[0].lower() + why[1:]}"
        yield Event("token", text)
        return Reply(text, intent="explain", items=[{**item.as_dict(), "reason": why}])

    def _about(self, session: Session, message: str, request: Request, timings: dict):
        item = self._mentioned_item(session, message, request)
        if item is None:
            return Reply("I could not find that movie in the catalog. Could you check the title?", intent="about")
        clock = time.perf_counter()
        answer = yield from self._generate(prompting.messages("about", facts=facts(item), message=message), 60,
                                           {item.id})
        timings["generate"] = time.perf_counter() - clock
        text = (answer + "\n\n" if answer else "") + "From the catalog: " + facts(item)
        return Reply(text, intent="about", items=[{**item.as_dict(), "reason": facts(item)}])

    def _chat(self, session: Session, message: str, request: Request, timings: dict):
        if request.genres or request.liked or request.disliked:
            session.tastes.append(message[:200])
        history = "\n".join(f"{m['role']}: {m['content'][:200]}" for m in session.messages[-4:]) or "(none)"
        clock = time.perf_counter()
        answer = yield from self._generate(prompting.messages("chat", history=history, message=message), 60,
                                           set(session.shown))
        timings["generate"] = time.perf_counter() - clock
        return Reply(answer or "Happy to help! Tell me a genre or a movie you like.", intent="chat")

    def _refuse(self, session: Session, message: str, request: Request, timings: dict):
        text = prompting.text("refuse")
        yield Event("token", text)
        return Reply(text, intent="refuse")

    # --- helpers -------------------------------------------------------------------------------------
    def _generate(self, messages: list[dict], max_new_tokens: int, allowed: set[int], first_sentence=False):
        """Stream model text as token events; return it with ungrounded titles and leaks removed."""
        pieces = []
        for piece in self.llm.stream(messages, max_new_tokens):
            pieces.append(piece)
            yield Event("token", piece)
            if first_sentence and re.search(r"[.!?](\s|$)", "".join(pieces).strip()[10:]):
                break
        text = "".join(pieces).strip()
        if first_sentence:
            text = re.split(r"(?<=[.!?])\s", re.sub(r"^\W*opening:\s*", "", text, flags=re.I))[0]
        if _leaks_system_prompt(text):
            return prompting.text("refuse")
        return ground_titles(text, self.catalog, allowed)

    def _tool_args(self, session: Session, message: str, request: Request) -> dict:
        args = dict(session.last_args) if request.refinement else {}
        fresh = request.tool_args()
        if "similar_to" in fresh:  # the tool takes titles, as any LangChain model would give them
            fresh["similar_to"] = [item.label for item in self.catalog.items(fresh["similar_to"])]
        for key, opposite in (("genres", "exclude_genres"), ("exclude_genres", "genres")):
            kept = [g for g in args.get(key, []) if g not in fresh.get(opposite, [])]
            args[key] = kept + [g for g in fresh.get(key, []) if g not in kept]  # "not romance" drops romance
            if not args[key]:
                del args[key]
        args.update({k: v for k, v in fresh.items() if k not in ("genres", "exclude_genres")})
        for bound, other in (("year_max", "year_min"), ("year_min", "year_max")):
            if bound in fresh and other not in fresh:
                args.pop(other, None)  # "older" replaces the old range instead of narrowing it
        cold = session.user_id is None and not session.liked
        if request.query or (cold and not request.refinement):
            args["query"] = " ".join(session.tastes[-2:] + [message])[-500:]
        args.update(user_id=session.user_id, liked=session.liked[-50:], disliked=session.disliked[-50:],
                    exclude=session.shown[-200:], k=CANDIDATES)
        return args

    def _ratings(self, session: Session) -> dict[int, float]:
        if session.user_id is None:
            return {}
        return {item: rating for item, rating, _ in self.catalog.history(session.user_id)}

    def _because(self, session: Session, item_id: int):
        support = [i for i, r in self._ratings(session).items() if r >= 4] + session.liked
        return self.catalog.items(self.recommender.supporting_items(support, item_id))

    def _mentioned_item(self, session: Session, message: str, request: Request):
        for item in self.catalog.items(session.last_items):
            if item.title.lower() in message.lower():
                return item
        if request.similar_to or request.disliked:
            return self.catalog.item((request.similar_to or request.disliked)[0])
        words = [w.strip("?!.,\"'") for w in message.split()]
        for size in range(min(len(words), 8), 0, -1):
            for start in range(len(words) - size, -1, -1):
                phrase = " ".join(words[start:start + size])
                if len(phrase) >= 4 and (item := self.catalog.resolve_title(phrase, min_score=90)):
                    return item
        return None


def _leaks_system_prompt(text: str) -> bool:
    system = prompting.text("system")
    return any(line.strip() and line.strip()[:40] in text for line in system.splitlines()[1:])


def build_agent(model: str = "default", db=None, settings: Settings | None = None, llm=None,
                progress=print) -> Agent:
    """An agent over the catalog at ``db`` (built from the settings' source if missing) and a chat model."""
    from catalog.build import open_or_build

    from .llm.loader import load_chat_model

    settings = settings or Settings.from_env()
    settings = settings.replace(model=model, **({"db": db} if db is not None else {}))
    catalog = open_or_build(settings)
    recommender = Recommender.for_catalog(catalog, settings.recommender)
    llm = llm or load_chat_model(settings, progress)
    return Agent(catalog, recommender, llm, SessionStore(settings.sessions_path), settings)
