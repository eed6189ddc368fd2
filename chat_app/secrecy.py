"""Whether a text repeats a line of the prompts the model is given, by fuzzy measures: a copy that drops, swaps
or misspells words, or changes case, punctuation or spacing, still counts.

The secret lines are every line of the templates the model reads (the system prompt, each task's instructions
and examples), filled with the catalog's words and nothing for what a turn fills in. Not secret: the canned
replies (``refuse``, ``empty``), shown to people on purpose, and an example's answer (after ``->``), which is
what the model is asked to write like. Lines under ``MIN_WORDS`` words are not judged.

Two measures, both the share of a line that the text reproduces (case folded, markup tags and invisible
characters dropped):

* words: the most of the line's words that one stretch of the text has in the same order (gaps allowed:
  rapidfuzz's longest common subsequence over words, in windows half again as long as the line), as a share of
  the line; at least ``MIN_MATCHED`` words, so a reply that echoes three words of the user's request which an
  example request happens to share is no copy;
* letters: rapidfuzz's partial ratio of the line's letters against the text's, times the share of the line
  the matching stretch covers (so a short reply that is a piece of a long line scores low); it catches
  copies respaced or re-punctuated so that no word survives.

A line is repeated when either reaches its threshold. The thresholds were chosen on programmatic copies of every
line and on ordinary replies (tests/test_secrecy.py): every copy with one word dropped, two adjacent words
swapped or three letters changed scores 0.8 or more on one measure; the ordinary replies score at most 0.44 on
words (or echo three words) and 0.72 on letters. The real model's greeting "I'm CineBot, a friendly assistant
that recommends movies from one catalog" has 10 of the first line's 15 words (0.67) and counts as repeating it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from catalog.domain import Domain

from . import prompting

SECRET = ("system", "intro", "chat", "about", "phrase", "read_state", "rerank", "decide")
MIN_WORDS = 5
MIN_MATCHED = 4
WORDS_THRESHOLD = 0.6
LETTERS_THRESHOLD = 0.85


def words(text: str) -> list[str]:
    """Case-folded words (runs of letters and digits), without markup tags and invisible characters."""
    text = unicodedata.normalize("NFKC", re.sub(r"<[^<>]{0,40}>", " ", text)).casefold()
    return re.findall(r"[^\W_]+", text)


def words_matched(line: tuple[str, ...], text: list[str]) -> int:
    """The most of ``line``'s words one stretch of ``text`` has in order."""
    step = max(1, len(line) // 2)
    starts = range(0, max(1, len(text) - len(line) + step), step)
    return max(LCSseq.similarity(line, text[start:start + len(line) + step]) for start in starts)


def letter_share(line: str, text: str) -> float:
    """How much of ``line`` ``text`` reproduces, letter by letter (both without spaces or punctuation)."""
    if not text:
        return 0.0
    return fuzz.partial_ratio(line, text) / 100 * min(1.0, len(text) / len(line))


def repeated_lines(text: str, domain: Domain) -> list[str]:
    """The secret lines that ``text`` repeats."""
    said = words(text)
    letters = "".join(said)
    return [line for line, line_words in secret_lines(tuple(sorted(prompting.domain_words(domain).items())))
            if words_matched(line_words, said) >= max(MIN_MATCHED, WORDS_THRESHOLD * len(line_words))
            or letter_share("".join(line_words), letters) >= LETTERS_THRESHOLD]


def repeats_prompt(text: str, domain: Domain) -> bool:
    return bool(repeated_lines(text, domain))


@lru_cache(maxsize=16)
def secret_lines(domain_words: tuple[tuple[str, str], ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(line, its ``words``) for every secret line long enough to judge, for a domain's words."""
    filled, found = dict(domain_words), []
    for name in SECRET:
        template = prompting.template(name)
        text = template.format(**{v: filled.get(v, "") for v in template.input_variables})
        found += [line.split("->")[0].strip() for line in text.splitlines()]
    found += [f"Shown so far: {shown} Message: {example}" for shown, example, _ in prompting.examples("decide_examples")]
    lines = {line: tuple(words(line)) for line in found}
    return tuple((line, said) for line, said in lines.items() if len(said) >= MIN_WORDS)
