"""Features of short texts for the reader's learned classifiers: hashed word n-grams (they keep "have seen" apart
from "haven't seen", which sentence embeddings blur), beside the MiniLM vector where an encoder is given.

Hashing needs no vocabulary, so a model trained elsewhere (``python -m benchmarks.train_reader``) is only its
weights; the same function makes its features at training time and at run time."""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

N_FEATURES = 2**15
_VECTORIZER = HashingVectorizer(n_features=N_FEATURES, ngram_range=(1, 3), alternate_sign=False, norm="l2",
                                token_pattern=r"(?u)\b\w+\b|[?!]", lowercase=True)


def normalized(text: str) -> str:
    """Lower case with curly quotes and "n't" written alike ("didn’t", "didnt" and "did not" are one n-gram)."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"\b(\w+)n'?t\b", r"\1 not", text)
    return re.sub(r"\b(ca|wo) not\b", lambda m: {"ca": "can", "wo": "will"}[m[1]] + " not", text)


def ngrams(texts: list[str]) -> sparse.csr_matrix:
    return _VECTORIZER.transform([normalized(t) for t in texts])


def features(texts: list[str], encoder=None, extra: np.ndarray | None = None) -> sparse.csr_matrix:
    """Hashed n-grams, then the encoder's vectors (if an encoder is given), then ``extra`` columns."""
    blocks = [ngrams(texts)]
    if encoder is not None:
        blocks.append(sparse.csr_matrix(np.asarray(encoder.encode(list(texts)), dtype=np.float32)))
    if extra is not None:
        blocks.append(sparse.csr_matrix(np.asarray(extra, dtype=np.float32)))
    return sparse.hstack(blocks, format="csr")
