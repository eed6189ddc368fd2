"""The turn's decision: call the recommender, or answer directly (explain, about an item, chat, refuse).

The LLM chooses by the log-probability of each label (it cannot answer outside the options); a fixed guard
refuses requests for the hidden instructions before any model sees them.
"""

from __future__ import annotations

import re

from . import prompting
from .llm.structured import choose

INTENTS = ["recommend", "explain", "about", "chat", "refuse"]
INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b.{0,40}\b(instructions|rules|prompt|guidelines)"
    r"|system prompt|(your|the) (hidden |secret )?(instructions|prompt|rules)\b|jailbreak|developer mode",
    re.I | re.S)


def decide(llm, message: str, shown_titles: list[str]) -> tuple[str, dict[str, float]]:
    """The intent of ``message`` and the probability of each option."""
    if INJECTION.search(message):
        return "refuse", {intent: float(intent == "refuse") for intent in INTENTS}
    context = ("just recommended " + ", ".join(shown_titles)) if shown_titles else "has not recommended anything yet"
    return choose(llm, prompting.messages("decide", context=context, message=message), INTENTS)
