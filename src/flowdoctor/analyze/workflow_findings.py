"""The analysis stage over one workflow's series: anomalies, trends, change points and lagged
correlations, as findings with confidence and evidence.

Series come from ``run_series`` (runs and samples on one grid). Buckets before ``baseline_end``
are history the detectors learn from and change points are measured against; findings are only
reported about the buckets from ``baseline_end`` on (the period the session looks at).

Failure rates of a few runs a bucket are not continuous metrics: one failed run of two is 50 %.
Their anomalies come from the binomial surprise of the failures (``workflow_rca.failure_surprise``
against the baseline failure rate), their change points must be level shifts of at least
``MIN_RATE_SHIFT``, and they are never correlated with each other (the workflow's failures are
its steps' failures; that they move together says nothing). The same holds for any metric: a
series is only correlated with the symptoms' other metrics.

Many series are tested at once, so each test's false-alarm rate is split between them: trends at
``ALPHA / series`` (Bonferroni), correlations under one Benjamini-Hochberg FDR, and at most
``MAX_PER_KIND`` findings of each kind are kept (the most confident).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np

from flowdoctor.analyze.changepoints import (
    ChangePointKind,
    change_point_findings,
    detect_change_points,
)
from flowdoctor.analyze.correlation import correlation_findings, lagged_correlations
from flowdoctor.analyze.detectors import SeasonalZScore, StreamingDetector, Threshold
from flowdoctor.analyze.run_series import TEMPLATE_PREFIX, NodeSeries, SeriesGrid
from flowdoctor.analyze.series import metric_spec
from flowdoctor.analyze.trends import detect_trend, trend_finding
from flowdoctor.analyze.window_anomalies import window_anomalies
from flowdoctor.analyze.workflow_rca import failure_surprise
from flowdoctor.domain import ChangeEvent, DiagnosticFinding, Stage

ALPHA = 0.05
MAX_PER_KIND = 5
MAX_LAG = 6
"""Buckets of lag the correlation looks at (an hour on 10-minute buckets)."""
SKIPPED = frozenset({"runs"})
"""Run counts follow the schedule; their shifts are not findings on their own."""
MIN_POINTS = 12
QUIET = 6
"""Buckets below the threshold that end an anomaly episode (an hour on 10-minute buckets)."""
MIN_RATE_SHIFT = 0.05
"""The smallest shift of a failure rate worth a change-point finding (5 points)."""
TAIL_DIGITS = 10.0
"""A failure-rate surprise scores ``-log10(p) / TAIL_DIGITS``: p = 1e-5 scores 0.5."""
DEFAULT_THRESHOLD = Threshold(0.5)


def analyze_workflow_series(
    series: Sequence[NodeSeries],
    *,
    grid: SeriesGrid,
    baseline_end: int,
    workflow_id: str,
    changes: Sequence[ChangeEvent] = (),
    detector: Callable[[], StreamingDetector] = SeasonalZScore,
    threshold: Threshold = DEFAULT_THRESHOLD,
) -> list[DiagnosticFinding]:
    """Findings about the analysed period, most confident first (see the module docstring)."""
    times = [grid.time(i) for i in range(grid.size)]
    runs = {s.node: s.values for s in series if s.name == "runs"}
    own = f"workflow:{workflow_id}"
    # The workflow's own series first, so that where a platform's series is the same numbers
    # (one platform, no steps) the workflow's name is the one kept.
    ordered = sorted(
        (s for s in series if s.name not in SKIPPED), key=lambda s: (s.node != own, s.node)
    )
    named = _distinct([(_label(s, workflow_id), s) for s in ordered], baseline_end)
    findings: list[DiagnosticFinding] = []
    anomalies = []
    for label, s in named:
        if s.name.startswith(TEMPLATE_PREFIX):
            continue  # template counts are for correlation; their rise is the error rate's
        if s.name == "error_rate" and s.node in runs:
            scores = failure_scores(s.values, runs[s.node], baseline_end)
            anomalies += _episodes(s, label, times, baseline_end, scores, threshold, "binomial")
        else:
            scores = stream_scores(s.values, times, detector)
            anomalies += _episodes(s, label, times, baseline_end, scores, threshold, None)
    findings += _keep(anomalies)
    findings += _keep(
        window_anomalies([(label, s.values) for label, s in named], times, baseline_end)
    )
    metrics = [(label, s) for label, s in named if not s.name.startswith(TEMPLATE_PREFIX)]
    findings += _keep(_trends(metrics, times, baseline_end))
    findings += _keep(
        [f for label, s in metrics for f in _change_points(s, label, times, baseline_end, changes)]
    )
    findings += _keep(_correlations(named, baseline_end, grid, workflow_id))
    findings.sort(key=lambda f: (-f.confidence, f.kind, f.subject or ""))
    return findings


def _label(series: NodeSeries, workflow_id: str) -> str:
    """``error_rate`` for the workflow itself, ``error_rate of platform salesforce`` otherwise."""
    if series.node == f"workflow:{workflow_id}":
        return series.name
    kind, _, name = series.node.partition(":")
    return f"{series.name} of {kind} {name}"


def _distinct(
    named: list[tuple[str, NodeSeries]], baseline_end: int
) -> list[tuple[str, NodeSeries]]:
    """Drop series identical to one already kept (a step with one platform is that platform) and
    series with too few points in the analysed period."""
    kept: list[tuple[str, NodeSeries]] = []
    for label, s in named:
        window = s.values[baseline_end:]
        if np.count_nonzero(np.isfinite(window)) < MIN_POINTS:
            continue
        if any(np.array_equal(s.values, k.values, equal_nan=True) for _, k in kept):
            continue
        kept.append((label, s))
    return kept


def _log_tail(z: np.ndarray) -> np.ndarray:
    """-ln P(Z >= z) for a standard normal, without underflow for large z."""
    from scipy import stats

    return np.asarray(-stats.norm.logsf(np.nan_to_num(z, nan=0.0)))


def stream_scores(
    values: np.ndarray,
    times: Sequence[datetime],
    make: Callable[[], StreamingDetector] = SeasonalZScore,
) -> np.ndarray:
    """Anomaly scores of a series by a fresh streaming detector: each bucket is scored, then
    learnt (no look-ahead); NaN where the series has no value."""
    detector = make()
    scores = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if np.isfinite(value):
            scores[i] = detector.score_one(float(value), times[i])
            detector.learn_one(float(value), times[i])
    return scores


def failure_scores(rates: np.ndarray, runs: np.ndarray, baseline_end: int) -> np.ndarray:
    """Anomaly scores of a failure rate in [0, 1]: the binomial surprise of each bucket's
    failures against the baseline rate, as the digits of its tail over ``TAIL_DIGITS``."""
    z = failure_surprise(rates, runs, baseline_end)
    return np.asarray(np.minimum(1.0, np.log10(np.e) * _log_tail(z) / TAIL_DIGITS))


def _episodes(
    series: NodeSeries,
    label: str,
    times: list[datetime],
    baseline_end: int,
    scores: np.ndarray,
    threshold: Threshold,
    how: str | None,
) -> list[DiagnosticFinding]:
    """One finding per episode of anomalous buckets in the analysed period, at its first bucket;
    an episode ends after ``QUIET`` buckets in a row below the threshold (a fault that lasts
    flickers around it)."""
    episodes: list[tuple[int, float]] = []
    quiet = QUIET
    for i in range(baseline_end, len(scores)):
        if not np.isfinite(scores[i]):
            continue
        if threshold.is_anomalous(float(scores[i])):
            if quiet >= QUIET:
                episodes.append((i, float(scores[i])))
            else:
                start, best = episodes[-1]
                episodes[-1] = (start, max(best, float(scores[i])))
            quiet = 0
        else:
            quiet += 1
    spec = metric_spec(series.name)
    method = (
        "failures against the baseline failure rate (binomial tail)"
        if how == "binomial"
        else "streaming detector, learning from the history before the period"
    )
    return [
        DiagnosticFinding(
            kind="metric_anomaly",
            description=f"{label} anomalous from {times[i]:%Y-%m-%d %H:%M} "
            f"(value {series.values[i]:.4g}, peak score {score:.2f})",
            confidence=round(min(0.95, score), 4),
            stage=Stage.ANALYSIS,
            subject=label,
            category=spec.category if spec else None,
            evidence=(f"{method}; threshold {threshold.level}",),
        )
        for i, score in episodes
    ]


def _trends(
    named: list[tuple[str, NodeSeries]], times: list[datetime], baseline_end: int
) -> list[DiagnosticFinding]:
    alpha = ALPHA / max(1, len(named))
    window = times[baseline_end:]
    found = []
    for label, s in named:
        trend = detect_trend(s.values[baseline_end:], window, alpha=alpha, min_points=MIN_POINTS)
        finding = trend_finding(trend, label) if trend is not None else None
        if finding is not None:
            found.append(finding)
    return found


def _change_points(
    series: NodeSeries,
    label: str,
    times: list[datetime],
    baseline_end: int,
    changes: Sequence[ChangeEvent],
) -> list[DiagnosticFinding]:
    points = detect_change_points(series.values, times)
    recent = [p for p in points if p.index >= baseline_end]
    if series.name == "error_rate":
        recent = [
            p
            for p in recent
            if p.kind is ChangePointKind.LEVEL
            and abs(p.mean_after - p.mean_before) >= MIN_RATE_SHIFT
        ]
    return change_point_findings(recent, label, events=changes)


def _correlations(
    named: list[tuple[str, NodeSeries]], baseline_end: int, grid: SeriesGrid, workflow_id: str
) -> list[DiagnosticFinding]:
    """Every series against the workflow's own error rate and duration (the symptoms) and its
    error templates' counts, over the analysed period; only series with a value in every bucket
    can be aligned."""
    complete = {
        label: s.values[baseline_end:]
        for label, s in named
        if np.all(np.isfinite(s.values[baseline_end:])) and np.ptp(s.values[baseline_end:]) > 0
    }
    leaders = [
        label
        for label, s in named
        if label in complete
        and (
            (s.node == f"workflow:{workflow_id}" and s.name in ("error_rate", "duration_p95_ms"))
            or s.name.startswith(TEMPLATE_PREFIX)
        )
    ]
    # Each unordered pair once, of two different metrics; an error template is not paired with
    # a failure rate or another template (they count the same failures).
    metric = {label: s.name for label, s in named}
    unique = {
        frozenset((a, b)): (a, b)
        for a in leaders
        for b in complete
        if metric[a] != metric[b]
        and not (_counts_failures(metric[a]) and _counts_failures(metric[b]))
    }
    pairs = list(unique.values())
    if not pairs or len(next(iter(complete.values()))) <= 3 * MAX_LAG:
        return []
    # Detrended levels, not differences: counts of a few events a bucket are mostly noise from
    # one bucket to the next, and differencing leaves little else.
    found = lagged_correlations(
        complete, pairs=pairs, max_lag=MAX_LAG, step=grid.bucket, transform="detrend"
    )
    return correlation_findings(found)


def _counts_failures(name: str) -> bool:
    return name == "error_rate" or name.startswith(TEMPLATE_PREFIX)


def _keep(findings: list[DiagnosticFinding]) -> list[DiagnosticFinding]:
    findings.sort(key=lambda f: -f.confidence)
    return findings[:MAX_PER_KIND]
