"""The stages of a recommend turn after the state is updated: retrieve -> re-rank -> explain -> reply.

Each is a small function over the agent's ``Toolbox`` (catalog, recommender, chat model, domain, settings).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from catalog import Catalog, Item
from catalog.domain import Domain
from recommender.query import Query, Recommendation
from recommender.service import Recommender
from settings import Settings

from . import prompting, secrecy
from .events import Event, Status, Token
from .explain import ground_titles, reason
from .phrasing import phrase
from .reader import MessageReader
from .rerank import blend, llm_scores, profile_text
from .sessions import Session
from .state import Wishes

CANDIDATES = 20
SHOW = 5
MAX_REPLY_CHARS = 2000
MAX_INTRO_CHARS = 300


@dataclass
class Toolbox:
    catalog: Catalog
    recommender: Recommender
    llm: object          # a chat_app.llm ChatModel
    domain: Domain
    settings: Settings
    reader: MessageReader


def retrieve(tools: Toolbox, session: Session, message: str) -> tuple[Query, Recommendation]:
    """The recommender's top-20 for the wishes in force, leaving out what was shown, liked, disliked or named in
    the person's messages (and the twins of those)."""
    wishes = session.wishes
    said = " ".join(m["content"] for m in session.messages[-20:] if m["role"] == "user") + " " + message
    named = set(wishes.named_items) | tools.reader.titles.named_in(said)
    exclude = sorted(tools.reader.titles.twins(session.shown[-200:] + sorted(named)))
    query = wishes.query(session.user_id, exclude=exclude, k=CANDIDATES)
    return query, tools.recommender.recommend(query)


def rerank(tools: Toolbox, wishes: Wishes, message: str, result: Recommendation) -> list[int]:
    """Positions into the candidates, best first: the recommender's order unless a re-rank weight is set."""
    order = list(range(len(result.candidates)))
    if tools.settings.rerank_weight > 0 and len(order) > 1:
        probs = llm_scores(tools.llm, tools.catalog, tools.domain, profile_text(tools.catalog, wishes), message,
                           result.item_ids)
        order = blend([c.score for c in result.candidates], probs, tools.settings.rerank_weight).tolist()
    return order


def explain(tools: Toolbox, session: Session, picks: list) -> list[dict]:
    """Each pick as a dict with a grounded reason."""
    ratings = user_ratings(tools.catalog, session.user_id)
    items = []
    for pick in picks:
        item = tools.catalog.item(pick.item_id)
        because = tools.catalog.items(pick.because)
        text = reason(item, because, ratings, session.wishes, tools.domain)
        if tools.settings.llm_reasons:
            text = phrase(tools, item.as_dict(), text)
        items.append({**item.as_dict(), "reason": text})
    return items


def reply_text(tools: Toolbox, message: str, items: list[dict], notes: list[str]) -> Iterator[Event]:
    """Stream an opening sentence (if enabled) and the listing; return the whole text."""
    yield Status("Writing the answer…")
    intro = ""
    if tools.settings.generate_intro:
        intro = yield from generate(tools, prompting.messages("intro", tools.domain, request=message), 32,
                                    {i["id"] for i in items}, first_sentence=True)
    listing = "\n".join(f"{n}. {i['title']}" + (f" ({i['year']})" if i.get("year") else "") + f": {i['reason']}"
                        for n, i in enumerate(items, 1))
    yield Token("\n\n" + listing)
    text = (intro or "Here are my picks for you:") + "\n\n" + listing
    if notes:
        text += "\n\n(" + "; ".join(notes) + ")"
    return text


def generate(tools: Toolbox, messages: list[dict], max_new_tokens: int, allowed: set[int],
             first_sentence: bool = False) -> Iterator[Event]:
    """Stream model text as tokens; return it with ungrounded titles, refusals and prompt leaks removed."""
    pieces: list[str] = []
    for piece in tools.llm.stream(messages, max_new_tokens):
        pieces.append(piece)
        yield Token(piece)
        joined = "".join(pieces)
        limit = MAX_INTRO_CHARS if first_sentence else MAX_REPLY_CHARS
        if len(joined) > limit or (first_sentence and re.search(r"[.!?](\s|$)", joined.strip()[10:])):
            break
    text = "".join(pieces).strip()[:MAX_REPLY_CHARS]
    if first_sentence:
        text = re.split(r"(?<=[.!?])\s", re.sub(r"^\W*opening:\s*", "", text, flags=re.I))[0]
        text = text if len(text) <= MAX_INTRO_CHARS else ""
    if leaks_system_prompt(text, tools.domain):
        return prompting.text("refuse", tools.domain)
    if REFUSAL.search(text):
        return ""
    return ground_titles(text, tools.catalog, allowed)


REFUSAL = re.compile(r"\b(?:i'?m sorry|i apologi[sz]e|i can(?:'|no)t (?:assist|help) with|as an ai)\b", re.I)


def leaks_system_prompt(text: str, domain: Domain) -> bool:
    """Whether the text repeats any line of the prompts the model is given (fuzzily: ``secrecy``)."""
    return secrecy.repeats_prompt(text, domain)


def user_ratings(catalog: Catalog, user_id: int | None) -> dict[int, float]:
    if user_id is None:
        return {}
    return {item: rating for item, rating, _ in catalog.history(user_id)}


def mentioned_item(tools: Toolbox, session: Session, message: str) -> Item | None:
    """The item a why/about question names: one of the picks by title or position, else any catalog title."""
    lowered = message.lower()
    for item in tools.catalog.items(session.last_items):
        if item.title.lower() in lowered:
            return item
    for word, index in (("first", 0), ("second", 1), ("third", 2), ("fourth", 3), ("fifth", 4), ("last", -1)):
        if re.search(rf"\b{word}\b", lowered) and session.last_items and abs(index) < len(session.last_items) + (index < 0):
            return tools.catalog.item(session.last_items[index])
    found = tools.reader.titles.find(message)
    return found[0].item if found else None
