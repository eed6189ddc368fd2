"""In-memory form of a catalog between an importer and the database writer."""

from __future__ import annotations

from dataclasses import dataclass, field


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
