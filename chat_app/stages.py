"""The stages of a recommend turn after the state is updated: retrieve -> re-rank -> explain -> reply; and the
one way model text reaches a person (``generate``: checked sentence by sentence before it is shown).

Each is a small function over the agent's ``Toolbox`` (catalog, recommender, chat model, domain, settings, the
reader, and the catalog's facts with the wording built on them).
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

from . import grounding, prompting, secrecy
from .about import AboutAnswers
from .events import Event, Status, Token
from .factsheet import CatalogFacts
from .reactions import ORDINAL, ORDINALS, SINGULAR
from .reader import MessageReader
from .reasons import Reasons, say
from .rerank import blend, llm_scores, profile_text
from .sessions import Session
from .state import Change, Wishes

CANDIDATES = 20
SHOW = 5
MAX_REPLY_CHARS = 2000
COUNTS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine",
          10: "Ten"}


@dataclass
class Toolbox:
    catalog: Catalog
    recommender: Recommender
    llm: object          # a chat_app.llm ChatModel
    domain: Domain
    settings: Settings
    reader: MessageReader
    facts: CatalogFacts
    reasons: Reasons
    about: AboutAnswers

    @classmethod
    def build(cls, catalog: Catalog, recommender: Recommender, llm, domain: Domain, settings: Settings,
              reader: MessageReader) -> "Toolbox":
        facts = CatalogFacts(catalog, domain)
        return cls(catalog, recommender, llm, domain, settings, reader, facts, Reasons(facts, domain),
                   AboutAnswers(facts, domain, reader.lexicon))


def retrieve(tools: Toolbox, session: Session, message: str) -> tuple[Query, Recommendation]:
    """The recommender's top-20 for the wishes in force, leaving out what was shown, liked, disliked, seen, chosen
    or named in the person's messages (and the twins of those)."""
    wishes = session.wishes
    said = " ".join(m["content"] for m in session.messages[-20:] if m["role"] == "user") + " " + message
    named = set(wishes.named_items) | tools.reader.titles.named_in(said)
    exclude = sorted(tools.reader.titles.twins(session.shown[-200:] + sorted(named)))
    query = wishes.query(session.user_id, exclude=exclude, k=CANDIDATES)
    return query, tools.recommender.recommend(query)


def distinct(tools: Toolbox, candidates: list) -> list:
    """The candidates without an item listed twice under the same title and year (MovieLens has some)."""
    out, taken = [], set()
    for candidate in candidates:
        if candidate.item_id not in taken:
            out.append(candidate)
            taken |= tools.reader.titles.twins([candidate.item_id])
    return out


def rerank(tools: Toolbox, wishes: Wishes, message: str, result: Recommendation) -> list[int]:
    """Positions into the candidates, best first: the recommender's order unless a re-rank weight is set."""
    order = list(range(len(result.candidates)))
    if tools.settings.rerank_weight > 0 and len(order) > 1:
        probs = llm_scores(tools.llm, tools.catalog, tools.domain, profile_text(tools.catalog, wishes), message,
                           result.item_ids)
        order = blend([c.score for c in result.candidates], probs, tools.settings.rerank_weight).tolist()
    return order


def explain(tools: Toolbox, session: Session, picks: list) -> list[dict]:
    """Each pick as a dict with its reason (``reasons.Reasons.cards``)."""
    ratings = user_ratings(tools.catalog, session.user_id)
    pairs = [(tools.catalog.item(p.item_id), tools.catalog.items(p.because)) for p in picks]
    reasons = tools.reasons.cards(pairs, session.wishes, ratings)
    return [{**item.as_dict(), "reason": reason} for (item, _), reason in zip(pairs, reasons)]


def reworded(tools: Toolbox, items: list[dict], session: Session) -> Iterator[Event]:
    """``--llm-reasons``: each card's reason in the model's words, kept where every sentence passes the check
    against that card's facts (else the card keeps its own wording); streamed after the cards."""
    for item in items:
        facts = card_facts(tools, item["id"], item["reason"], session)
        text = yield from generate(tools, prompting.messages("phrase", tools.domain, facts=item["reason"]), 48,
                                   facts, stream=False)
        if text and text.count(".") <= 2:
            item["reason"] = text
    return items


def intro(tools: Toolbox, query: Query, items: list[dict]) -> str:
    """The sentence before the list, from the query and the picks, so it never says what the picks are not: a
    genre asked for among others only where a pick has it; a liked item is the person's, no claim of closeness."""
    shown = {g for item in tools.catalog.items([i["id"] for i in items]) for g in item.genres}
    either = [g.lower() for g in query.genres if g in shown and g not in query.require_genres]
    genres = [g.lower() for g in query.require_genres] + ([" or ".join(either)] if either else [])
    similar, liked = tools.catalog.items(query.similar_to)[:2], tools.catalog.items(query.liked)[:2]
    era = ""
    if query.year_min and query.year_max:
        era = f" from {query.year_min}" if query.year_min == query.year_max else \
            f" from {query.year_min} to {query.year_max}"
    elif query.year_min or query.year_max:
        era = f" from {query.year_min} on" if query.year_min else f" up to {query.year_max}"
    if not genres and not similar and not liked and not era:
        return say("intro_one") if len(items) == 1 else say("intro_plain", count_lower=_count(len(items)).lower())
    what = (" and ".join(genres) + " " if genres else "") + ("pick" if len(items) == 1 else "picks")
    close = (" close to " + " and ".join(i.label for i in similar) if similar else
             " for someone who liked " + " and ".join(i.label for i in liked) if liked else "")
    count = _count(len(items))
    return say("intro", len(items) + len(genres), count=count, count_lower=count.lower(), what=what, close=close,
               era=era)


