"""Why each pick: its one or two strongest grounds, in sentences a person would write, made only from the item's
fact sheet, the person's own ratings and likes, and the wishes in force; no two cards of one reply share a
sentence. The wording lives in ``prompts/wording.json`` (several phrasings per ground).

Grounds, strongest first: a liked (or rated, or "more like") item whose fans loved this one too, with the count
("48 of the 120 people who loved Fargo loved this too"); the wishes it meets; its standing with the catalog's
raters within its genres; its ratings; its genres and year.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from catalog import Item
from catalog.domain import Domain

from . import prompting
from .factsheet import CatalogFacts, Sheet, Standing
from .state import Wishes


@lru_cache(maxsize=1)
def wording() -> dict:
    return json.loads((prompting.PROMPTS_DIR / "wording.json").read_text(encoding="utf-8"))


STANDS_OUT = 0.75  # a standing is worth a sentence ("one of the better-rated dramas") from the top quarter
SINGULAR = {"people": "person", "ratings": "rating", "fans": "fan"}


def say(key: str, variant: int = 0, **values) -> str:
    """The ``variant``-th phrasing of ``key`` (cycling), filled, with spacing and the first letter tidied."""
    phrasings = wording()[key]
    phrasing = phrasings[variant % len(phrasings)] if isinstance(phrasings, list) else phrasings
    text = " ".join(phrasing.format(**values).split())
    text = re.sub(r"\b1 (people|ratings|fans)\b", lambda m: "1 " + SINGULAR[m[1]], text)  # "1 person"
    text = re.sub(r"\b(1 person) have\b", r"\1 has", re.sub(r"\b(1 rating here) average\b", r"\1 averages", text))
    return text[:1].upper() + text[1:]


def variants(key: str) -> int:
    phrasings = wording()[key]
    return len(phrasings) if isinstance(phrasings, list) else 1


class Reasons:
    """Reasons and explanations for one catalog."""

    def __init__(self, facts: CatalogFacts, domain: Domain):
        self.facts, self.domain = facts, domain

    def cards(self, picks: list[tuple[Item, list[Item]]], wishes: Wishes, ratings: dict[int, float]) -> list[str]:
        """One reason per pick (``(item, the items that support it)``), no sentence repeated across cards."""
        used: set[str] = set()
        out = []
        for n, (item, because) in enumerate(picks):
            sentences = []
            for key, values in self.grounds(item, because, wishes, ratings):
                for k in range(variants(key)):
                    sentence = say(key, n + k, **values)
                    if sentence not in used:
                        sentences.append(sentence)
                        used.add(sentence)
                        break
                if len(sentences) == 2:
                    break
            out.append(" ".join(sentences))
        return out

    def explanation(self, item: Item, because: list[Item], wishes: Wishes, ratings: dict[int, float],
                    card: str = "") -> str:
        """"Why the third one?": the card's reason, then every further ground there is (other supporting items,
        the item's standing, what its fans loved): more than the card holds, no fact twice."""
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", card) if s]
        stated = {number for s in sentences for number in re.findall(r"\d+(?:\.\d+)?", s)}
        for n, (key, values) in enumerate(self.grounds(item, because, wishes, ratings, every=True)):
            sentence = say(key, n, **values)
            numbers = set(re.findall(r"\d+(?:\.\d+)?", sentence))
            if sentence not in sentences and not numbers & stated - {values.get("top")}:  # a fact once, however worded
                sentences.append(sentence)
                stated |= numbers
        fans = self.facts.sheet(item).neighbours
        if fans:
            sentences.append(say("about_fans", titles=_titles([f.other for f in fans])))
        if not sentences:
            return say("explain_none", label=item.label)
        return say("explain_lead", label=item.label) + " " + " ".join(sentences)

    def grounds(self, item: Item, because: list[Item], wishes: Wishes, ratings: dict[int, float],
                every: bool = False) -> list[tuple[str, dict]]:
        """(wording key, values) per ground, strongest first; ``every``: all supporting items, not one."""
        sheet = self.facts.sheet(item)
        out = []
        for other in because[: 3 if every else 1]:
            liked = self.facts.co_liked(item, other)
            if liked is None or not liked.both:
                continue
            values = {"other": other.label, "both": liked.both, "fans": liked.fans}
            if other.id in ratings:
                out.append(("because_rated", values | {"rating": self._rating(ratings[other.id])}))
            elif other.id in wishes.similar_to:
                out.append(("because_similar", values))
            else:
                out.append(("because_liked", values))
        wish = self._wish(item, wishes)
        if wish == "" and item.year:
            out.append(("wishes_years", self._basics(item)))  # only years were asked for
        elif wish:
            key = "wishes" if item.year else "wishes_no_year"
            out.append((key, self._basics(item) | {"wish": wish}))
        out += self._standing(sheet, wishes)
        if not out:
            out.append(("popular_fallback", self._basics(item)))
        return out

    def _standing(self, sheet: Sheet, wishes: Wishes) -> list[tuple[str, dict]]:
        """Its ratings, with its standing in the genre asked for where that is good, else in its best genre."""
        if not sheet.raters:
            return []
        values = {"raters": sheet.raters, "mean": f"{sheet.mean:.1f}", "top": f"{sheet.scale[1]:g}",
                  "items": self.domain.items}
        standing = notable_standing(self.facts, sheet, wishes.required_genres + wishes.genres)
        if standing:
            beats = min(standing.beats, 0.99)  # never "higher than 100%"
            return [("standing", values | {"genre": standing.genre.lower(), "share": f"{beats:.0%}",
                                           "share_top": f"{max(0.01, 1 - beats):.0%}"})]
        return [("rated", values)]

    def _wish(self, item: Item, wishes: Wishes) -> str | None:
        """The wishes in force this item meets, in words ("sci-fi and horror"), or None when none was stated."""
        genres = [g.lower() for g in wishes.required_genres + wishes.genres if g in item.genres]
        years = wishes.year_min is not None or wishes.year_max is not None
        if not genres and not years:
            return None
        return " and ".join(genres)

    def _basics(self, item: Item) -> dict:
        return basics(item, self.domain)

    def _rating(self, value: float) -> str:
        return f"{value:g}/{self.domain.rating_scale[1]:g}"


def notable_standing(facts: CatalogFacts, sheet: Sheet, genres=()) -> Standing | None:
    """The standing worth a sentence: in one of ``genres`` (those asked for) where the item stands out there, else
    in its best genre; None when it does not stand out (the top quarter, ``STANDS_OUT``)."""
    asked = (s for g in genres if (s := facts.standing_in(sheet.item, g)))
    standing = next((s for s in asked if s.beats >= STANDS_OUT), sheet.standing)
    return standing if standing and standing.beats >= STANDS_OUT else None


def basics(item: Item, domain: Domain) -> dict:
    """An item's plain facts as wording values ("a crime / drama", "Crime / drama", the year, the nouns)."""
    genres = " / ".join(g.lower() for g in item.genres if g.lower() != "unknown")
    article = "an" if (genres or domain.item)[0] in "aeiou" else "a"
    return {"item": domain.item, "items": domain.items, "year": item.year or "", "label": item.label,
            "genres_plain": genres.capitalize() or domain.item.capitalize(),
            "a_genres": f"{article} {genres}".strip()}


def describe(item: Item, domain: Domain) -> str:
    """'a crime / drama movie from 1995'."""
    values = basics(item, domain)
    return f"{values['a_genres']} {domain.item}" + (f" from {item.year}" if item.year else "")


def _titles(items: list[Item]) -> str:
    labels = [i.label for i in items]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
