"""The NAB v1.1 scorer: window-weighted detection scores, normalisation and the threshold sweep.

Written from the scoring rules in ``benchmarks/README.md`` (section ``nab/``), not from NAB's code:

1. label windows become inclusive row ranges ``[L, R]`` (width ``W = R - L + 1``) by timestamp;
2. the first ``min(floor(0.15 N), 750)`` rows of a file (probation) are never scored;
3. ``sig(x) = 2 / (1 + exp(5x)) - 1``, and ``-1`` for ``x > 3``;
4. a row inside a window weighs ``A_TP * sig(-(R - i + 1) / W) / sig(-1)`` (1 at the window's first
   row, falling towards its end); outside, ``-A_FP`` until a window has ended and then
   ``A_FP * sig(|i - R'| / (W' - 1))`` after the last ended window ``[L', R']``;
5. at threshold ``theta`` a row with score ``>= theta`` is a detection; a file scores, per window,
   the best (earliest) detection's weight or ``-A_FN``, plus the weights of outside detections;
6. one threshold per detector and profile, chosen for the whole corpus (``best_threshold``);
7. ``normalised = 100 (S - S_null) / (S_perfect - S_null)`` with ``S_perfect = A_TP * windows``
   and ``S_null = -A_FN * windows``.

Everything is pure and vectorised: the sweep evaluates every distinct score as a threshold at once.

>>> profile = CostProfile(a_tp=1.0, a_fn=1.0, a_fp=0.11)
>>> normalise(-116.0, n_windows=116, profile=profile)
0.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

PROBATION_FRACTION = 0.15
PROBATION_MAX_ROWS = 750
OUTSIDE = -1
"""``window_id`` of a row that lies in no window."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Window = tuple[np.datetime64, np.datetime64]


@dataclass(frozen=True)
class CostProfile:
    """Weights of a true positive, a missed window and a false positive (NAB ``CostMatrix``)."""

    a_tp: float
    a_fn: float
    a_fp: float


@dataclass(frozen=True)
class NabSeries:
    """One data file: its row timestamps, the detector's score per row and its label windows."""

    name: str
    timestamps: NDArray[np.datetime64]
    scores: FloatArray
    windows: tuple[Window, ...]


@dataclass(frozen=True)
class CorpusScore:
    """The result of scoring a corpus at one threshold."""

    threshold: float
    raw: float
    normalised: float
    per_file: dict[str, float]


@dataclass(frozen=True)
class RowWeights:
    """Per-row weights of one file under one profile; probation rows are dropped already."""

    scores: FloatArray
    weights: FloatArray
    window_id: IntArray
    n_windows: int


def probation_rows(n_rows: int) -> int:
    """How many leading rows are left out of scoring (rule 2).

    >>> probation_rows(4032), probation_rows(22695)
    (604, 750)
    """
    return min(math.floor(PROBATION_FRACTION * n_rows), PROBATION_MAX_ROWS)


def scaled_sigmoid(x: FloatArray) -> FloatArray:
    """NAB's sigmoid in [-1, 1]: ``2 / (1 + exp(5x)) - 1``, and exactly -1 beyond ``x = 3``."""
    with np.errstate(over="ignore"):
        y = 2.0 / (1.0 + np.exp(5.0 * x)) - 1.0
    return np.where(x > 3.0, -1.0, y)


def window_rows(
    timestamps: NDArray[np.datetime64], windows: Sequence[Window]
) -> list[tuple[int, int]]:
    """Inclusive row ranges ``(L, R)`` of the windows: first row at or after the start, last at or
    before the end (rule 1; NAB's windows fall on row timestamps, so this is an exact match).

    ``timestamps`` must be ascending and ``windows`` in time order, as in NAB's files.
    """
    bounds = []
    for start, end in windows:
        left = int(np.searchsorted(timestamps, start, side="left"))
        right = int(np.searchsorted(timestamps, end, side="right")) - 1
        bounds.append((left, right))
    return bounds


