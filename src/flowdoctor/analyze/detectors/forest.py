"""A batch Isolation Forest over multi-metric windows (scikit-learn's ``IsolationForest``).

Rows are time windows, columns are metrics or window features (``window_features`` builds the
usual ones: mean, spread and extremes of every metric per window). Scores are the anomaly score
of Liu, Ting and Zhou (2008), ``s = 2 ** (-E[h(x)] / c(n))``, which already lies in (0, 1]: about
0.5 and below is ordinary, close to 1 is isolated quickly (scikit-learn's ``score_samples``
returns ``-s``).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> normal = rng.normal(size=(200, 3))
>>> forest = WindowIsolationForest(seed=0).fit(normal)
>>> scores = forest.score(np.vstack([normal[:5], [[8.0, -8.0, 8.0]]]))
>>> bool(scores[-1] > scores[:5].max())
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.ensemble import IsolationForest

from flowdoctor.errors import InputError

FloatMatrix = NDArray[np.float64]


def _as_matrix(windows: ArrayLike, what: str) -> FloatMatrix:
    matrix = np.asarray(windows, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise InputError(f"{what} must be a non-empty 2-D matrix, got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise InputError(f"{what} holds NaN or infinite values", field="windows")
    return matrix


def window_features(
    series: Mapping[str, Sequence[float] | NDArray[np.float64]], width: int
) -> tuple[FloatMatrix, list[str]]:
    """One row per consecutive window of ``width`` points: mean, std, min and max of each metric.

    All series must have the same length; a trailing partial window is dropped. Returns the matrix
    and its column names (``"<metric>.<feature>"``).
    """
    if width < 1:
        raise InputError(f"window width must be at least 1, got {width}", field="width")
    lengths = {len(values) for values in series.values()}
    if len(lengths) != 1:
        raise InputError("all metrics need the same number of points", field="series")
    rows = lengths.pop() // width
    if rows == 0:
        raise InputError(f"fewer points than one window of {width}", field="series")
    columns: list[FloatMatrix] = []
    names: list[str] = []
    for metric, values in sorted(series.items()):
        grid = np.asarray(values, dtype=np.float64)[: rows * width].reshape(rows, width)
        for feature, column in (
            ("mean", grid.mean(axis=1)),
            ("std", grid.std(axis=1)),
            ("min", grid.min(axis=1)),
            ("max", grid.max(axis=1)),
        ):
            columns.append(column)
            names.append(f"{metric}.{feature}")
    return _as_matrix(np.column_stack(columns), "window features"), names


class WindowIsolationForest:
    """Isolation Forest fitted on a matrix of windows; ``score`` maps rows into [0, 1]."""

    def __init__(self, *, n_estimators: int = 200, max_samples: int = 256, seed: int = 0) -> None:
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.seed = seed
        self._forest: IsolationForest | None = None
        self._columns = 0

    def fit(self, windows: ArrayLike) -> WindowIsolationForest:
        """Fit on ``windows`` (rows = time windows, columns = features); returns ``self``."""
        matrix = _as_matrix(windows, "windows")
        self._forest = IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=min(self.max_samples, matrix.shape[0]),
            random_state=self.seed,
        ).fit(matrix)
        self._columns = matrix.shape[1]
        return self

    def score(self, windows: ArrayLike) -> FloatMatrix:
        """Anomaly score of each row in [0, 1] (higher is more anomalous)."""
        if self._forest is None:
            raise InputError("fit the forest before scoring")
        matrix = _as_matrix(windows, "windows")
        if matrix.shape[1] != self._columns:
            raise InputError(
                f"expected {self._columns} columns as in fit, got {matrix.shape[1]}",
                field="windows",
            )
        scores: FloatMatrix = np.clip(-self._forest.score_samples(matrix), 0.0, 1.0)
        return scores
