"""What the bot should call things in one catalog: the item noun, its name, genre synonyms, era words, the
rating scale. A profile is a JSON file in ``catalog/domains/``; a catalog names its own in its metadata
(``domain``), MovieLens catalogs are ``movies``, and a catalog that names none gets the neutral ``items``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

DEFAULT = "items"


@dataclass(frozen=True)
class Domain:
    name: str
    bot_name: str
    item: str                          # "movie"
    items: str                         # "movies"
    item_words: tuple[str, ...]        # words that mean "an item" in requests ("film", "flick")
    rating_scale: tuple[float, float]
    calibration_example: str           # a well-known item label for content-free calibration, or ""
    examples: tuple[str, ...]          # example requests shown on the page
    placeholder: str
    era_words: dict = field(default_factory=dict)    # {"old": {"year_max": 1979}, "recent": {...}}
    genre_words: dict = field(default_factory=dict)  # catalog genre -> words that mean it
    namesakes: tuple = ()                              # later films named like catalog ones (``catalog.namesakes``)

    def genre_lexicon(self, catalog_genres: list[str]) -> dict[str, tuple[str, ...]]:
        """Lower-case word -> the catalog genres it means (a "rom-com" is two), for the genres this catalog has
        (their own names included)."""
        known = {g.lower(): g for g in catalog_genres if g and g.lower() != "unknown"}
        words: dict[str, tuple[str, ...]] = {}
        for genre, synonyms in self.genre_words.items():
            if genre.lower() in known:
                for word in synonyms:
                    words[word.lower()] = words.get(word.lower(), ()) + (known[genre.lower()],)
        words.update({g: (name,) for g, name in known.items()})
        return words


@lru_cache(maxsize=None)
def load_domain(name: str | None) -> Domain:
    """The named profile (unknown names fall back to the neutral one)."""
    folder = files("catalog") / "domains"
    path = folder / f"{name or DEFAULT}.json"
    if not path.is_file():
        path = folder / f"{DEFAULT}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("item_words", "rating_scale", "examples"):
        data[key] = tuple(data[key])
    if "namesakes" in data:  # a file beside the profile
        data["namesakes"] = tuple(json.loads((folder / data["namesakes"]).read_text(encoding="utf-8"))["films"])
    return Domain(**data)


def domain_of(catalog) -> Domain:
    """The profile a catalog names in its metadata (MovieLens: movies)."""
    meta = catalog.meta()
    name = meta.get("domain") or ("movies" if meta.get("source") == "ml-100k" else None)
    return load_domain(name)
