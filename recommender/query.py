"""The one typed request the recommender serves, and the typed candidates it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_K = 100


@dataclass(frozen=True)
class Query:
    """Whom to recommend for, what they want, and what to leave out. Item ids are catalog ids."""

    user_id: int | None = None
    history: tuple[int, ...] = ()          # an explicit history instead of (or beside) the user's
    text: str | None = None                # free-text wishes, matched against item embeddings
    genres: tuple[str, ...] = ()           # any of these
    require_genres: tuple[str, ...] = ()   # all of these
    prefer_genres: tuple[str, ...] = ()    # no filter: items with more of these rank higher
    exclude_genres: tuple[str, ...] = ()   # none of these
    year_min: int | None = None
    year_max: int | None = None
    similar_to: tuple[int, ...] = ()       # items the results should resemble
    liked: tuple[int, ...] = ()            # stated or clicked likes: strong positive history
    disliked: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()          # already shown
    k: int = 20

    def __post_init__(self):
        for name in ("history", "genres", "require_genres", "prefer_genres", "exclude_genres", "similar_to", "liked",
                     "disliked", "exclude"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def describe(self) -> str:
        """The filters in words ("genres Comedy or Drama, not Horror, years 1980-1989")."""
        parts = []
        if self.genres:
            parts.append("genres " + " or ".join(self.genres))
        if self.require_genres:
            parts.append("genres " + " and ".join(self.require_genres))
        if self.prefer_genres:
            parts.append("preferably " + " or ".join(self.prefer_genres))
        if self.exclude_genres:
            parts.append("not " + ", ".join(self.exclude_genres))
        if self.year_min or self.year_max:
            parts.append(f"years {self.year_min or '…'}-{self.year_max or '…'}")
        return ", ".join(parts) or "no filters"


@dataclass(frozen=True)
class Candidate:
    item_id: int
    score: float
    because: tuple[int, ...]  # the user's own items that support this one, strongest first


@dataclass
class Recommendation:
    candidates: list[Candidate]
    notes: list[str] = field(default_factory=list)
    new_user: bool = False
    skipped_ids: list[int] = field(default_factory=list)

    @property
    def item_ids(self) -> list[int]:
        return [c.item_id for c in self.candidates]
