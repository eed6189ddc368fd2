"""``Recommender.recommend``: one entry point that blends the collaborative model, text retrieval,
session feedback and the request's filters into a ranked list of real catalog items.

Scores are blended as weighted sums of min-max normalised components over the eligible items:
the user's history (plus session likes, minus dislikes) through the model, similarity to "like these"
items, similarity of the free-text query, and a small popularity prior that decides cold starts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from catalog import Catalog
from catalog.embeddings import Encoder, default_encoder, item_embeddings

from .data import InteractionMatrix, ItemTable
from .models import MODELS, Model, make_model
from .query import MAX_K, Candidate, Query, Recommendation
from .text_index import TextIndex

LIKE_WEIGHT, DISLIKE_WEIGHT = 2.0, -2.0
BLEND = {"history": 1.0, "similar": 1.5, "query": 1.0, "preferred": 0.5, "prior": 0.1}


class RecommenderError(ValueError):
    """A request the recommender cannot serve, worded for the caller."""


class Recommender:
    def __init__(self, items: ItemTable, model: Model, interactions: InteractionMatrix,
                 text: TextIndex | None = None, encoder: Encoder | None = None):
        self.items, self.model, self.interactions = items, model, interactions
        self.text, self._encoder = text, encoder
        self._log_pop = np.log1p(items.popularity)

    @classmethod
    def for_catalog(cls, catalog: Catalog, model_name: str = "ease", encoder: Encoder | None = None,
                    with_text: bool = True) -> "Recommender":
        """Train (or reload the saved) model beside the database and load the item embeddings."""
        if model_name not in MODELS:
            raise RecommenderError(f"unknown recommender model {model_name!r}: choose one of {', '.join(MODELS)}")
        items = ItemTable.from_catalog(catalog)
        interactions = InteractionMatrix.build(catalog.interactions(), items)
        model = trained_model(model_name, interactions, catalog.path.with_suffix(f".{model_name}.npz"))
        text = TextIndex(item_embeddings(catalog, encoder)[1]) if with_text else None
        return cls(items, model, interactions, text, encoder)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = default_encoder()
        return self._encoder

    def recommend(self, query: Query) -> Recommendation:
        """The top ``query.k`` eligible items, best first."""
        k = query.k
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise RecommenderError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
        result = Recommendation([])
        weights = np.zeros(len(self.items), np.float32)
        seen = np.zeros(len(self.items), bool)
        if query.user_id is not None:
            row = self.interactions.row(int(query.user_id))
            if row is None:
                result.new_user = True
                result.notes.append(f"user {query.user_id} is not in the catalog: treated as a new user")
            else:
                weights[self.interactions.matrix[row].indices] = 1.0
                seen[self.interactions.seen[row].indices] = True
        weights[self._known(query.history, result)] = 1.0
        weights[self._known(query.liked, result)] = LIKE_WEIGHT
        weights[self._known(query.disliked, result)] = DISLIKE_WEIGHT
        similar = self._known(query.similar_to, result)

        eligible = self._filter_mask(query, result)
        eligible &= ~seen & (weights == 0)
        eligible[similar] = False
        eligible[self._known(query.exclude, result)] = False
        if not eligible.any():
            if not result.notes or "no item" not in result.notes[-1]:
                result.notes.append(f"no item is left that matches {query.describe()} "
                                    "and has not been seen, shown or disliked")
            return result

        cols = np.flatnonzero(eligible)
        components = []
        if weights.any():
            components.append(("history", self.model.score(weights[None, :])[0][cols]))
        if len(similar):
            score = _minmax(self.model.score(_indicator(len(self.items), similar)[None, :])[0][cols])
            if self.text is not None:
                score += _minmax(self.text.mean_similarity(similar)[cols])
            components.append(("similar", score))
        text = (query.text or "").strip()
        if text and self.text is not None:
            components.append(("query", self.text.similarity(self.encoder.encode([text])[0])[cols]))
        if query.prefer_genres:
            preferred = self.items.genre_bits[cols] & self.items.genre_mask(query.prefer_genres)
            components.append(("preferred", (preferred != 0).astype(np.float32)))
        components.append(("prior", self._log_pop[cols]))
        total = sum(BLEND[name] * _minmax(score) for name, score in components)
        if not weights.any() and not len(similar) and not text:
            result.notes.append("no history, likes or query: ranked by popularity")

        best = np.argpartition(-total, k - 1)[:k] if len(cols) > k else np.arange(len(cols))
        best = best[np.argsort(-total[best], kind="stable")]
        top = cols[best]
        support = np.flatnonzero(weights > 0)
        support = np.union1d(support, similar) if len(similar) else support
        because = self._because(support, weights, top)
        result.candidates = [Candidate(int(self.items.ids[c]), float(t), tuple(b))
                             for c, t, b in zip(top, total[best], because)]
        if len(result.candidates) < k:
            filters = query.describe()
            result.notes.append(f"only {len(result.candidates)} items match {filters}" if filters != "no filters" else
                                f"only {len(result.candidates)} items left to suggest")
        return result

    def supporting_items(self, support_ids, item_id: int) -> list[int]:
        """The given items (a user's likes) that most support ``item_id``, strongest first, up to three."""
        support, target = self.items.columns(support_ids), self.items.columns([item_id])
        if not len(target):
            return []
        return self._because(support, np.ones(len(self.items), np.float32), target)[0]

    # --- helpers -------------------------------------------------------------------------------
    def _known(self, item_ids, result: Recommendation) -> np.ndarray:
        ids = [int(i) for i in item_ids]
        cols = self.items.columns(ids)
        unknown = sorted(set(ids) - set(self.items.ids[cols].tolist()))
        if unknown:
            result.skipped_ids.extend(unknown)
            result.notes.append(f"skipped unknown item ids: {', '.join(map(str, unknown))}")
        return cols

    def _filter_mask(self, filters: Query, result: Recommendation) -> np.ndarray:
        mask = self.items.recommendable.copy()
        known = {g.lower() for g in self.items.genre_names}
        unknown = [g for g in filters.genres + filters.require_genres + filters.prefer_genres + filters.exclude_genres
                   if g.lower() not in known]
        if unknown:
            result.notes.append(f"unknown genre {', '.join(unknown)} (known: {', '.join(self.items.genre_names)})")
        if filters.genres:
            mask &= (self.items.genre_bits & self.items.genre_mask(filters.genres)) != 0
        if filters.require_genres:
            required = self.items.genre_mask(filters.require_genres)
            mask &= (self.items.genre_bits & required) == required
        if filters.exclude_genres:
            mask &= (self.items.genre_bits & self.items.genre_mask(filters.exclude_genres)) == 0
        if filters.year_min is not None:
            mask &= self.items.years >= filters.year_min
        if filters.year_max is not None:
            mask &= (self.items.years <= filters.year_max) & (self.items.years > 0)
        if not mask.any():
            result.notes.append(f"no item in the catalog matches {filters.describe()}")
        return mask

    def _because(self, support: np.ndarray, weights: np.ndarray, top: np.ndarray) -> list[list[int]]:
        """Up to three supporting items per candidate: model affinity, else text similarity."""
        if not len(support) or not len(top):
            return [[] for _ in top]
        strength = self.model.affinity(support, top) * np.maximum(weights[support], 1.0)[:, None]
        if not strength.any() and self.text is not None:
            strength = self.text.vectors[support] @ self.text.vectors[top].T
        out = []
        for column in strength.T:
            order = np.argsort(-column)[:3]
            out.append([int(self.items.ids[support[n]]) for n in order if column[n] > 0])
        return out


def trained_model(name: str, interactions: InteractionMatrix, path: Path) -> Model:
    """The model saved at ``path`` if it was trained on these interactions; else train and save it."""
    fingerprint = interactions.fingerprint()
    model = MODELS[name].load(path, fingerprint)
    if model is None:
        model = make_model(name).fit(interactions.matrix)
        model.save(path, fingerprint)
    return model


def _indicator(n: int, cols: np.ndarray) -> np.ndarray:
    out = np.zeros(n, np.float32)
    out[cols] = 1.0
    return out


def _minmax(score: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] (a constant component contributes 0)."""
    low, high = float(score.min()), float(score.max())
    return (score - low) / (high - low) if high > low else np.zeros_like(score)
