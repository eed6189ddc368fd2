"""A check on every sentence the model writes: it may only say what the turn's facts say.

Each title, person-like name, year, number, genre and descriptive word in a sentence must come from the facts
given for the turn (the fact sheets of the items in play, the person's wishes) or from the person's own messages;
other words must be the ordinary language of a recommender (``prompts/grounding_words.txt``). A sentence that
fails is dropped, and the caller falls back to its deterministic wording. Every drop is logged (logger
``chatrec.grounding``) and counted in ``STATS``, so the rate can be measured.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from catalog.mentions import TitleIndex

from . import prompting

LOG = logging.getLogger("chatrec.grounding")
STATS: Counter = Counter()  # "sentences" checked and "dropped", per process
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)?")


@dataclass
class Facts:
    """What the model may say in one turn."""
    items: set[int] = field(default_factory=set)      # catalog items it may name
    genres: set[str] = field(default_factory=set)     # catalog genres it may attribute
    text: str = ""                                    # the facts and the person's words, as text


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    lines = (prompting.PROMPTS_DIR / "grounding_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def check(text: str, facts: Facts, titles: TitleIndex, lexicon: dict[str, tuple[str, ...]],
          extra_words: set[str] = frozenset()) -> str:
    """``text`` without the sentences that say more than ``facts`` (``extra_words``: the domain's own words)."""
    kept = []
    for sentence in (s.strip() for s in _SENTENCES.split(text.strip()) if s.strip()):
        STATS["sentences"] += 1
        problem = unsupported(sentence, facts, titles, lexicon, extra_words)
        if problem:
            STATS["dropped"] += 1
            LOG.info("dropped %r: %s", sentence, problem)
        else:
            kept.append(sentence)
    return " ".join(kept)


def unsupported(sentence: str, facts: Facts, titles: TitleIndex, lexicon: dict[str, tuple[str, ...]],
                extra_words: set[str] = frozenset()) -> str | None:
    """What in ``sentence`` the facts do not back, in a few words; None when everything is backed."""
    known = facts.text.lower()
    known_words = {w.strip("'’-").replace("’", "'") for w in _WORD.findall(known)}
    for mention in titles.find(sentence):
        if mention.item.id not in facts.items:
            return f"names {mention.item.label}, which is not in play"
    for quoted in re.findall(r"[\"“]([^\"”]{2,80})[\"”]", sentence):
        if quoted.lower() not in known:
            return f"quotes {quoted!r}"
    for number in _NUMBER.findall(sentence):
        if number not in known:
            return f"says {number}"
    lowered = sentence.lower()
    for word, genres in lexicon.items():
        if len(word) > 3 and re.search(rf"\b{re.escape(word)}\b", lowered) and not set(genres) & facts.genres \
                and word not in known:
            return f"calls something {word}"
    ordinary = ordinary_words() | extra_words
    for n, match in enumerate(_WORD.finditer(sentence)):
        word = match.group(0).lower().strip("'’-").replace("’", "'")
        if word in ordinary or word in known_words or word.rstrip("s") in ordinary | known_words:
            continue
        if match.group(0)[0].isupper() and n:
            return f"names {match.group(0)}"
        return f"says {word!r}"
    return None
