"""One function per intent. Each is a generator: it yields events and returns the turn's ``Reply``.

Everything said of an item comes from its fact sheet (``reasons``, ``about``); the model writes only chat that no
prepared reply covers, and what it writes is checked sentence by sentence before it is shown (``stages.generate``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from . import prompting
from .events import Event, Picks, Reply, Status, Timer, Token, ToolCall
from .reactions import ORDINAL, title_span
from .reasons import say
from .sessions import Session
from .stages import (SHOW, Toolbox, distinct, explain, generate, mentioned_item, reply_text, rerank, retrieve,
                     reworded, turn_facts, user_ratings)
from .state import Change

MAX_CHAT_WORDS = 12  # a prepared chat reply answers short messages only


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
    picks = distinct(tools, [result.candidates[n] for n in order])[: session.wishes.count or SHOW]
    with timer("explain"):
        items = explain(tools, session, picks)
    yield Picks(items)
    with timer("generate"):
        text = yield from reply_text(tools, session, turn.message, query, items, result.notes)
        if tools.settings.llm_reasons:
            items = yield from reworded(tools, items, session)
            yield Picks(items)
    session.shown += [i["id"] for i in items if i["id"] not in session.shown]
    session.reasons.update({str(i["id"]): i["reason"] for i in items})
    session.last_items, session.focus = [i["id"] for i in items], None
    return Reply(text, items=items, intent="recommend", tool_called=True, tool_args=args,
                 candidates=result.item_ids, notes=result.notes)


def explain_pick(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    session = turn.session
    item = mentioned_item(tools, session, turn.message, turn.change)
    if item is None:
        first = tools.catalog.item(session.last_items[0]) if session.last_items else None
        text = (f"Which {tools.domain.item} do you mean? Ask about one of my picks by name, for example "
                f"\"why {first.title}?\"" if first else
                "I have not recommended anything yet. Tell me what you like and I will.")
        return Reply(text, intent="explain")
    ratings = user_ratings(tools.catalog, session.user_id)
    liked = [i for i, r in ratings.items() if r >= 4] + list(session.wishes.liked + session.wishes.similar_to)
    because = tools.catalog.items(tools.recommender.supporting_items(liked, item.id))
    text = tools.reasons.explanation(item, because, session.wishes, ratings, session.reasons.get(str(item.id), ""))
    if item.id not in session.shown:
        text = text.replace("I picked", "I would pick", 1)
    session.focus = item.id
    yield Token(text)
    return Reply(text, intent="explain", items=[{**item.as_dict(), "reason": session.reasons.get(str(item.id), text)}])


def about(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    item = mentioned_item(tools, turn.session, turn.message, turn.change)
    if item is None:
        unknown = turn.change.unknown_titles or turn.change.namesakes
        key = "about_unknown" if unknown or not turn.session.last_items else "about_which"
        return Reply(say(key, item=tools.domain.item), intent="about")
    with turn.timer("generate"):
        text = tools.about.answer(item, turn.message)
    turn.session.focus = item.id
    yield Token(text)
    return Reply(text, intent="about", items=[{**item.as_dict(), "reason": tools.reasons.cards(
        [(item, [])], turn.session.wishes, {})[0]}])


def chat(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    prepared = prepared_reply(tools, turn)
    if prepared:
        yield Token(prepared)
        return Reply(prepared, intent="chat")
    history = "\n".join(f"{m['role']}: {m['content'][:200]}" for m in turn.session.messages[-4:]) or "(none)"
    with turn.timer("generate"):
        answer = yield from generate(tools, prompting.messages("chat", tools.domain, history=history,
                                                               message=turn.message), 60,
                                     turn_facts(tools, turn.session, turn.message))
    fallback = (f"Happy to help! Tell me a genre, an era or a {tools.domain.item} you enjoyed, "
                f"and I will recommend something.")
    if not answer:
        yield Token(fallback)
    return Reply(answer or fallback, intent="chat")


def refuse(tools: Toolbox, turn: Turn) -> Iterator[Event]:
    text = prompting.text("refuse", tools.domain)
    yield Token(text)
    return Reply(text, intent="refuse")


HANDLERS = {"recommend": recommend, "explain": explain_pick, "about": about, "chat": chat, "refuse": refuse}


@lru_cache(maxsize=1)
def chat_acts() -> list[dict]:
    return json.loads((prompting.PROMPTS_DIR / "chat_replies.json").read_text(encoding="utf-8"))["acts"]


def prepared_reply(tools: Toolbox, turn: Turn) -> str:
    """The prepared reply to a greeting, thanks, goodbye, a question about the bot, or a pick settled on ("" when
    none fits: the model answers then)."""
    domain, lowered = tools.domain, turn.message.lower().replace("’", "'")
    values = {"bot_name": domain.bot_name, "item": domain.item, "items": domain.items}
    chosen = [i for i in turn.change.chosen if i > 0 and _named(turn, tools.catalog.item(i))]
    variant = len(turn.session.messages) // 2
    for act in chat_acts():
        if act["name"] == "chosen" and chosen:
            return _pick(act["replies"], variant).format(**values, title=tools.catalog.item(chosen[0]).label)
        if len(lowered.split()) <= MAX_CHAT_WORDS and any(re.search(rf"\b{re.escape(c)}\b", lowered)
                                                           for c in act["cues"]):
            return _pick(act["replies"], variant).format(**values)
    return ""


def _named(turn: Turn, item) -> bool:
    """Whether the message names the pick it settles on (its title or its place in the list), or only one pick
    was shown: "Thank you, that is very helpful" after five picks chooses none of them."""
    shown = turn.session.last_items
    return len(shown) <= 1 or bool(title_span(turn.message, item.title) or ORDINAL.search(turn.message))


def _pick(replies: list[str], variant: int) -> str:
    return replies[variant % len(replies)]


def query_args(query) -> dict:
    """The query as plain values, without the long lists (for replies and dialogue checks)."""
    out = {"genres": list(query.genres), "require_genres": list(query.require_genres),
           "prefer_genres": list(query.prefer_genres), "exclude_genres": list(query.exclude_genres),
           "year_min": query.year_min, "year_max": query.year_max, "similar_to": list(query.similar_to),
           "liked": list(query.liked), "disliked": list(query.disliked), "query": query.text,
           "user_id": query.user_id, "k": query.k}
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