def reply_text(tools: Toolbox, session: Session, message: str, query: Query, items: list[dict],
               notes: list[str]) -> Iterator[Event]:
    """The opening sentence and the listing, streamed after the cards; return the whole text. The opening is
    made from the query, or with ``--generate-intro`` written by the model and kept only if it passes the check."""
    yield Status("Writing the answer…")
    listing = "\n".join(f"{n}. {i['title']}" + (f" ({i['year']})" if i.get("year") else "") + f": {i['reason']}"
                        for n, i in enumerate(items, 1))
    opening = intro(tools, query, items)
    if tools.settings.generate_intro:
        sheets = [tools.facts.sheet(tools.catalog.item(i["id"])) for i in items]
        facts = grounding.Facts({i["id"] for i in items}, {g for s in sheets for g in s.item.genres},
                                " ".join([opening, query.describe(), said(session), message]
                                         + [s.known_text() for s in sheets]))
        written = yield from generate(tools, prompting.messages("intro", tools.domain, request=message), 32, facts,
                                      stream=False)
        opening = written.split(". ")[0] if written else opening
    text = opening + "\n\n" + listing
    yield Token(text)
    if notes:
        text += "\n\n(" + "; ".join(notes) + ")"
    return text


def card_facts(tools: Toolbox, item_id: int, reason: str, session: Session) -> grounding.Facts:
    sheet = tools.facts.sheet(tools.catalog.item(item_id))
    return grounding.Facts({item_id} | {n.other.id for n in sheet.neighbours}, set(sheet.item.genres),
                           " ".join([reason, sheet.known_text(), said(session)]))


def turn_facts(tools: Toolbox, session: Session, message: str) -> grounding.Facts:
    """What chat may speak of: the picks on the table, the wishes in force and the person's own words."""
    items = tools.catalog.items(session.last_items)
    genres = {g for i in items for g in i.genres} | set(session.wishes.genres + session.wishes.required_genres)
    sheets = " ".join(tools.facts.sheet(i).known_text() for i in items)
    return grounding.Facts({i.id for i in items}, genres, " ".join([sheets, said(session), message]))


def said(session: Session) -> str:
    return " ".join(m["content"] for m in session.messages[-20:] if m["role"] == "user")


def generate(tools: Toolbox, messages: list[dict], max_new_tokens: int, facts: grounding.Facts,
             stream: bool = True) -> Iterator[Event]:
    """The model's text, each sentence shown only once it is complete and has passed the checks (no prompt line
    repeated, no refusal boilerplate, nothing the facts do not back); return what passed."""
    kept, pending, total = [], "", 0
    for piece in tools.llm.stream(messages, max_new_tokens):
        pending += piece
        total += len(piece)
        *done, pending = re.split(r"(?<=[.!?])\s+", pending)
        for sentence in done:
            if passed := _passes(tools, sentence, facts):
                kept.append(passed)
                if stream:
                    yield Token((" " if len(kept) > 1 else "") + passed)
        if total > MAX_REPLY_CHARS:
            pending = ""
            break
    if pending.strip() and (passed := _passes(tools, pending, facts)):
        kept.append(passed)
        if stream:
            yield Token((" " if len(kept) > 1 else "") + passed)
    return " ".join(kept)


def _passes(tools: Toolbox, sentence: str, facts: grounding.Facts) -> str:
    sentence = sentence.strip()
    if not sentence or secrecy.repeats_prompt(sentence, tools.domain) or REFUSAL.search(sentence):
        return ""
    extra = {w.lower() for w in tools.domain.item_words} | {tools.domain.bot_name.lower()}
    return grounding.check(sentence, facts, tools.reader.titles, tools.reader.lexicon, extra)


REFUSAL = re.compile(r"\b(?:i'?m sorry|i apologi[sz]e|i can(?:'|no)t (?:assist|help) with|as an ai)\b", re.I)


def user_ratings(catalog: Catalog, user_id: int | None) -> dict[int, float]:
    if user_id is None:
        return {}
    return {item: rating for item, rating, _ in catalog.history(user_id)}


def mentioned_item(tools: Toolbox, session: Session, message: str, change: Change) -> Item | None:
    """The item a why/about question is about: a pick it names or points at ("the third one"), a catalog title it
    names, the pick last talked about for "it" or "that one", a pick it asks about, or the only pick."""
    picks = tools.catalog.items(session.last_items)
    lowered = message.lower()
    for item in picks:
        if item.title.lower() in lowered:
            return item
    if picks and (ordinal := ORDINAL.search(message)):
        index = ORDINALS[ordinal[1].lower()]
        if -len(picks) <= index < len(picks):
            return picks[index]
    if change.mentioned:
        return tools.catalog.item(change.mentioned[0])
    if session.focus and SINGULAR.search(message):
        return tools.catalog.item(session.focus)
    asked = [r["item"] for r in change.reactions if r["item"] in session.last_items and "asked" in r["kinds"]]
    if asked or len(picks) == 1:
        return tools.catalog.item(asked[0] if asked else picks[0].id)
    return None


def _count(n: int) -> str:
    return COUNTS.get(n, str(n))
