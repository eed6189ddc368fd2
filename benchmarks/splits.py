"""Per-user hold-out splits of the interactions, seeded so the benchmark repeats."""

from __future__ import annotations

import numpy as np

HOLDOUT = 0.2


def split(interactions: np.ndarray, protocol: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Boolean train and test masks over ``interactions`` (fields user, item, rating, ts).

    ``random``: for each user, 20% of their ratings drawn at random are held out.
    ``temporal``: for each user, their last 20% of ratings by timestamp are held out.
    """
    if protocol not in ("random", "temporal"):
        raise ValueError(f"unknown protocol {protocol!r}: use 'random' or 'temporal'")
    rng = np.random.default_rng(seed)
    test = np.zeros(len(interactions), dtype=bool)
    order = np.lexsort((interactions["item"], interactions["ts"], interactions["user"]))
    users = interactions["user"][order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    for start, end in zip(starts, np.r_[starts[1:], len(order)]):
        rows = order[start:end]
        n_test = int(round(HOLDOUT * len(rows)))
        if n_test == 0:
            continue
        held = rng.choice(rows, n_test, replace=False) if protocol == "random" else rows[-n_test:]
        test[held] = True
    return ~test, test
