"""LLM re-ranking of the recommender's candidates.

Small models write poor ranked lists and favour early positions, so each candidate is scored on its own:
the probability that the model answers "yes" to "would this viewer enjoy it?" (the shared profile prefix
is computed once thanks to the prefix cache). The final order blends the standardised LLM score with the
recommender's standardised score; ``weight`` 0 keeps the recommender's order.
"""

from __future__ import annotations

import numpy as np

from catalog import Catalog
from catalog.domain import Domain

from . import prompting
from .reasons import describe
from .llm.structured import normalise
from .state import Wishes


def profile_text(catalog: Catalog, wishes: Wishes, limit: int = 8) -> str:
    lines = []
    if wishes.liked:
        lines.append("Liked: " + "; ".join(item.label for item in catalog.items(wishes.liked[-limit:])))
    if wishes.disliked:
        lines.append("Disliked: " + "; ".join(item.label for item in catalog.items(wishes.disliked[-limit:])))
    if wishes.text:
        lines.append("Said: " + " / ".join(wishes.text[-3:]))
    return "\n".join(lines) or "Nothing known yet."


def llm_scores(llm, catalog: Catalog, domain: Domain, profile: str, request: str, item_ids: list[int]) -> np.ndarray:
    """P(yes) for each candidate, all candidates scored in one batch over the shared profile prefix."""
    conversations = [prompting.messages("rerank", domain, profile=profile, request=request,
                                        candidate=f"{item.label}, {describe(item, domain)}")
                     for item in catalog.items(item_ids)]
    answers = llm.choice_logprobs_many(conversations, ["yes", "no"])
    return np.array([normalise(a)["yes"] for a in answers], dtype=np.float64)


def blend(recommender_scores, llm_probs, weight: float) -> np.ndarray:
    """Positions into the candidate list, best first."""
    rec = _standardise(np.asarray(recommender_scores, np.float64))
    llm = _standardise(np.asarray(llm_probs, np.float64))
    total = (1 - weight) * rec + weight * llm
    return np.argsort(-total, kind="stable")


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)
