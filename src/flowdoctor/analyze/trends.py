"""Monotone trends in a metric series: Mann-Kendall test and Theil-Sen slope.

``detect_trend`` answers "is this metric drifting, and how fast?" for one series over a window:

- the Mann-Kendall statistic is Kendall's tau between the time index and the values
  (``scipy.stats.kendalltau``, O(n log n), ties handled by tau-b);
- metrics are autocorrelated (a latency that is high now is high a minute later), which inflates
  the variance of the statistic; left alone, AR(1) noise with phi = 0.6 would be called a trend in
  about a third of windows. The z score is therefore divided by the square root of a variance
  inflation factor from the autocorrelation of the detrended series: the larger of Yue and Wang's
  (2004) AR(1) factor from the lag-1 autocorrelation, and the sum 1 + 2 sum_k (1 - k/n) rho_k over
  the lags up to the first one indistinguishable from zero (a mix of a slow and a fast process,
  which the lag-1 value understates);
- the slope is Theil-Sen's median of pairwise slopes: exact for short windows, and for long ones
  the median of a fixed-seed random sample of pairs (all pairs is O(n^2) memory; 10,000 points
  would be 50 million of them), which keeps the answer reproducible.

``trend_finding`` turns a significant ``Trend`` into a ``metric_trend`` finding. NaN values are
dropped with their timestamps before anything else; a window with fewer than ``min_points`` left
gives no trend at all (None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np
from scipy import fft, stats

from flowdoctor.analyze.series import (
    FloatArray,
    TimesLike,
    check_times,
    check_values,
    datetime_to_ns,
    format_level,
    metric_spec,
    remove_season,
)
from flowdoctor.domain import DiagnosticFinding, Stage
from flowdoctor.errors import InputError

EXACT_SLOPE_POINTS = 600
"""Up to this many points the Theil-Sen slope uses every pair (about 180,000)."""
SAMPLED_PAIRS = 100_000
"""Pairs drawn for the Theil-Sen slope of longer windows. At 10,000 points the sampled median
varies by about 1% of a weak trend's slope between seeds, half the estimator's own error."""
_SEED = 20261124
_DAY_S = 86_400.0


class TrendDirection(StrEnum):
    """Which way a series is moving; ``FLAT`` when the test finds no trend."""

    RISING = "rising"
    FALLING = "falling"
    FLAT = "flat"


@dataclass(frozen=True, slots=True)
class Trend:
    """The trend of one series over a window.

    ``slope_per_day`` is in the series' units per day; ``relative_slope_per_day`` divides it by
    the absolute median level (None when that level is 0). ``direction`` is ``FLAT`` unless the
    trend is ``significant`` (autocorrelation-adjusted p below ``alpha``).
    """

    direction: TrendDirection
    slope_per_day: float
    relative_slope_per_day: float | None
    level: float
    p_value: float
    significant: bool
    start: datetime
    end: datetime
    n: int
    tau: float
    autocorrelation: float
    """Lag-1 autocorrelation of the detrended series."""
    variance_inflation: float
    """How much autocorrelation widened the variance of the test statistic (1: not at all)."""

    @property
    def span_days(self) -> float:
        """Length of the window in days."""
        return (self.end - self.start).total_seconds() / _DAY_S


def detect_trend(
    values: object,
    timestamps: TimesLike,
    *,
    start: datetime | np.datetime64 | None = None,
    end: datetime | np.datetime64 | None = None,
    alpha: float = 0.05,
    min_points: int = 10,
    season: timedelta | None = None,
) -> Trend | None:
    """The Mann-Kendall trend with Theil-Sen slope of ``values`` between ``start`` and ``end``.

    NaN values are dropped (with their timestamps); None when fewer than ``min_points`` remain.
    Mann-Kendall reads a daily cycle over a few days as a trend: pass ``season`` (e.g. one day)
    to remove the cycle's average profile first (``series.remove_season``).
    Raises ``InputError`` for infinite or non-numeric values, timestamps that are not increasing
    datetimes or do not match the values in number, and an ``alpha`` outside (0, 1).

    >>> days = np.arange("2026-11-01", "2026-11-21", dtype="datetime64[D]")
    >>> trend = detect_trend(np.arange(20) * 2.0 + 10, days)
    >>> trend.direction.value, round(trend.slope_per_day, 3), trend.p_value < 0.001
    ('rising', 2.0, True)
    """
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}", field="alpha")
    y = check_values(values, allow_nan=True)
    timeline = check_times(timestamps, y.size)
    keep = ~np.isnan(y)
    if start is not None:
        keep &= timeline.ns >= datetime_to_ns(start)
    if end is not None:
        keep &= timeline.ns <= datetime_to_ns(end)
    y, timeline = y[keep], timeline.take(keep)
    n = int(y.size)
    if n < max(min_points, 3):
        return None
    if season is not None:
        y = remove_season(y, timeline, season)
    # Seconds from the window start keep float precision (ns since 1970 would not).
    t = (timeline.ns - timeline.ns[0]).astype(np.float64) / 1e9
    level = float(np.median(y))
    slope, tau, z, rho = 0.0, 0.0, 0.0, 0.0
    if np.ptp(y) > 0.0:  # a constant series has no trend and no defined tau
        slope = theil_sen_slope(t, y)
        tau, z = _kendall_z(t, y)
        rho, inflation = _autocorrelation(y - slope * t)
    else:
        inflation = 1.0
    p_value = float(2.0 * stats.norm.sf(abs(z) / math.sqrt(inflation)))
    significant = p_value < alpha and slope != 0.0
    direction = TrendDirection.FLAT
    if significant:
        direction = TrendDirection.RISING if slope > 0 else TrendDirection.FALLING
    per_day = slope * _DAY_S
    return Trend(
        direction=direction,
        slope_per_day=per_day,
        relative_slope_per_day=per_day / abs(level) if level else None,
        level=level,
        p_value=p_value,
        significant=significant,
        start=timeline.at(0),
        end=timeline.at(n - 1),
        n=n,
        tau=tau,
        autocorrelation=rho,
        variance_inflation=inflation,
    )


def theil_sen_slope(t: FloatArray, y: FloatArray) -> float:
    """Median of the pairwise slopes; a fixed-seed sample of pairs for long series.

    >>> theil_sen_slope(np.arange(5.0), np.array([0.0, 1.0, 2.0, 30.0, 4.0]))
    1.0
    """
    n = t.size
    if n <= EXACT_SLOPE_POINTS:
        i, j = np.triu_indices(n, k=1)
    else:
        rng = np.random.default_rng(_SEED)
        i = rng.integers(0, n, SAMPLED_PAIRS)
        j = rng.integers(0, n - 1, SAMPLED_PAIRS)
        j += j >= i  # a second index uniform over the others: never a pair with itself
    return float(np.median((y[j] - y[i]) / (t[j] - t[i])))


def trend_finding(trend: Trend, metric: str) -> DiagnosticFinding | None:
    """A ``metric_trend`` finding for a significant trend of ``metric``; None otherwise.

    Confidence grows with the significance (-log10 p) and with the size of the change over the
    window against the series' level, from 0.3 up to 0.95.
    """
    if not trend.significant:
        return None
    rate, unit = _rate_text(trend)
    since = trend.start.strftime("%a %Y-%m-%d")
    text = (
        f"{metric} {trend.direction.value} {rate}/{unit} since {since} "
        f"(Mann-Kendall p{_p_text(trend.p_value)}, n={trend.n:,})"
    )
    evidence = (
        f"Theil-Sen slope: {trend.slope_per_day:+.4g} per day",
        f"Kendall tau: {trend.tau:+.3f}",
        f"median level: {format_level(trend.level, metric)}",
        f"window: {trend.start:%Y-%m-%d %H:%M} to {trend.end:%Y-%m-%d %H:%M}",
        f"lag-1 autocorrelation {trend.autocorrelation:.2f}: "
        f"test variance widened x{trend.variance_inflation:.2f}",
    )
    spec = metric_spec(metric)
    return DiagnosticFinding(
        kind="metric_trend",
        description=text,
        confidence=round(_confidence(trend), 4),
        stage=Stage.ANALYSIS,
        subject=metric,
        category=spec.category if spec else None,
        evidence=evidence,
    )


def _kendall_z(t: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Kendall's tau-b and its normal score, taken back from scipy's asymptotic p-value."""
    result = stats.kendalltau(t, y, method="asymptotic")
    tau, p = float(result.statistic), float(result.pvalue)
    if math.isnan(tau):
        return 0.0, 0.0
    n = t.size
    if p > 0.0:
        z = float(stats.norm.isf(p / 2.0))
    else:  # underflow: the no-ties variance of tau is close enough at such a score
        z = abs(tau) / math.sqrt(2.0 * (2 * n + 5) / (9.0 * n * (n - 1)))
    return tau, math.copysign(z, tau)


