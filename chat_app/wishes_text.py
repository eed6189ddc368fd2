"""The dialogue state in words: what one message changed, and the wishes in force as removable chips."""

from __future__ import annotations

from dataclasses import dataclass

from catalog import Catalog

from .state import YEARS_CLEARED, Change, Wishes


@dataclass(frozen=True)
class Chip:
    slot: str           # a Wishes field, or "years"
    value: str          # what to remove from it ("" for years and count)
    label: str


def chips(wishes: Wishes, catalog: Catalog) -> list[Chip]:
    out = [Chip("genres", g, g) for g in wishes.genres]
    out += [Chip("exclude_genres", g, f"no {g}") for g in wishes.exclude_genres]
    if wishes.year_min is not None or wishes.year_max is not None:
        out.append(Chip("years", "", years_text(wishes.year_min, wishes.year_max)))
    out += [Chip("liked", str(i.id), f"♥ {i.label}") for i in catalog.items(wishes.liked)]
    out += [Chip("similar_to", str(i.id), f"like {i.label}") for i in catalog.items(wishes.similar_to)]
    out += [Chip("disliked", str(i.id), f"✗ {i.label}") for i in catalog.items(wishes.disliked)]
    if wishes.count:
        out.append(Chip("count", "", f"{wishes.count} picks"))
    return out


def years_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return str(low) if low == high else f"{low}–{high}"
    return f"{low} or later" if low is not None else f"{high} or earlier"


def understood(change: Change, catalog: Catalog) -> list[str]:
    """One short phrase per thing the message changed ("+ Comedy", "years cleared", "♥ Fargo (1996)")."""
    if change.undo:
        return ["took back the last change"]
    out = ["started over"] if change.reset else []
    out += [f"+ {g}" for g in change.genres] + [f"no {g}" for g in change.exclude_genres]
    out += [f"dropped {g}" for g in change.drop_genres] + (["any genre"] if change.clear_genres else [])
    low, high = (None if y == YEARS_CLEARED else y for y in (change.year_min, change.year_max))
    if low is not None or high is not None:
        out.append(years_text(low, high))
    elif YEARS_CLEARED in (change.year_min, change.year_max):
        out.append("any year")
    out += [f"♥ {i.label}" for i in catalog.items(change.liked)]
    out += [f"like {i.label}" for i in catalog.items(change.similar_to)]
    out += [f"✗ {i.label}" for i in catalog.items(change.disliked)]
    if change.count:
        out.append(f"{change.count} picks")
    return out
