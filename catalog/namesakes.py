"""Later films that go by a catalog film's name ("Twilight": the 2008 film; a 1998 catalog has the 1998 one).

A title written alone is weak evidence for the catalog's film when a later film has the same name: people
talking today mostly mean the later one. The reader then takes the catalog's film only with a year or a version
word that points to it ("Twilight (1998)", "the original Carrie") or when the bot itself showed it, and says
which film it took. The list is data (``domains/<profile>_namesakes.json``, with its provenance)."""

from __future__ import annotations

from dataclasses import dataclass

from .mentions import OLDER, VERSION, YEAR_AFTER, Mention
from .store import Catalog
from .titles import split_title


@dataclass(frozen=True)
class Namesake:
    title: str
    year: int
    usually_meant: bool    # a person saying the bare name today most likely means this later film

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})"


def namesakes_of(catalog: Catalog, entries) -> dict[int, Namesake]:
    """Catalog item id -> its best-known later namesake, for the entries whose catalog film this catalog has."""
    ids = {(item.title, item.year): item.id for item in catalog.all_items()}
    out = {}
    for entry in entries:  # a name that still mostly means the catalog's film ("Heat") is left as it is
        film = split_title(entry["catalog"])  # as MovieLens writes it: "Misérables, Les (1995)"
        if film in ids and entry["newer"] and entry.get("usually") != "older":
            later = entry["newer"][0]  # the best known first
            out[ids[film]] = Namesake(later["title"], int(later["year"]), entry.get("usually") == "newer")
    return out


def points_to_catalog(text: str, mention: Mention) -> bool | None:
    """Whether the words around a mention say which film it is: True for the catalog's ("Carrie (1976)", "the
    original Carrie", "the 1976 Carrie"), False for a later one ("the new Carrie", "Carrie 2013"), None when
    nothing says."""
    said = YEAR_AFTER.match(text[mention.end:]) or VERSION.search(text[:mention.start].lower())
    if said is None:
        return None
    word = said.group(1)
    return int(word) == mention.item.year if word.isdigit() else word in OLDER  # VERSION's other words: a later one
