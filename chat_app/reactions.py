"""What a message says of the items just shown and of the titles it names: seen, liked, disliked, chosen (will
watch it), asked about, or wanted more like ("similar").

Which item a message is about is found by lookup: a shown title written out, a position ("the second one"), a
plural ("both", "those") for all of them, a singular pronoun for the latest one, and with a single item shown,
the message itself. What it says of each item is learned: a logistic regression per kind over the hashed
n-grams of the clauses around the item (the item written as "it"), fitted on annotated real conversations by
``python -m benchmarks.train_reader`` and shipped as ``chat_app/learned/kinds.npz``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from catalog import Item
from catalog.titles import normalize

from .textfeatures import features

KINDS = ("seen", "liked", "disliked", "chosen", "asked", "similar")
MODEL = Path(__file__).parent / "learned" / "kinds.npz"
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
            "fifth": 4, "5th": 4, "last": -1, "latter": -1, "former": 0}
ORDINAL = re.compile(rf"\b(?:the\s+)?({'|'.join(ORDINALS)})(?:\s+(?:one|movie|film|pick|item|book|title|suggestion|"
                     rf"option))?\b", re.I)
PLURAL = re.compile(r"\b(?:both|all of (?:them|those|these|your \w+)|them all|all (?:three|four|five|two)|those|these|"
                    r"them|neither|either of them|the \w+ (?:of them|you (?:suggested|mentioned|recommended))|"
                    r"(?:the|your|all) (?:\w+ ){0,2}(?:ones|films|movies|choices|suggestions|recommendations|picks)"
                    r"(?: you (?:suggested|mentioned|recommended|gave))?|(?:great|good|nice) (?:choices|suggestions|picks))\b",
                    re.I)
SINGULAR = re.compile(r"\b(?:it|that one|this one|that|this|the (?:movie|film|book|one|latter|former))\b", re.I)
BARE_POINTERS = {"it", "that", "this", "both", "them", "those", "these"}  # no noun: may point at anything
BOUNDARY = re.compile(r"\.{2,}|…|[.!?;\n]+|\s+but\s+|\s+though\s+|\s+however\s+", re.I)
MATCH = 85  # rapidfuzz partial ratio for a shown title written out (one slip in a nine-letter title)


@dataclass(frozen=True)
class Target:
    item: Item
    spans: tuple[tuple[int, int], ...]  # where the message points at it; () means the message as a whole
    shown: bool                          # one of the items just shown (else a title the message names)


def shown_targets(text: str, shown: list[Item]) -> list[Target]:
    """The shown items a message refers to, and where it does."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for n, item in enumerate(shown):
        if span := title_span(text, item.title):
            spans.setdefault(n, []).append(span)
    for match in ORDINAL.finditer(text):
        index = ORDINALS[match[1].lower()]
        if shown and -len(shown) <= index < len(shown) and (len(shown) > 1 or index in (0, -1)):
            spans.setdefault(index % len(shown), []).append(match.span())
    named = bool(spans)
    if shown and (plural := PLURAL.search(text)) and len(shown) > 1:
        for n in range(len(shown)):
            spans.setdefault(n, []).append(plural.span())
    elif shown and not named and (singular := SINGULAR.search(text)):
        spans.setdefault(len(shown) - 1, []).append(singular.span())
    elif len(shown) == 1 and not spans:
        spans[0] = []
    return [Target(shown[n], tuple(spans[n]), True) for n in sorted(spans)]


def title_span(text: str, title: str) -> tuple[int, int] | None:
    """Where ``title`` is written in ``text`` (case, articles and a slip aside); a title that is a short or common
    word ("It", "Up") only as written, capitalised."""
    words = normalize(title).split()
    if not words:
        return None
    if len(words) == 1 and len(words[0]) <= 4 or title.split()[0].lower() in {"it", "up", "big", "her", "us", "them"}:
        match = re.search(rf"\b{re.escape(title.strip())}\b", text)
        return match.span() if match and (match.start() == 0 or text[match.start()].isupper()) else None
    core = " ".join(words)
    found = fuzz.partial_ratio_alignment(core, text.lower(), score_cutoff=MATCH)
    if found is None or found.dest_end - found.dest_start < max(3, len(core) - 3):
        return None
    return found.dest_start, found.dest_end


def context(text: str, target: Target, others: list[tuple[int, int]]) -> str:
    """The clauses around the target's spans with the target written as "it" and other films as "__film__" (a
    title's own words, the "never" of "Tomorrow Never Dies", say nothing), or the whole message less the clauses
    naming other films when the target has no span; tagged with whether it was shown or named."""
    every = clauses(text)
    if target.spans:
        picked = [c for c in every if any(c[0] <= s < c[1] for s, _ in target.spans)]
    else:
        picked = [c for c in every if not any(c[0] <= s < c[1] for s, _ in others)] or every
    pieces = []
    for start, end in picked:
        piece = text[start:end]
        marks = [(s, e, " it ") for s, e in target.spans] + [(s, e, " __film__ ") for s, e in others]
        for s, e, mark in sorted(marks, reverse=True):
            if start <= s and e <= end:
                piece = piece[:s - start] + mark + piece[e - start:]
        pieces.append(piece.strip())
    return ("__shown__ " if target.shown else "__named__ ") + " ... ".join(pieces)


def clauses(text: str) -> list[tuple[int, int]]:
    cuts = [0] + [p for m in BOUNDARY.finditer(text) for p in (m.start(), m.end())] + [len(text)]
    return [(cuts[n], cuts[n + 1]) for n in range(0, len(cuts) - 1, 2) if text[cuts[n]:cuts[n + 1]].strip()]


class KindsModel:
    """One logistic regression per kind over ``textfeatures.features`` of a context: with the MiniLM vector when
    the encoder is the one it was fitted with, else over the n-grams alone (a second set of weights)."""

    def __init__(self, variants: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], encoder_name: str):
        self.variants, self.encoder_name = variants, encoder_name

    @classmethod
    def load(cls, path: Path = MODEL) -> "KindsModel":
        with np.load(path) as saved:
            variants = {v: (saved[f"{v}_weights"], saved[f"{v}_bias"], saved[f"{v}_thresholds"])
                        for v in ("ngrams", "encoder")}
            return cls(variants, str(saved["encoder_name"]))

    def scores(self, contexts: list[str], encoder=None) -> np.ndarray:
        """Each kind's probability over its threshold (above 1: said), one row per context."""
        usable = encoder is not None and getattr(encoder, "name", None) == self.encoder_name
        weights, bias, thresholds = self.variants["encoder" if usable else "ngrams"]
        logits = features(contexts, encoder if usable else None) @ weights.T + bias
        return 1.0 / (1.0 + np.exp(-logits)) / thresholds

    def kinds(self, contexts: list[str], encoder=None) -> list[tuple[str, ...]]:
        if not contexts:
            return []
        return [tuple(k for k, score in zip(KINDS, row) if score >= 1.0) for row in self.scores(contexts, encoder)]


@lru_cache(maxsize=1)
def default_model() -> KindsModel | None:
    """The shipped model; None when it was never trained (then messages carry no reactions)."""
    return KindsModel.load() if MODEL.exists() else None
