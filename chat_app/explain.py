"""Explanations built from catalog facts, the user's own ratings and likes, and the wishes a pick matches;
and a check that every title in a model-written text is a real catalog item the text may name."""

from __future__ import annotations

import re

from catalog import Catalog, Item
from catalog.domain import Domain

from .state import Wishes


def describe(item: Item, domain: Domain) -> str:
    """'a crime / drama movie from 1995'."""
    genres = " / ".join(g.lower() for g in item.genres[:3] if g.lower() != "unknown")
    kind = f"{genres} {domain.item}" if genres else domain.item
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}" + (f" from {item.year}" if item.year else "")


def reason(item: Item, because: list[Item], ratings: dict[int, float], wishes: Wishes, domain: Domain) -> str:
    """Two short sentences a person could have written: why this pick, from facts the bot can stand behind."""
    text = _capital(describe(item, domain)) + "."
    top = domain.rating_scale[1]
    for other in because[:1]:
        if other.id in ratings:
            text += (f" You gave {other.label} {ratings[other.id]:g}/{top:g}, and people who liked it "
                     f"liked this one too.")
        elif other.id in wishes.liked:
            text += f" You said you liked {other.label}, and its fans liked this one too."
        else:
            text += f" It is close to {other.label}, which you asked for more like."
    matched = matched_wishes(item, wishes)
    if matched:
        text += f" It fits what you asked for: {matched}."
    return text


def matched_wishes(item: Item, wishes: Wishes) -> str:
    """The wishes in force that this item meets, in words ('comedy, 1980-1989, no horror')."""
    parts = [g.lower() for g in wishes.genres if g in item.genres]
    if item.year and (wishes.year_min or wishes.year_max):
        parts.append(_years(wishes))
    parts += [f"no {g.lower()}" for g in wishes.exclude_genres]
    return ", ".join(parts)


def _years(wishes: Wishes) -> str:
    if wishes.year_min and wishes.year_max:
        return f"{wishes.year_min}" if wishes.year_min == wishes.year_max else f"{wishes.year_min}-{wishes.year_max}"
    return f"from {wishes.year_min} on" if wishes.year_min else f"up to {wishes.year_max}"


def facts(item: Item) -> str:
    attrs = {k: v for k, v in item.attrs.items() if k not in {"imdb_url", "release_date"}}
    extra = "; ".join(f"{k}: {v}" for k, v in attrs.items())
    return f"{item.label}. Genres: {', '.join(item.genres) or 'unknown'}." + (f" {extra}." if extra else "")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_QUOTED = re.compile(r"[\"“*]([^\"”*\n]{2,80})[\"”*]")


def ground_titles(text: str, catalog: Catalog, allowed: set[int]) -> str:
    """Drop sentences that quote a title the catalog lacks, or name a catalog title outside ``allowed``."""
    kept = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        quoted = [catalog.resolve_title(q) for q in _QUOTED.findall(sentence)]
        if any(item is None or item.id not in allowed for item in quoted):
            continue
        if any(item.id not in allowed for item in _named_items(sentence, catalog)):
            continue
        kept.append(sentence)
    return " ".join(kept).strip()


def _named_items(sentence: str, catalog: Catalog) -> list[Item]:
    """Catalog items whose multi-word title appears verbatim in the sentence."""
    return [item for item in catalog.all_items()
            if len(item.title) >= 8 and " " in item.title and item.title in sentence]
