"""The dialogue state: what the user wants now (``Wishes``), and one turn's change to it (``Change``).

Wishes carry over from turn to turn; a change adds, replaces, removes or starts over, and only what it
names is touched. ``Wishes.query`` turns the state into the recommender's typed ``Query``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from recommender.query import Query

YEARS_CLEARED = -1  # a Change's year bound that removes the bound


@dataclass(frozen=True)
class Wishes:
    genres: tuple[str, ...] = ()           # any of these (only a preference beside required genres)
    exclude_genres: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    liked: tuple[int, ...] = ()            # items the user spoke of (or clicked) positively
    disliked: tuple[int, ...] = ()
    similar_to: tuple[int, ...] = ()       # "more like X": the picks should resemble these
    text: tuple[str, ...] = ()             # free-text wishes, newest last
    count: int | None = None               # how many picks
    required_genres: tuple[str, ...] = ()  # all of these ("a romantic comedy")
    seen: tuple[int, ...] = ()             # items the user has seen, whatever they thought of them
    chosen: tuple[int, ...] = ()           # items the user settled on ("I'll watch that one")

    def query(self, user_id: int | None, exclude=(), k: int = 20) -> Query:
        text = " ".join(self.text[-2:]) or None
        required = bool(self.required_genres)
        return Query(user_id=user_id, text=text, genres=() if required else self.genres,
                     require_genres=self.required_genres, prefer_genres=self.genres if required else (),
                     exclude_genres=self.exclude_genres, year_min=self.year_min, year_max=self.year_max,
                     similar_to=self.similar_to, liked=self.liked, disliked=self.disliked, exclude=exclude, k=k)

    @property
    def named_items(self) -> set[int]:
        """Items the user named, has seen or chose: never recommended back."""
        return set(self.liked) | set(self.disliked) | set(self.similar_to) | set(self.seen) | set(self.chosen)

    def is_empty(self) -> bool:
        return self == Wishes()

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Wishes":
        known = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in (data or {}).items() if k in known}
        return cls(**values)

    def like(self, item_id: int, liked: bool) -> "Wishes":
        """A click on Like / Not for me: the item moves to one side and leaves the other."""
        keep = [i for i in (self.disliked if liked else self.liked) if i != item_id]
        add = [i for i in (self.liked if liked else self.disliked) if i != item_id] + [item_id]
        return replace(self, liked=tuple(add if liked else keep), disliked=tuple(keep if liked else add))

    def without(self, slot: str, value=None) -> "Wishes":
        """The state with one wish removed (a chip clicked away on the page)."""
        if slot == "years":
            return replace(self, year_min=None, year_max=None)
        if slot in ("count",):
            return replace(self, count=None)
        current = getattr(self, slot)
        return replace(self, **{slot: tuple(v for v in current if v != value and str(v) != str(value))})


@dataclass
class Change:
    """What one message does to the wishes. Empty lists and ``None`` mean "leave as is"."""

    reset: bool = False                  # start over
    undo: bool = False                   # take back the previous turn's change
    more: bool = False                   # asks for (more) picks without changing anything
    replace_genres: bool = False         # "switch to comedies": the new genres replace the old
    genres: list[str] = field(default_factory=list)
    required_genres: list[str] = field(default_factory=list)  # "a romantic comedy": all of them
    exclude_genres: list[str] = field(default_factory=list)
    drop_genres: list[str] = field(default_factory=list)   # "I don't care about comedy anymore"
    clear_genres: bool = False           # "any genre"
    year_min: int | None = None          # YEARS_CLEARED removes the bound
    year_max: int | None = None
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    similar_to: list[int] = field(default_factory=list)
    forget: list[int] = field(default_factory=list)        # items taken back ("forget Aladdin")
    text: str | None = None
    count: int | None = None
    unknown_titles: list[str] = field(default_factory=list)
    namesakes: list[dict] = field(default_factory=list)    # {"item", "label", "year", "later", "words", "linked"}
    mentioned: list[int] = field(default_factory=list)     # every catalog title named, whatever was said of it
    links: list[tuple[int, str]] = field(default_factory=list)  # each of those with the words that named it
    seen: list[int] = field(default_factory=list)
    chosen: list[int] = field(default_factory=list)
    reactions: list[dict] = field(default_factory=list)    # {"item": id, "kinds": [...]} per shown item reacted to

    def as_dict(self) -> dict:
        return asdict(self)

    def changes_wishes(self) -> bool:
        """Whether applying it changes anything (a request for more does not)."""
        probe = replace(self, more=False, unknown_titles=[], namesakes=[], text=None, mentioned=[], links=[],
                        chosen=[], reactions=[])
        return probe != Change()

    def sets_filters(self) -> bool:
        """Whether it states a genre, an era or a count, or undoes or resets: wishes a question rarely carries
        (titles and "funny" or "scary" do appear in questions)."""
        probe = replace(self, more=False, unknown_titles=[], namesakes=[], text=None, mentioned=[], links=[],
                        liked=[], disliked=[], similar_to=[], forget=[], seen=[], chosen=[], reactions=[])
        return probe != Change()

    def apply(self, wishes: Wishes, previous: Wishes | None = None) -> Wishes:
        if self.undo:  # back to the state before the last change, then whatever else the message said
            wishes = previous if previous is not None else Wishes()
        if self.reset:
            wishes = Wishes()
        start_fresh = self.clear_genres or (self.replace_genres and (self.genres or self.required_genres))
        removed = self.exclude_genres + self.drop_genres
        required = [] if start_fresh or self.required_genres else list(wishes.required_genres)
        required = [g for g in required if g not in removed]
        required += [g for g in self.required_genres if g not in required and g not in self.exclude_genres]
        genres = [] if start_fresh else list(wishes.genres)
        genres = [g for g in genres if g not in removed + required]
        genres += [g for g in self.genres if g not in genres + required and g not in self.exclude_genres]
        wanted = self.genres + self.required_genres
        excluded = [g for g in wishes.exclude_genres if g not in wanted + self.drop_genres]
        excluded += [g for g in self.exclude_genres if g not in excluded]
        year_min, year_max = wishes.year_min, wishes.year_max
        if self.year_min is not None or self.year_max is not None:
            year_min = None if self.year_min in (None, YEARS_CLEARED) else self.year_min
            year_max = None if self.year_max in (None, YEARS_CLEARED) else self.year_max
            if self.year_min is None and self.year_max != YEARS_CLEARED and wishes.year_min is not None \
                    and year_max is not None and wishes.year_min <= year_max:
                year_min = wishes.year_min  # "80s" then "nothing after 1985": 1980-1985
            if self.year_max is None and self.year_min != YEARS_CLEARED and wishes.year_max is not None \
                    and year_min is not None and wishes.year_max >= year_min:
                year_max = wishes.year_max
        liked = _merge(wishes.liked, self.liked, self.disliked + self.forget)
        disliked = _merge(wishes.disliked, self.disliked, self.liked + self.forget)
        similar = _merge(wishes.similar_to, self.similar_to, self.disliked + self.forget)
        text = wishes.text + ((self.text,) if self.text else ())
        return Wishes(genres=tuple(genres), exclude_genres=tuple(excluded), year_min=year_min, year_max=year_max,
                      liked=liked, disliked=disliked, similar_to=similar, text=text[-3:],
                      count=self.count if self.count is not None else wishes.count, required_genres=tuple(required),
                      seen=_merge(wishes.seen, self.seen, self.forget), chosen=_merge(wishes.chosen, self.chosen, []))


def _merge(current: tuple[int, ...], added: list[int], removed: list[int]) -> tuple[int, ...]:
    kept = [i for i in current if i not in removed]
    return tuple(kept + [i for i in added if i not in kept])
