"""Reasons in the LLM's words: the grounded template reason rewritten as one natural sentence, kept only if
every year, rating, genre and title it mentions is in the facts; otherwise the template stays."""

from __future__ import annotations

import re

from . import prompting

MAX_TOKENS = 48


def phrase(tools, item: dict, reason: str) -> str:
    """One sentence for ``reason`` (the template's text), or the template itself when the check fails.
    ``tools`` is the agent's ``stages.Toolbox``."""
    messages = prompting.messages("phrase", tools.domain, facts=reason)
    text = tools.llm.complete(messages, MAX_TOKENS).strip().strip('"')
    sentence = re.split(r"(?<=[.!?])\s", text)[0].strip()
    return sentence if grounded(sentence, reason, item, tools) else reason


def grounded(sentence: str, facts: str, item: dict, tools) -> bool:
    """Every number, genre and catalog title in ``sentence`` also appears in ``facts``."""
    if len(sentence) < 20 or not sentence[-1:] in ".!":
        return False
    if any(number not in facts for number in re.findall(r"\d+(?:[./]\d+)?", sentence)):
        return False
    lowered, known = sentence.lower(), facts.lower()
    genres = {g.lower() for g in tools.catalog.genres} | set(tools.reader.lexicon)
    if any(re.search(rf"\b{re.escape(g)}\b", lowered) and g not in known for g in genres if len(g) > 3):
        return False
    return all(m.item.label.lower() in known or m.item.title.lower() in known
               for m in tools.reader.titles.find(sentence))
