"""The turn's decision: call the recommender, or answer directly (explain, about an item, chat, refuse).

The LLM chooses by the log-probability of each label, so it can never answer outside the options. A 0.5B
model is strongly biased towards some labels, so its scores are calibrated against a content-free message
(Zhao et al., 2021, "Calibrate before use") and combined with a prior from unambiguous cue words. A fixed
guard refuses requests for the hidden instructions before any model sees them.
"""

from __future__ import annotations

import math
import re

from . import prompting
from .constraints import GENRE_WORDS

INTENTS = ["recommend", "explain", "about", "chat", "refuse"]
CALIBRATION = 0.5        # share of the content-free log-probabilities subtracted
CUE_CONFIDENCE = 0.7     # prior mass on the intent a cue word points to
CONTENT_FREE = ("N/A", "", "[MASK]")
INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b.{0,40}\b(instructions|rules|prompt|guidelines)"
    r"|system prompt|(your|the) (hidden |secret )?(instructions|prompt|rules)\b|jailbreak|developer mode"
    r"|everything above|do anything now",
    re.I | re.S)
CUES = [
    ("explain", re.compile(r"\bwhy\b|\breason\b|\bexplain\b|what made you|how come|on what basis|justify|"
                           r"how did you (come up|choose|pick)", re.I)),
    ("chat", re.compile(r"^\W*(hi|hello|hey|thanks|thank you|bye|good (morning|evening|night)|ok|okay|cool|nice|"
                        r"haha|awesome|great)\b", re.I)),
    ("about", re.compile(r"^\W*(what year|when (did|was)|what genre|what kind|is \w.*\?|tell me about|describe|"
                         r"what is .+ about|what do you know about|which year)", re.I)),
    ("recommend", re.compile(r"\b(recomm?end|recomend|suggest|find me|show me|give me|what should i watch|"
                             r"in the mood|something|more like|older|newer|other ones|different ones|"
                             r"movies?|films?|any \w+s\?|" + "|".join(map(re.escape, GENRE_WORDS)) + ")", re.I)),
]


def decide(llm, message: str, shown_titles: list[str]) -> tuple[str, dict[str, float]]:
    """The intent of ``message`` and the probability of each option."""
    if INJECTION.search(message):
        return "refuse", {intent: float(intent == "refuse") for intent in INTENTS}
    scores = combine(label_logprobs(llm, message, shown_titles), null_logprobs(llm, bool(shown_titles)),
                     cue_intent(message))
    return max(scores, key=scores.get), scores


def combine(logprobs: dict[str, float], null: dict[str, float] | None, cue: str | None) -> dict[str, float]:
    """Probabilities from calibrated label log-probabilities plus the cue-word prior."""
    scores = {i: logprobs[i] - (CALIBRATION * null[i] if null else 0.0) for i in INTENTS}
    if cue is not None:
        for intent in INTENTS:
            share = CUE_CONFIDENCE if intent == cue else (1 - CUE_CONFIDENCE) / (len(INTENTS) - 1)
            scores[intent] += math.log(share)
    top = max(scores.values())
    total = sum(math.exp(s - top) for s in scores.values())
    return {i: math.exp(s - top) / total for i, s in scores.items()}


def cue_intent(message: str) -> str | None:
    return next((intent for intent, pattern in CUES if pattern.search(message)), None)


def label_logprobs(llm, message: str, shown_titles: list[str]) -> dict[str, float]:
    return llm.choice_logprobs(decision_messages(message, shown_titles), INTENTS)


_NULL_CACHE: dict[tuple[int, bool], dict[str, float]] = {}


def null_logprobs(llm, after_picks: bool) -> dict[str, float]:
    """Mean label log-probabilities for content-free messages (the model's bias), cached per model."""
    key = (id(llm), after_picks)
    if key not in _NULL_CACHE:
        shown = ["Jaws (1975)"] if after_picks else []
        runs = [label_logprobs(llm, text, shown) for text in CONTENT_FREE]
        _NULL_CACHE[key] = {i: sum(r[i] for r in runs) / len(runs) for i in INTENTS}
    return _NULL_CACHE[key]


def decision_messages(message: str, shown_titles: list[str]) -> list[dict]:
    """Instructions, then the examples as earlier turns (small models follow the turns they see)."""
    turns = [{"role": "system", "content": prompting.text("decide")}]
    for shown, example, label in prompting.examples("decide_examples"):
        turns += [{"role": "user", "content": _turn(shown, example)}, {"role": "assistant", "content": label}]
    shown = ", ".join(title.rsplit(" (", 1)[0] for title in shown_titles[:3]) or "nothing"
    return turns + [{"role": "user", "content": _turn(shown, prompting.as_data(message))}]


def _turn(shown: str, message: str) -> str:
    return f"Shown so far: {shown}\nMessage: {message}"
