"""Robust anomaly scores of one series against its normal reference (median / MAD)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowdoctor.analyze.rootcause.model import FloatArray, MetricSeries
from flowdoctor.analyze.rootcause.params import RankingParams

MAD_TO_SIGMA = 1.4826  # makes the MAD estimate the standard deviation under normal noise


@dataclass(frozen=True)
class MetricAnomaly:
    """How far one metric of one node moved, in robust z units, and when.

    ``scores`` are signed by badness (positive = the bad direction), NaN where a sample is missing.
    ``onset`` is the first index at or above the threshold given to :func:`measure`, None if the
    scores never got there.
    """

    node: str
    metric: str
    scores: FloatArray
    peak: float
    peak_index: int | None
    onset: int | None
    center: float
    scale: float
    rose: bool = True


def robust_scores(
    series: MetricSeries, reference: FloatArray, params: RankingParams
) -> tuple[FloatArray, float, float]:
    """Signed robust z per sample of ``series.values`` against ``reference``.

    Returns ``(scores, center, scale)``. Scores are oriented so that positive means the bad
    direction (``direction`` -1 flips them; 0 takes the absolute value).

    >>> s = MetricSeries(values=np.array([1.0, 1.0, 3.0]), direction=1)
    >>> z, center, scale = robust_scores(s, np.array([1.0, 1.1, 0.9, 1.0]), RankingParams())
    >>> round(float(z[2]), 1), center
    (27.0, 1.0)
    """
    normal = reference[np.isfinite(reference)]
    if normal.size == 0:
        return np.full(len(series.values), np.nan), float("nan"), float("nan")
    center = float(np.median(normal))
    mad = float(np.median(np.abs(normal - center))) * MAD_TO_SIGMA
    scale = max(mad, params.min_relative_scale * abs(center), series.min_scale, 1e-12)
    deviation = (series.values - center) / scale
    if series.direction > 0:
        return deviation, center, scale
    if series.direction < 0:
        return -deviation, center, scale
    return np.abs(deviation), center, scale


def measure(
    node: str,
    metric: str,
    series: MetricSeries,
    baseline_end: int,
    params: RankingParams,
    threshold: float,
) -> MetricAnomaly:
    """Score ``series`` and summarise its peak and onset (see :class:`MetricAnomaly`)."""
    reference = series.reference if series.reference is not None else series.values[:baseline_end]
    scores, center, scale = robust_scores(series, reference, params)
    if series.reference is not None and params.local_baseline:
        scores = _against_local_level(series, scores, center, scale, baseline_end)
    finite = np.isfinite(scores)
    if not finite.any():
        return MetricAnomaly(node, metric, scores, 0.0, None, None, center, scale)
    peak_index = int(np.nanargmax(scores))
    rose = bool(series.values[peak_index] >= center)
    above = np.flatnonzero(finite & (scores >= threshold))
    return MetricAnomaly(
        node=node,
        metric=metric,
        scores=scores,
        peak=max(0.0, float(scores[peak_index])),
        peak_index=peak_index,
        onset=int(above[0]) if above.size else None,
        center=center,
        scale=scale,
        rose=rose,
    )


def _against_local_level(
    series: MetricSeries, scores: FloatArray, center: float, scale: float, baseline_end: int
) -> FloatArray:
    # A reference from another period can sit at another level (traffic, deploys since); a
    # sample must then also stand out from the series' own level before the incident, on the
    # reference's noise scale, to count.
    local = series.values[:baseline_end]
    local = local[np.isfinite(local)]
    if local.size == 0:
        return scores
    shifted = MetricSeries(series.values - float(np.median(local)) + center, None, series.direction)
    local_scores = (shifted.values - center) / scale
    if series.direction < 0:
        local_scores = -local_scores
    elif series.direction == 0:
        local_scores = np.abs(local_scores)
    return np.fmin(scores, local_scores)


def correlation(left: FloatArray, right: FloatArray) -> float | None:
    """Pearson correlation over the samples both have; None when under 3 or one is flat."""
    both = np.isfinite(left) & np.isfinite(right)
    if both.sum() < 3:
        return None
    a, b = left[both], right[both]
    if float(np.std(a)) == 0.0 or float(np.std(b)) == 0.0:
        return None
    return float(np.corrcoef(a, b)[0, 1])
