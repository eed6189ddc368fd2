"""Explanations built from catalog facts and the user's own history, and a check that every title in a
model-written text is a real catalog item."""

from __future__ import annotations

import re

from catalog import Catalog, Item


def describe(item: Item) -> str:
    genres = " / ".join(g.lower() for g in item.genres[:3]) or "film"
    return f"{'an' if genres[0] in 'aeiou' else 'a'} {genres} film" + (f" from {item.year}" if item.year else "")


def reason(item: Item, because: list[Item], ratings: dict[int, float], liked: set[int], matched: str) -> str:
    """One or two sentences: what the item is, which of the user's items support it, what it matches."""
    text = describe(item)
    text = text[0].upper() + text[1:] + "."
    support = []
    for other in because[:2]:
        if other.id in ratings:
            support.append(f"you rated {other.label} {ratings[other.id]:g}/5")
        elif other.id in liked:
            support.append(f"you liked {other.label}")
        else:
            support.append(f"it resembles {other.label}")
    if support:
        text += " Picked because " + " and ".join(support) + "."
    if matched:
        text += f" Matches {matched}."
    return text


def matched_constraints(item: Item, args: dict) -> str:
    parts = [g for g in args.get("genres", []) if g in item.genres]
    if item.year and (args.get("year_min") or args.get("year_max")):
        parts.append(str(item.year))
    if args.get("exclude_genres"):
        parts.append("no " + ", ".join(g.lower() for g in args["exclude_genres"]))
    return ", ".join(parts)


def facts(item: Item) -> str:
    attrs = {k: v for k, v in item.attrs.items() if k not in {"imdb_url", "release_date"}}
    extra = "; ".join(f"{k}: {v}" for k, v in attrs.items())
    return f"{item.label}. Genres: {', '.join(item.genres) or 'unknown'}." + (f" {extra}." if extra else "")


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
