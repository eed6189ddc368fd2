"""One function per intent. Each is a generator: it yields events and returns the turn's ``Reply``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from . import prompting
from .events import Event, Picks, Reply, Status, Timer, Token, ToolCall
from .explain import facts, reason
from .sessions import Session
from .stages import SHOW, Toolbox, explain, generate, mentioned_item, reply_text, rerank, retrieve, user_ratings
from .state import Change


@dataclass
class Turn:
    session: Session
    message: str
    change: Change
    timer: Timer


def recommend(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    session, timer = turn.session, turn.timer
    yield Status("Looking at your history and the catalog…")
    with timer("retrieve"):
        query, result = retrieve(tools, session, turn.message)
    args = query_args(query)
    yield ToolCall(query_words(query, tools), len(result.candidates), timer.seconds["retrieve"])
    if not result.candidates:
        text = "I found nothing that fits: " + "; ".join(result.notes) + ". Try loosening the request."
        return Reply(text, intent="recommend", tool_called=True, tool_args=args, notes=result.notes)
    with timer("rerank"):
        order = rerank(tools, session.wishes, turn.message, result)
    picks = [result.candidates[n] for n in order[: session.wishes.count or SHOW]]
    with timer("explain"):
        items = explain(tools, session, picks)
    yield Picks(items)
    with timer("generate"):
        text = yield from reply_text(tools, turn.message, items, result.notes)
    session.shown += [i["id"] for i in items if i["id"] not in session.shown]
    session.reasons.update({str(i["id"]): i["reason"] for i in items})
    session.last_items = [i["id"] for i in items]
    return Reply(text, items=items, intent="recommend", tool_called=True, tool_args=args,
                 candidates=result.item_ids, notes=result.notes)


def explain_pick(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    session = turn.session
    item = mentioned_item(tools, session, turn.message)
    if item is None:
        first = tools.catalog.item(session.last_items[0]) if session.last_items else None
        text = (f"Which {tools.domain.item} do you mean? Ask about one of my picks by name, for example "
                f"\"why {first.title}?\"" if first else
                "I have not recommended anything yet. Tell me what you like and I will.")
        return Reply(text, intent="explain")
    because = tools.catalog.items(tools.recommender.supporting_items(
        [i for i, r in user_ratings(tools.catalog, session.user_id).items() if r >= 4] + list(session.wishes.liked),
        item.id))
    why = session.reasons.get(str(item.id)) or reason(item, because, user_ratings(tools.catalog, session.user_id),
                                                      session.wishes, tools.domain)
    lead = "I picked" if item.id in session.shown else "About"
    text = f"{lead} {item.label} because it is {why[0].lower() + why[1:]}"
    yield Token(text)
    return Reply(text, intent="explain", items=[{**item.as_dict(), "reason": why}])


def about(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    item = mentioned_item(tools, turn.session, turn.message)
    if item is None:
        return Reply(f"I don't know that {tools.domain.item}: it is not in the catalog. Could you check the title?",
                     intent="about")
    with turn.timer("generate"):
        answer = yield from generate(tools, prompting.messages("about", tools.domain, facts=facts(item),
                                                               message=turn.message), 60, {item.id})
    text = (answer + "\n\n" if answer else "") + "From the catalog: " + facts(item)
    return Reply(text, intent="about", items=[{**item.as_dict(), "reason": facts(item)}])


def chat(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    history = "\n".join(f"{m['role']}: {m['content'][:200]}" for m in turn.session.messages[-4:]) or "(none)"
    with turn.timer("generate"):
        answer = yield from generate(tools, prompting.messages("chat", tools.domain, history=history,
                                                               message=turn.message), 60, set(turn.session.shown))
    fallback = (f"Happy to help! Tell me a genre, an era or a {tools.domain.item} you enjoyed, "
                f"and I will recommend something.")
    return Reply(answer or fallback, intent="chat")


def refuse(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    text = prompting.text("refuse", tools.domain)
    yield Token(text)
    return Reply(text, intent="refuse")


HANDLERS = {"recommend": recommend, "explain": explain_pick, "about": about, "chat": chat, "refuse": refuse}


def query_args(query) -> dict:
    """The query as plain values, without the long lists (for replies and dialogue checks)."""
    out = {"genres": list(query.genres), "exclude_genres": list(query.exclude_genres), "year_min": query.year_min,
           "year_max": query.year_max, "similar_to": list(query.similar_to), "liked": list(query.liked),
           "disliked": list(query.disliked), "query": query.text, "user_id": query.user_id, "k": query.k}
    return {k: v for k, v in out.items() if v not in (None, [], "")}


def query_words(query, tools: Toolbox) -> str:
    """The recommender call in words, for the page's tool message."""
    parts = [query.describe()] if query.describe() != "no filters" else []
    if query.liked or query.similar_to:
        parts.append("like " + "; ".join(i.label for i in tools.catalog.items(query.liked + query.similar_to)[:4]))
    if query.disliked:
        parts.append("unlike " + "; ".join(i.label for i in tools.catalog.items(query.disliked)[:3]))
    if query.user_id is not None:
        parts.append(f"history of user {query.user_id}")
    if query.text:
        parts.append(f"text “{query.text[:80]}”")
    return ", ".join(parts) or "popular items"
