import math

import numpy as np
import pytest

from benchmarks.metrics import hit_at, mean_metrics, ndcg_at, precision_at, recall_at
from benchmarks.splits import split


def test_metrics_against_hand_computed_values():
    ranked, relevant = [1, 2, 3, 4, 5], {1, 3}
    assert precision_at(ranked, relevant, 5) == pytest.approx(0.4)
    assert recall_at(ranked, relevant, 5) == pytest.approx(1.0)
    assert ndcg_at(ranked, relevant, 5) == pytest.approx((1 + 0.5) / (1 + 1 / math.log2(3)))
    assert ndcg_at([9, 8, 7], {7}, 3) == pytest.approx(0.5)
    assert hit_at([9, 8, 7], {7}, 2) == 0.0 and hit_at([9, 8, 7], {7}, 3) == 1.0
    assert recall_at([1, 2], {2, 3, 4, 5}, 5) == pytest.approx(0.25)
    assert recall_at([1], set(), 5) == 0.0 and ndcg_at([1], set(), 5) == 0.0
    assert ndcg_at([1, 2, 3], {1, 2, 3}, 3) == pytest.approx(1.0)


def test_mean_metrics_averages_users():
    result = mean_metrics([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], [{1}, {99}])
    assert result["precision@5"] == pytest.approx(0.1)
    assert result["hr@20"] == pytest.approx(0.5)


def _interactions():
    rows = [(u, i, 5.0, 1000 * u + i) for u in range(1, 4) for i in range(1, 11)]
    return np.array(rows, dtype=[("user", np.int64), ("item", np.int64), ("rating", np.float32), ("ts", np.int64)])


def test_temporal_split_holds_out_each_users_last_fifth():
    data = _interactions()
    train, test = split(data, "temporal")
    assert test.sum() == 6
    for user in range(1, 4):
        assert sorted(data["item"][test & (data["user"] == user)].tolist()) == [9, 10]
    assert (train ^ test).all()


def test_random_split_is_seeded_and_per_user():
    data = _interactions()
    a, b = split(data, "random", seed=0)[1], split(data, "random", seed=0)[1]
    assert (a == b).all() and a.sum() == 6
    assert all((a & (data["user"] == u)).sum() == 2 for u in range(1, 4))
    assert not (a == split(data, "random", seed=3)[1]).all()
    with pytest.raises(ValueError):
        split(data, "leave-one-out")
