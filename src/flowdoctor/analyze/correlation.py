"""Lagged correlation between series on a common time grid, with false discoveries controlled.

``lagged_correlations`` asks, for each pair of series (metric and metric, or an error template's
count and a metric), whether one moves with the other some steps later:

1. Each series is first-differenced (or linearly detrended): two series that both drift upwards
   correlate strongly with no link between them, and differences remove that.
2. The differences are replaced by their ranks (Spearman; ``method="pearson"`` keeps them): a
   handful of spikes, or the single large difference of a level shift, would otherwise give r a
   heavy-tailed null distribution and spurious discoveries.
3. r at every lag -L..L comes from one FFT cross-correlation of the standardised series (all
   series are transformed once, then each pair costs one inverse FFT).
4. The best lag's p-value uses an effective sample size (Bartlett: n / (1 + 2 sum_j rho_a(j)
   rho_b(j)) over the first lags, so autocorrelated series are not over-trusted) and a Bonferroni
   factor 2L + 1 for having picked the best of the lags.
5. Benjamini-Hochberg q-values across all pairs tested; only pairs with q <= ``fdr`` are kept.

Series must be complete (no NaN) and aligned: the caller resamples onto one grid first, since
filling gaps is a choice about the data this module cannot make.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import numpy as np
from scipy import fft, stats

from flowdoctor.analyze.series import FloatArray, check_values, format_duration
from flowdoctor.domain import DiagnosticFinding, Stage
from flowdoctor.errors import InputError

Transform = Literal["difference", "detrend"]
Method = Literal["spearman", "pearson"]
_TRANSFORM_TEXT = {"difference": "first differences", "detrend": "residuals from a line"}
_ACF_LAGS = 10
"""Autocorrelation lags (at least; ``max_lag`` when larger) in the effective sample size."""
_CHUNK = 256
"""Pairs per inverse FFT batch: bounds the memory to a few tens of MB at 10,000 points."""


@dataclass(frozen=True, slots=True)
class LaggedCorrelation:
    """A significant lagged correlation: ``b`` at time t + ``lag`` steps moves with ``a`` at t.

    A negative ``lag`` means ``a`` follows ``b``. ``p_value`` is for the best lag, corrected for
    the ``lags_tested`` lags; ``q_value`` is the Benjamini-Hochberg value over ``pairs_tested``.
    """

    a: str
    b: str
    lag: int
    lag_time: timedelta | None
    r: float
    p_value: float
    q_value: float
    n_effective: float
    lags_tested: int
    pairs_tested: int
    method: str = "spearman"
    transform: str = "difference"

    @property
    def leader(self) -> str:
        """The series that moves first (``a`` at lag 0)."""
        return self.a if self.lag >= 0 else self.b

    @property
    def follower(self) -> str:
        """The series that moves later (``b`` at lag 0)."""
        return self.b if self.lag >= 0 else self.a


def lagged_correlations(
    series: Mapping[str, object],
    *,
    pairs: Iterable[tuple[str, str]] | None = None,
    max_lag: int = 10,
    step: timedelta | None = None,
    fdr: float = 0.05,
    transform: Transform = "difference",
    method: Method = "spearman",
) -> list[LaggedCorrelation]:
    """Pairs of ``series`` correlated at some lag within ``max_lag`` steps, strongest first.

    ``pairs`` defaults to every pair of names; ``step`` is the grid's spacing, giving each lag in
    time. ``InputError`` for series that are not finite real numbers (NaN included), of unequal
    lengths, too short for ``max_lag``, and for pairs naming unknown or identical series.

    >>> rng = np.random.default_rng(0)
    >>> errors = rng.normal(size=500).cumsum()
    >>> queue = np.roll(errors, 5) + rng.normal(size=500) * 0.3
    >>> found = lagged_correlations({"error_rate": errors, "queue_depth": queue},
    ...                             step=timedelta(minutes=1))
    >>> [(c.leader, c.follower, c.lag_time) for c in found]
    [('error_rate', 'queue_depth', datetime.timedelta(seconds=300))]
    """
    names, matrix = _check_series(series, max_lag)
    tested = _check_pairs(pairs, names)
    if not 0.0 < fdr < 1.0:
        raise InputError(f"fdr must be between 0 and 1, got {fdr}", field="fdr")
    if method not in ("spearman", "pearson"):
        raise InputError(f"method must be 'spearman' or 'pearson', got {method!r}", field="method")
    if not tested:
        return []
    z = _transform(matrix, transform)
    if method == "spearman":
        z = stats.rankdata(z, axis=1)
    spread = z.std(axis=1, keepdims=True)
    usable = spread[:, 0] > 0
    # A constant series correlates with nothing: a zero row, and p = 1 below.
    z = np.divide(z - z.mean(axis=1, keepdims=True), spread, out=np.zeros_like(z), where=spread > 0)
    index = {name: position for position, name in enumerate(names)}
    first = np.array([index[a] for a, _ in tested])
    second = np.array([index[b] for _, b in tested])
    lags, r, n_eff = _best_lags(z, first, second, max_lag)
    p = _p_values(r, n_eff, 2 * max_lag + 1)
    p[~(usable[first] & usable[second])] = 1.0
    q = stats.false_discovery_control(p, method="bh")
    found = [
        LaggedCorrelation(
            a,
            b,
            int(lag),
            step * int(lag) if step is not None else None,
            float(rv),
            float(pv),
            float(qv),
            float(nv),
            2 * max_lag + 1,
            len(tested),
            method,
            transform,
        )
        for (a, b), lag, rv, pv, qv, nv in zip(tested, lags, r, p, q, n_eff, strict=True)
        if qv <= fdr
    ]
    return sorted(found, key=lambda c: (c.q_value, -abs(c.r), c.a, c.b))


def correlation_findings(correlations: Iterable[LaggedCorrelation]) -> list[DiagnosticFinding]:
    """One ``metric_correlation`` finding per correlation, about the follower.

    Confidence grows with |r| and with -log10 q, from 0.3 up to 0.9: a correlation is a lead to
    check, not a cause.
    """
    findings = []
    for found in correlations:
        steps = abs(found.lag)
        by = f"{steps} step{'s' if steps != 1 else ''}"
        if found.lag_time is not None:
            by = format_duration(abs(found.lag_time.total_seconds()))
        inverse = " inversely" if found.r < 0 else ""
        relation = f"follows {found.leader}{inverse} by {by}"
        if steps == 0:
            relation = f"moves{inverse} with {found.leader}"
        text = f"{found.follower} {relation} (r={found.r:.2f}, q{_q_text(found.q_value)})"
        evidence = (
            f"{found.method} r at lag {found.lag:+d} steps ({found.a} -> {found.b}) "
            f"of the series' {_TRANSFORM_TEXT.get(found.transform, found.transform)}",
            f"p={found.p_value:.3g} after Bonferroni over {found.lags_tested} lags",
            f"q={found.q_value:.3g}: Benjamini-Hochberg over {found.pairs_tested} pairs",
            f"effective sample size {found.n_effective:,.0f}",
        )
        significance = min(1.0, -math.log10(max(found.q_value, 1e-300)) / 4.0)
        findings.append(
            DiagnosticFinding(
                kind="metric_correlation",
                description=text,
                confidence=round(0.3 + 0.6 * abs(found.r) * significance, 4),
                stage=Stage.ANALYSIS,
                subject=found.follower,
                evidence=evidence,
            )
        )
    return findings


def _check_series(series: Mapping[str, object], max_lag: int) -> tuple[list[str], FloatArray]:
    if not isinstance(series, Mapping):
        raise InputError(
            f"series must be a mapping of name to values, got {type(series).__name__}",
            field="series",
        )
    if isinstance(max_lag, bool) or not isinstance(max_lag, int) or max_lag < 0:
        raise InputError(f"max_lag must be a whole number >= 0, got {max_lag!r}", field="max_lag")
    names = [str(name) for name in series]
    rows = [check_values(values, field=f"series.{name}") for name, values in series.items()]
    lengths = {row.size for row in rows}
    if len(lengths) > 1:
        raise InputError(f"series must have equal lengths, got {sorted(lengths)}", field="series")
    n = lengths.pop() if lengths else 0
    if rows and n < 4 * max_lag + 10:
        raise InputError(
            f"series of {n} points are too short for max_lag={max_lag} (need {4 * max_lag + 10})",
            field="max_lag",
        )
    return names, np.vstack(rows) if rows else np.empty((0, 0))


def _check_pairs(
    pairs: Iterable[tuple[str, str]] | None, names: list[str]
) -> list[tuple[str, str]]:
    if pairs is None:
        return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    known = set(names)
    checked: dict[tuple[str, str], None] = {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise InputError(f"each pair must be a (name, name) tuple, got {pair!r}", field="pairs")
        a, b = pair
        if a not in known or b not in known:
            raise InputError(f"pair {pair!r} names a series that was not given", field="pairs")
        if a == b:
            raise InputError(f"pair {pair!r} pairs a series with itself", field="pairs")
        checked[(a, b)] = None
    return list(checked)


def _transform(matrix: FloatArray, transform: Transform) -> FloatArray:
    if transform == "difference":
        return np.diff(matrix, axis=1)
    if transform == "detrend":
        t = np.arange(matrix.shape[1], dtype=np.float64)
        t -= t.mean()
        slopes = (matrix - matrix.mean(axis=1, keepdims=True)) @ t / (t @ t)
        detrended: FloatArray = matrix - matrix.mean(axis=1, keepdims=True) - slopes[:, None] * t
        return detrended
    raise InputError(
        f"transform must be 'difference' or 'detrend', got {transform!r}", field="transform"
    )


def _best_lags(
    z: FloatArray, first: np.ndarray, second: np.ndarray, max_lag: int
) -> tuple[np.ndarray, FloatArray, FloatArray]:
    """Best lag, its r and effective sample size for each pair (rows of ``z`` standardised)."""
    n = z.shape[1]
    size = fft.next_fast_len(n + max(max_lag, _ACF_LAGS) + 1, real=True)
    spectra = fft.rfft(z, size, axis=1)
    acf_lags = max(max_lag, _ACF_LAGS)
    acf = fft.irfft(np.abs(spectra) ** 2, size, axis=1)[:, 1 : acf_lags + 1] / n
    # Lags -L..L: sum_t a[t] b[t + k] sits at k (k >= 0) and size + k (k < 0) of the output.
    columns = np.r_[size - max_lag : size, 0 : max_lag + 1]
    overlap = n - np.abs(np.arange(-max_lag, max_lag + 1))
    lags = np.empty(first.size, dtype=np.int64)
    best = np.empty(first.size)
    for start in range(0, first.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        cross = fft.irfft(np.conj(spectra[first[part]]) * spectra[second[part]], size, axis=1)
        r = cross[:, columns] / overlap
        position = np.argmax(np.abs(r), axis=1)
        lags[part] = position - max_lag
        best[part] = r[np.arange(position.size), position]
    inflation = 1.0 + 2.0 * np.sum(acf[first] * acf[second], axis=1)
    n_eff = (n - np.abs(lags)) / np.maximum(inflation, 1.0)
    return lags, np.clip(best, -1.0, 1.0), n_eff


def _p_values(r: FloatArray, n_eff: FloatArray, lags_tested: int) -> FloatArray:
    df = np.maximum(n_eff - 2.0, 1.0)
    t = np.abs(r) * np.sqrt(df / np.maximum(1.0 - r**2, 1e-12))
    p: FloatArray = np.minimum(1.0, 2.0 * stats.t.sf(t, df) * lags_tested)
    return p


def _q_text(q: float) -> str:
    return f"={q:.3f}" if q >= 0.001 else "<0.001"
