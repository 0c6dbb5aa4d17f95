"""WindowIsolationForest over multi-metric windows, and window_features."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flowdoctor.analyze.detectors import WindowIsolationForest, window_features
from flowdoctor.errors import InputError


def _metrics(n: int = 2400, seed: int = 5) -> dict[str, list[float]]:
    rng = np.random.default_rng(seed)
    latency = 0.3 + 0.05 * rng.normal(size=n)
    errors = 2.0 + rng.normal(size=n)
    latency[1200:1260] += 1.0  # one bad stretch: slow and failing together
    errors[1200:1260] += 10.0
    return {"latency": latency.tolist(), "errors": errors.tolist()}


def test_window_features_shape_and_names() -> None:
    matrix, names = window_features({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [0.0] * 5}, width=2)
    assert matrix.shape == (2, 8)
    assert names[:4] == ["a.mean", "a.std", "a.min", "a.max"]
    assert matrix[1, :4].tolist() == [3.5, 0.5, 3.0, 4.0]


def test_the_anomalous_window_scores_highest() -> None:
    matrix, _ = window_features(_metrics(), width=60)
    scores = WindowIsolationForest(seed=0).fit(matrix).score(matrix)
    assert int(np.argmax(scores)) == 20  # rows 1200..1259
    assert ((scores >= 0.0) & (scores <= 1.0)).all()
    assert scores[20] > 0.6 > float(np.median(scores))


def test_same_seed_same_scores() -> None:
    matrix, _ = window_features(_metrics(), width=30)
    first = WindowIsolationForest(seed=3).fit(matrix).score(matrix)
    second = WindowIsolationForest(seed=3).fit(matrix).score(matrix)
    assert np.array_equal(first, second)


def test_bad_input_raises_input_error() -> None:
    forest = WindowIsolationForest()
    with pytest.raises(InputError, match="fit the forest"):
        forest.score([[1.0, 2.0]])
    with pytest.raises(InputError, match="NaN"):
        forest.fit([[1.0, math.nan], [2.0, 3.0]])
    with pytest.raises(InputError, match="2-D"):
        forest.fit([1.0, 2.0, 3.0])
    forest.fit(np.arange(20.0).reshape(10, 2))
    with pytest.raises(InputError, match="columns"):
        forest.score([[1.0, 2.0, 3.0]])
    with pytest.raises(InputError, match="same number"):
        window_features({"a": [1.0, 2.0], "b": [1.0]}, width=1)
    with pytest.raises(InputError, match="width"):
        window_features({"a": [1.0]}, width=0)