def row_weights(series: NabSeries, profile: CostProfile) -> RowWeights:
    """Weight every scored row as if it were a detection (rules 2-4)."""
    n = len(series.scores)
    index = np.arange(n, dtype=np.float64)
    weights = np.full(n, -profile.a_fp)
    window_id = np.full(n, OUTSIDE, dtype=np.int64)
    bounds = window_rows(series.timestamps, series.windows)
    tp_scale = profile.a_tp / float(scaled_sigmoid(np.array([-1.0]))[0])
    for k, (left, right) in enumerate(bounds):
        width = right - left + 1
        inside = slice(left, right + 1)
        weights[inside] = tp_scale * scaled_sigmoid(-(right - index[inside] + 1.0) / width)
        window_id[inside] = k
        # Rows after this window, up to the next one, are scored by their distance from it.
        following_left = bounds[k + 1][0] if k + 1 < len(bounds) else n
        after = slice(right + 1, following_left)
        if width > 1:
            distance = (index[after] - right) / (width - 1)
        else:  # |i - R'| / 0: infinitely far, a full false positive
            distance = np.full_like(index[after], np.inf)
        weights[after] = profile.a_fp * scaled_sigmoid(distance)
    start = probation_rows(n)
    return RowWeights(
        scores=np.asarray(series.scores[start:], dtype=np.float64),
        weights=weights[start:],
        window_id=window_id[start:],
        n_windows=len(bounds),
    )


def score_file(rows: RowWeights, profile: CostProfile, threshold: float) -> float:
    """A file's raw score at ``threshold`` (rule 5)."""
    detected = rows.scores >= threshold
    outside = detected & (rows.window_id == OUTSIDE)
    total = float(rows.weights[outside].sum())
    for k in range(rows.n_windows):
        hits = rows.weights[detected & (rows.window_id == k)]
        total += float(hits.max()) if hits.size else -profile.a_fn
    return total


def normalise(raw: float, *, n_windows: int, profile: CostProfile) -> float:
    """Map a raw corpus score to 0 (the null detector) .. 100 (the perfect detector) (rule 7)."""
    perfect = profile.a_tp * n_windows
    null = -profile.a_fn * n_windows
    return 100.0 * (raw - null) / (perfect - null)


def score_corpus(
    corpus: Sequence[NabSeries], profile: CostProfile, threshold: float
) -> CorpusScore:
    """Raw and normalised score of a detector over the corpus at one threshold."""
    per_file = {s.name: score_file(row_weights(s, profile), profile, threshold) for s in corpus}
    raw = sum(per_file.values())
    n_windows = sum(len(s.windows) for s in corpus)
    return CorpusScore(
        threshold=threshold,
        raw=raw,
        normalised=normalise(raw, n_windows=n_windows, profile=profile),
        per_file=per_file,
    )


def _score_changes(rows: RowWeights, a_fn: float) -> tuple[FloatArray, FloatArray]:
    """``(score, change)`` pairs: lowering the threshold to ``score`` adds ``change`` to the file.

    A detection outside windows adds its weight. Inside a window only an improvement of the
    window's best detection counts; the first detection replaces ``-A_FN`` by its weight.
    """
    outside = rows.window_id == OUTSIDE
    scores = [rows.scores[outside]]
    changes = [rows.weights[outside]]
    for k in range(rows.n_windows):
        in_window = rows.window_id == k
        order = np.argsort(-rows.scores[in_window], kind="stable")
        best = np.maximum.accumulate(rows.weights[in_window][order])
        scores.append(rows.scores[in_window][order])
        changes.append(np.diff(best, prepend=-a_fn))
    return np.concatenate(scores), np.concatenate(changes)


def sweep(corpus: Sequence[NabSeries], profile: CostProfile) -> tuple[FloatArray, FloatArray]:
    """Raw corpus score at every distinct score taken as the threshold, thresholds descending.

    The first entry is a threshold above every score (no detections: ``-A_FN`` per window).
    Sorting all rows once by score and summing the changes gives every threshold's score.
    """
    parts = []
    n_windows = 0
    for series in corpus:
        rows = row_weights(series, profile)
        parts.append(_score_changes(rows, profile.a_fn))
        n_windows += rows.n_windows
    scores = np.concatenate([p[0] for p in parts])
    changes = np.concatenate([p[1] for p in parts])
    order = np.argsort(-scores, kind="stable")
    scores, totals = scores[order], np.cumsum(changes[order])
    # A threshold admits every row with an equal score: keep the last row of each tie group.
    last_of_group = np.append(scores[1:] != scores[:-1], True)
    thresholds = np.concatenate(([np.inf], scores[last_of_group]))
    raw = -profile.a_fn * n_windows + np.concatenate(([0.0], totals[last_of_group]))
    return thresholds, raw


def best_threshold(corpus: Sequence[NabSeries], profile: CostProfile) -> CorpusScore:
    """The single corpus-wide threshold that maximises the raw score (rule 6), fully scored.

    Ties go to the highest such threshold (the fewest detections).
    """
    thresholds, raw = sweep(corpus, profile)
    best = int(np.argmax(raw))
    threshold = float(thresholds[best])
    return score_corpus(corpus, profile, threshold)
