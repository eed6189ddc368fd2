"""Similarity of free text to item texts over the stored item embeddings.

Exact inner products up to ``exact_limit`` items; above it a FAISS IVF index returns the nearest
``approx_top`` items and the rest count as dissimilar (score 0).
"""

from __future__ import annotations

import numpy as np


class TextIndex:
    def __init__(self, vectors: np.ndarray, exact_limit: int = 200_000, approx_top: int = 2000):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.approx_top = approx_top
        self.index = None
        if len(self.vectors) > exact_limit:
            self.index = _ivf_index(self.vectors)

    def __len__(self) -> int:
        return len(self.vectors)

    def similarity(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of one unit query vector to every item (0 for items the index skipped)."""
        query = np.asarray(query, np.float32).reshape(1, -1)
        if self.index is None:
            return (self.vectors @ query[0]).astype(np.float32)
        sims, cols = self.index.search(query, self.approx_top)
        out = np.zeros(len(self.vectors), np.float32)
        keep = cols[0] >= 0
        out[cols[0][keep]] = np.maximum(sims[0][keep], 0)
        return out

    def mean_similarity(self, cols: np.ndarray) -> np.ndarray:
        """Similarity of every item to the centroid of the given items (for 'similar to these')."""
        centroid = self.vectors[cols].mean(axis=0)
        norm = np.linalg.norm(centroid)
        return self.similarity(centroid / norm) if norm else np.zeros(len(self), np.float32)


def _ivf_index(vectors: np.ndarray):
    import faiss

    lists = int(4 * np.sqrt(len(vectors)))
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    index.train(vectors[rng.choice(len(vectors), min(len(vectors), 40 * lists), replace=False)])
    index.add(vectors)
    index.nprobe = 16
    return index
