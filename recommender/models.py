"""Collaborative models trained on the binary user x item matrix.

Default hyperparameters were chosen by ``python -m recommender tune`` (a validation split carved out of
the training part, never the test part).

Every model scores a batch of history vectors (rows over items, +1 for a liked or seen item, negative for
a disliked one) and says how much each history item supports a candidate (``affinity``), which is what
the explanations quote. Weights are plain arrays saved with ``np.savez``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from catalog.files import save_npz


class Model:
    name = "base"
    arrays: tuple[str, ...] = ()

    def __init__(self, **params):
        self.params = params

    def fit(self, matrix: sp.csr_matrix) -> "Model":
        raise NotImplementedError

    def score(self, histories) -> np.ndarray:
        """Scores over all items for each history row (dense or sparse, n x items)."""
        raise NotImplementedError

    def affinity(self, history_cols: np.ndarray, candidate_cols: np.ndarray) -> np.ndarray:
        """len(history) x len(candidates): how strongly each history item supports each candidate."""
        return np.zeros((len(history_cols), len(candidate_cols)), np.float32)

    def save(self, path: Path, fingerprint: str) -> None:
        save_npz(path, name=self.name, fingerprint=fingerprint, **{a: getattr(self, a) for a in self.arrays})

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> "Model | None":
        """The saved model if it was trained on the same data, else None."""
        if not Path(path).exists():
            return None
        with np.load(path) as saved:
            if str(saved["name"]) != cls.name or str(saved["fingerprint"]) != fingerprint:
                return None
            model = cls()
            for a in cls.arrays:
                setattr(model, a, saved[a])
        return model


class Popularity(Model):
    name = "popularity"
    arrays = ("counts",)

    def fit(self, matrix):
        self.counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.float32)
        return self

    def score(self, histories):
        return np.broadcast_to(self.counts, (histories.shape[0], len(self.counts))).copy()


class _ItemItem(Model):
    """Models whose scores are ``histories @ weights`` with an item x item weight matrix."""

    arrays = ("weights",)

    def score(self, histories):
        return np.asarray(histories @ self.weights, dtype=np.float32)

    def affinity(self, history_cols, candidate_cols):
        return self.weights[np.ix_(history_cols, candidate_cols)]


class ItemKNN(_ItemItem):
    """Cosine item-item similarity, each item keeping its ``neighbours`` most similar items."""

    name = "itemknn"

    def fit(self, matrix):
        neighbours = self.params.get("neighbours", 200)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
        norms[norms == 0] = 1.0
        normed = matrix @ sp.diags(1.0 / norms)
        sim = (normed.T @ normed).toarray().astype(np.float32)
        np.fill_diagonal(sim, 0.0)
        if neighbours < sim.shape[0]:
            cutoff = -np.partition(-sim, neighbours - 1, axis=0)[neighbours - 1]
            sim[sim < cutoff[None, :]] = 0.0
        self.weights = sim
        return self


class EASE(_ItemItem):
    """Embarrassingly Shallow Autoencoder (Steck, 2019): a closed-form item-item linear model."""

    name = "ease"

    def fit(self, matrix):
        gram = (matrix.T @ matrix).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += self.params.get("l2", 500.0)
        inverse = np.linalg.inv(gram)
        weights = -inverse / np.diag(inverse)[None, :]
        np.fill_diagonal(weights, 0.0)
        self.weights = weights.astype(np.float32)
        return self


class PureSVD(Model):
    """Truncated SVD of the interaction matrix; item factors make it cheap at any catalog size."""

    name = "svd"
    arrays = ("factors",)

    def fit(self, matrix):
        rank = min(self.params.get("rank", 20), min(matrix.shape) - 1)
        _, _, vt = svds(matrix.astype(np.float64), k=rank, random_state=0)
        self.factors = np.ascontiguousarray(vt.T, dtype=np.float32)
        return self

    def score(self, histories):
        return np.asarray((histories @ self.factors) @ self.factors.T, dtype=np.float32)

    def affinity(self, history_cols, candidate_cols):
        return self.factors[history_cols] @ self.factors[candidate_cols].T


MODELS: dict[str, type[Model]] = {m.name: m for m in (Popularity, ItemKNN, EASE, PureSVD)}


def make_model(name: str, **params) -> Model:
    if name not in MODELS:
        raise ValueError(f"unknown recommender model {name!r}: choose one of {', '.join(MODELS)}")
    return MODELS[name](**params)
