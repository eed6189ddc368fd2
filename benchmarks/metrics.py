"""Top-k ranking metrics with binary relevance. Each takes a ranked list of ids and a set of relevant ids."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def precision_at(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    return sum(1 for i in ranked[:k] if i in relevant) / k


def recall_at(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    return sum(1 for i in ranked[:k] if i in relevant) / len(relevant) if relevant else 0.0


def hit_at(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    return float(any(i in relevant for i in ranked[:k]))


def ndcg_at(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = sum(discounts[n] for n, i in enumerate(ranked[:k]) if i in relevant)
    ideal = discounts[: min(len(relevant), k)].sum()
    return float(dcg / ideal) if ideal else 0.0


METRICS = {
    "precision@5": lambda r, rel: precision_at(r, rel, 5),
    "recall@5": lambda r, rel: recall_at(r, rel, 5),
    "ndcg@5": lambda r, rel: ndcg_at(r, rel, 5),
    "ndcg@10": lambda r, rel: ndcg_at(r, rel, 10),
    "ndcg@20": lambda r, rel: ndcg_at(r, rel, 20),
    "hr@20": lambda r, rel: hit_at(r, rel, 20),
}


def mean_metrics(rankings: Sequence[Sequence[int]], relevants: Sequence[set[int]]) -> dict[str, float]:
    """Averages of every metric in ``METRICS`` over users (pairs of ranking and relevant set)."""
    return {name: float(np.mean([fn(r, rel) for r, rel in zip(rankings, relevants)])) for name, fn in METRICS.items()}
