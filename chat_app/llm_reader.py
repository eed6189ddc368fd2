"""The LLM as a message reader: JSON constrained to a schema whose genre enum is the catalog's genres,
then grounded (titles resolved in the catalog, years within the catalog's range). ``combine`` lets it fill
only what the deterministic reader left empty. Measured against the reader in docs/state-eval.md."""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from pydantic import BaseModel, Field, create_model

from catalog import Catalog
from catalog.domain import Domain

from . import prompting
from .llm.errors import LLMError
from .reader import MessageReader
from .state import Change, Wishes


def reading_schema(genres: list[str]) -> type[BaseModel]:
    """The JSON the model may write: genres only from the catalog, at most a few of each."""
    genre = Enum("Genre", {g: g for g in genres}, type=str)
    return create_model(
        "Reading",
        wanted_genres=(list[genre], Field(default_factory=list, max_length=3)),
        unwanted_genres=(list[genre], Field(default_factory=list, max_length=3)),
        year_min=(int | None, None), year_max=(int | None, None),
        liked_titles=(list[str], Field(default_factory=list, max_length=4)),
        disliked_titles=(list[str], Field(default_factory=list, max_length=4)),
        count=(int | None, None), start_over=(bool, False))


class LLMReader:
    def __init__(self, llm, catalog: Catalog, domain: Domain, rules: MessageReader):
        self.llm, self.catalog, self.domain, self.rules = llm, catalog, domain, rules
        self.schema = reading_schema([g for g in catalog.genres if g.lower() != "unknown"])
        years = [i.year for i in catalog.all_items() if i.year]
        self.years = (min(years, default=1800), max(years, default=2100))
        self._seen: dict[tuple[str, Wishes], Change] = {}  # the same reading is asked for by several runs

    def read(self, message: str, wishes: Wishes | None = None) -> Change:
        wishes = wishes or Wishes()
        key = (message, wishes)
        if key not in self._seen:
            self._seen[key] = self._read(message, wishes)
        return replace(self._seen[key])

    def _read(self, message: str, wishes: Wishes) -> Change:
        prompt = prompting.messages("read_state", self.domain,
                                    wishes=describe(wishes, self.catalog), message=message)
        try:
            reading = self.llm.complete_json(prompt, self.schema, max_new_tokens=160)
        except LLMError:
            return Change()
        return self._ground(reading, message)

    def _ground(self, reading, message: str) -> Change:
        change = Change(reset=reading.start_over)
        change.genres = [g.value for g in reading.wanted_genres]
        change.exclude_genres = [g.value for g in reading.unwanted_genres if g.value not in change.genres]
        low, high = self.years
        change.year_min = reading.year_min if reading.year_min and low <= reading.year_min <= high else None
        change.year_max = reading.year_max if reading.year_max and low <= reading.year_max <= high else None
        if change.year_min and change.year_max and change.year_min > change.year_max:
            change.year_min = change.year_max = None
        for titles, target in ((reading.liked_titles, change.liked), (reading.disliked_titles, change.disliked)):
            for title in titles:
                mentioned = self.rules.titles.find(title)
                item = mentioned[0].item if mentioned else self.catalog.resolve_title(title)
                if item is None or item.id in target:
                    change.unknown_titles.append(title)
                else:
                    target.append(item.id)
        change.count = reading.count if reading.count and 1 <= reading.count <= 10 else None
        change.more = change.changes_wishes()
        return change


def combine(rules: Change, model: Change) -> Change:
    """The reader's change, with slots it left empty filled from the model's."""
    if rules.undo or rules.reset:
        return rules
    filled = {}
    for slot in ("genres", "exclude_genres", "liked", "disliked"):
        if not getattr(rules, slot) and getattr(model, slot):
            filled[slot] = getattr(model, slot)
    if rules.year_min is None and rules.year_max is None and (model.year_min or model.year_max):
        filled.update(year_min=model.year_min, year_max=model.year_max)
    if rules.count is None and model.count:
        filled["count"] = model.count
    merged = replace(rules, **filled)
    merged.more = rules.more or merged.changes_wishes()
    return merged


def describe(wishes: Wishes, catalog: Catalog) -> str:
    """The wishes in words for a prompt."""
    filters = wishes.query(None).describe()
    parts = [] if filters == "no filters" else [filters]
    if wishes.liked or wishes.similar_to:
        parts.append("likes " + "; ".join(i.label for i in catalog.items(wishes.liked + wishes.similar_to)))
    if wishes.disliked:
        parts.append("dislikes " + "; ".join(i.label for i in catalog.items(wishes.disliked)))
    return ", ".join(parts) or "none yet"
