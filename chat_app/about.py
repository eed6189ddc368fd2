"""Answers to questions about one item, composed from its fact sheet only: what the catalog records is said, and
what it does not record (a director, a cast, a plot where the catalog has no description, a running time) is
said to be unrecorded, with what is known instead. The model's memory of films is never asked.

The topics, the words that ask for each and whether the catalog can answer are data: ``prompts/about_topics.json``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from catalog import Item
from catalog.domain import Domain

from . import prompting
from .factsheet import CatalogFacts
from .reasons import _titles, basics, notable_standing, say


@lru_cache(maxsize=1)
def topics() -> list[dict]:
    return json.loads((prompting.PROMPTS_DIR / "about_topics.json").read_text(encoding="utf-8"))["topics"]


def topic_of(question: str) -> dict | None:
    """The first topic one of whose cues starts a word of the question."""
    lowered = question.lower().replace("’", "'")
    return next((t for t in topics() if any(re.search(rf"\b{re.escape(c)}", lowered) for c in t["cues"])), None)


class AboutAnswers:
    def __init__(self, facts: CatalogFacts, domain: Domain, lexicon: dict[str, tuple[str, ...]]):
        self.facts, self.domain, self.lexicon = facts, domain, lexicon  # genre word -> catalog genres

    def answer(self, item: Item, question: str) -> str:
        sheet, values = self.facts.sheet(item), basics(item, self.domain)
        parts = [say("about_lead", **values)]
        asked_genres = self._genres_named(question.lower().replace(item.title.lower(), " "))
        topic = topic_of(question)
        if asked_genres and (topic is None or topic.get("answer") in ("genre", "rating")
                             or re.search(r"\b(?:is|was) (?:it|that|this|\w+) an? \w+", question.lower())):
            hits = [g for g in asked_genres if g in item.genres]
            parts.append(say("about_genre_yes", genre=" and ".join(hits).lower()) if hits else
                         say("about_genre_no", **values))
        elif topic is None or topic.get("answer") == "genre":
            if topic is None and _specific(question, item):
                parts.append(say("about_not_recorded", what="that"))  # "is casablanca in black and white?"
            parts += self._known(sheet, asked_genres)
        elif topic.get("answer") == "year":
            parts.append(say("about_year", year=item.year) if item.year else say("about_not_recorded",
                                                                                 what="its year"))
        elif topic.get("answer") == "rating":
            parts += self._known(sheet, asked_genres)
        elif topic.get("answer") == "fans":
            parts += self._known(sheet, fans_only=True)
        elif topic.get("answer") == "description" and sheet.description:
            parts.append(say("about_description", description=sheet.description))
        elif topic.get("attribute") and item.attrs.get(topic["attribute"]):
            parts.append(say("about_attribute", attribute=topic["attribute"], value=item.attrs[topic["attribute"]]))
        else:
            listed = [g for g in topic.get("genres", []) if g in item.genres]
            if topic.get("genres"):
                parts.append(say("about_listed", genres=" / ".join(listed).lower()) if listed else
                             say("about_not_listed", **values))
            parts.append(say("about_not_recorded", what=topic["what"]))
            parts += self._known(sheet, asked_genres)
        return " ".join(parts)

    def _known(self, sheet, genres=(), fans_only: bool = False) -> list[str]:
        out = []
        if sheet.raters and not fans_only:
            best = notable_standing(self.facts, sheet, genres)
            standing = f", higher than {min(best.beats, 0.99):.0%} of the {best.genre.lower()} {self.domain.items} " \
                       "here" if best else ""
            out.append(say("about_rating", raters=sheet.raters, mean=f"{sheet.mean:.1f}",
                           top=f"{sheet.scale[1]:g}", standing=standing))
        if sheet.neighbours:
            out.append(say("about_fans", titles=_titles([n.other for n in sheet.neighbours])))
        return out

    def _genres_named(self, question: str) -> list[str]:
        lowered = question.lower()
        out = []
        for word, genres in self.lexicon.items():
            if len(word) > 3 and re.search(rf"\b{re.escape(word)}", lowered):
                out += [g for g in genres if g not in out]
        return out


def _specific(question: str, item: Item) -> bool:
    """Whether a question asks something particular (not just the title, "casablanca?", or "what about it?")."""
    lowered = question.lower().replace(item.title.lower(), " ")
    words = [w for w in re.findall(r"[a-z']+", lowered) if w not in GENERAL_WORDS]
    asks = "?" in question or re.match(r"\s*(?:who|what|when|where|why|how|is|was|are|does|did|do|can|will|has)\b",
                                        lowered)
    return bool(asks) and len(words) >= 2


GENERAL_WORDS = set("""it that this the one movie film book a an about what whats what's is was tell me more of on
anything something you know do does can please so and or then hmm ok okay""".split())