def _autocorrelation(residual: FloatArray) -> tuple[float, float]:
    """Lag-1 autocorrelation of ``residual`` and the variance inflation factor of the test."""
    n = residual.size
    centred = residual - residual.mean()
    size = fft.next_fast_len(2 * n, real=True)
    spectrum = fft.rfft(centred, size)
    acf = fft.irfft(np.abs(spectrum) ** 2, size)[: n // 4 + 1]
    if acf[0] <= 0:
        return 0.0, 1.0
    acf = acf[1:] / acf[0]
    rho = float(acf[0]) if acf.size else 0.0
    k = np.arange(1, acf.size + 1, dtype=np.float64)
    # Sum while the autocorrelation stands out from its sampling noise (about 1/sqrt(n)).
    below = np.flatnonzero(acf < 2.0 / math.sqrt(n))
    lags = int(below[0]) if below.size else acf.size
    summed = 1.0 + 2.0 * float(np.sum((1.0 - k[:lags] / n) * acf[:lags]))
    return rho, max(summed, _ar1_inflation(rho, n))


def _ar1_inflation(rho: float, n: int) -> float:
    """Yue-Wang n/n*: 1 + 2 sum_k (1 - k/n) rho^k, applied only to positive autocorrelation."""
    if rho <= 0.0:
        return 1.0
    rho = min(rho, 0.99)
    # rho^k is below 1e-12 long before k = 3,000 for any rho <= 0.99, so stop there.
    k = np.arange(1, min(n, 3_000), dtype=np.float64)
    return float(1.0 + 2.0 * np.sum((1.0 - k / n) * rho**k))


def _confidence(trend: Trend) -> float:
    significance = min(1.0, -math.log10(max(trend.p_value, 1e-300)) / 6.0)
    change = abs(trend.slope_per_day) * max(trend.span_days, 1e-9)
    scale = abs(trend.level) if trend.level else max(change, 1e-12)
    effect = 1.0 - math.exp(-3.0 * change / scale)
    return 0.3 + 0.65 * significance * effect


def _rate_text(trend: Trend) -> tuple[str, str]:
    """The rate in a unit fitting the window: per day, or per hour/minute for short windows."""
    span_s = trend.span_days * _DAY_S
    unit, per = ("day", 1.0) if span_s >= 2 * _DAY_S else ("h", 24.0)
    if span_s < 2 * 3_600:
        unit, per = "min", 1_440.0
    if trend.relative_slope_per_day is not None:
        percent = abs(trend.relative_slope_per_day) * 100.0 / per
        return f"{percent:.2g} %" if percent < 10 else f"{percent:.0f} %", unit
    return f"{abs(trend.slope_per_day) / per:.3g}", unit


def _p_text(p: float) -> str:
    return f"={p:.3f}" if p >= 0.001 else "<0.001"
