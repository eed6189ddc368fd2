"""Real movie-seeking conversations (ReDial, with IARD act labels), read from ``../shared/datasets/redial-iard``.

The text is never copied into this repository: the annotations in ``benchmarks/data/redial_*.jsonl`` are keyed
by conversation id and turn index, and the sentences are read from the dataset folder, as the MovieLens files
are. ReDial's interface wrote every movie as ``Title (Year)`` (and IARD sometimes echoes it as
``<Title (Year)>``); people typing freely write neither, so both are stripped from what the bot reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

FILE = "iard_annotated_partially.json"
DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "redial-iard"
_ECHO = re.compile(r"\s*<[^<>]*\((?:18|19|20)\d\d\)\s*>")
_YEAR = re.compile(r"\s*\((?:18|19|20)\d\d\)(?:\s+(?=[!?.,;:]))?")


@dataclass(frozen=True)
class Turn:
    index: int          # position in the conversation (both participants counted)
    participant: str    # "USER" (looking for a movie) or "AGENT" (recommending)
    original: str       # as in the dataset, with the interface's years
    acts: tuple[str, ...]

    @property
    def text(self) -> str:
        """What a person typing freely would have written: no ``(Year)`` after titles, no echoes."""
        return " ".join(_YEAR.sub("", _ECHO.sub("", self.original)).split())


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[Turn, ...]

    @property
    def half(self) -> str:
        return half_of(self.id)


def half_of(conversation_id: str) -> str:
    """``dev`` or ``test``, fixed by a hash of the id (decided before any failure was looked at)."""
    return "test" if hashlib.sha256(conversation_id.encode()).digest()[0] % 2 else "dev"


def dataset_dir() -> Path:
    return Path(os.environ.get("REDIAL_DIR", DEFAULT_DIR))


def load(directory: Path | None = None) -> list[Conversation]:
    path = (directory or dataset_dir()) / FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: set REDIAL_DIR to the folder holding {FILE}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [Conversation(str(c["conversation_id"]), tuple(
        Turn(n, t["participant"], t["utterance"], tuple(a["intent"] for a in t.get("dialogue_acts", [])))
        for n, t in enumerate(c["conversation"]))) for c in raw]
