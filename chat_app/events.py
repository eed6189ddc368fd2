"""What a turn yields while it runs, what it returns, and the one timing helper.

``Status`` (a line for the page), ``ToolCall`` (the recommender's arguments in words, the number of
candidates and the time), ``Picks`` (the explained picks, as soon as they are known), ``Token`` (streamed
reply text) and finally ``Done`` carrying the ``Reply``.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


@dataclass
class Reply:
    text: str
    items: list[dict] = field(default_factory=list)   # id, title, year, genres, reason
    intent: str = ""
    tool_called: bool = False
    tool_args: dict = field(default_factory=dict)     # the recommender query, as plain values
    candidates: list[int] = field(default_factory=list)
    wishes: dict = field(default_factory=dict)        # the dialogue state after this turn
    understood: list[str] = field(default_factory=list)  # what this message changed, in words
    change: dict = field(default_factory=dict)        # the same as the reader's ``Change``, as plain values
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Status:
    text: str
    kind: str = "status"


@dataclass
class ToolCall:
    arguments: str      # the query in words
    candidates: int
    seconds: float
    kind: str = "tool"


@dataclass
class Picks:
    items: list[dict]   # the picks with their reasons, before the reply text is written
    kind: str = "picks"


@dataclass
class Token:
    text: str
    kind: str = "token"


@dataclass
class Done:
    reply: Reply
    kind: str = "reply"


Event = Status | ToolCall | Picks | Token | Done


class Timer:
    """``with timer("stage"):`` adds the block's seconds to ``timer.seconds["stage"]``."""

    def __init__(self):
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        clock = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - clock

    def total(self) -> dict[str, float]:
        return {**self.seconds, "total": time.perf_counter() - self.started}
