"""In-memory form of a catalog between an importer and the database writer, and the checks each field
passes on the way in: a bad value is one ``CatalogError`` line naming its file, line and column."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .errors import CatalogError
from .titles import clean_text

YEAR_RANGE = (1800, 2100)
RATING_SCALE = (1, 5)
TIMESTAMP_RANGE = (0, 4_102_444_800)   # Unix seconds, 1970 to 2100


def item_text(title: str, year: int | None, genres: list[str], description: str = "") -> str:
    """The text that is embedded and shown to the LLM: title, year, genres and any description."""
    head = f"{title} ({year})" if year else title
    parts = [head]
    if genres:
        parts.append("Genres: " + ", ".join(genres) + ".")
    if description:
        parts.append(description.strip())
    return " ".join(parts)


@dataclass
class CatalogData:
    """Rows ready to be written: items, users, interactions and provenance."""

    items: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


def where(path, line: int, column: str | None = None) -> str:
    """The place a value came from, as the start of an error sentence."""
    return f"{path} line {line}" + (f", column {shown(column)}" if column is not None else "")


def shown(value) -> str:
    """A value quoted for an error message: one line, at most 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def number(value, what: str, at: str, bounds: tuple[float, float] | None = None, whole: bool = False) -> float:
    """``value`` as a finite float within ``bounds`` (inclusive); ``whole`` also refuses fractions."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CatalogError(f"{at}: {what} {shown(value)} is not a number")
    try:
        x = float(value)
    except (ValueError, OverflowError):
        raise CatalogError(f"{at}: {what} {shown(value)} is not a number") from None
    if not math.isfinite(x):
        raise CatalogError(f"{at}: {what} {shown(value)} is not a finite number")
    if whole and not x.is_integer():
        raise CatalogError(f"{at}: {what} {shown(value)} is not a whole number")
    if bounds is not None and not bounds[0] <= x <= bounds[1]:
        raise CatalogError(f"{at}: {what} {shown(value)} is outside {bounds[0]:g}..{bounds[1]:g}")
    return x


def text(value, what: str, at: str, one_line: bool = True) -> str:
    """A text field (numbers are read as their text), cleaned; lists and objects are refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CatalogError(f"{at}: {what} {shown(value)} is not text")
    return clean_text(str(value), one_line=one_line)


def clean_value(value):
    """An extra attribute made safe to store: strings cleaned, non-finite numbers dropped, recursively."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v) for k, v in value.items()}
    return value
