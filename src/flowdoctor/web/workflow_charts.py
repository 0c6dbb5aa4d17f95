"""The workflow page's metric charts: its runs bucketed like the analysis stage buckets them, with
the anomalies and change points the project's own detectors find, and the recorded changes.

Pure: runs, changes and ``now`` in, SVG strings out. The series come from
``analyze.run_series.run_series`` on a grid of the sessions' 10-minute buckets, or wider ones for
a workflow that runs less often (``choose_bucket``), over the charted day plus ``BASELINE``: the
detectors learn from the history, and only what falls in the charted day is drawn.

Anomalies are scored as ``analyze.workflow_findings`` scores them: a failure rate by the binomial
surprise of its failures against the baseline rate (``workflow_rca.failure_surprise``; a rate of a
few runs a bucket is not a continuous metric), any other metric by a fresh ``SeasonalZScore`` that
scores each bucket before learning it; a bucket is marked when its score passes the analysis
stage's threshold. Change points come from ``changepoints.detect_change_points`` over the whole
grid; for a failure rate only level shifts of at least ``MIN_RATE_SHIFT`` count, as in the
analysis stage.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from flowdoctor.analyze.changepoints import ChangePointKind, detect_change_points
from flowdoctor.analyze.detectors import SeasonalZScore
from flowdoctor.analyze.run_series import FINISHED, SeriesGrid, make_grid, run_series
from flowdoctor.analyze.workflow_findings import DEFAULT_THRESHOLD, MIN_RATE_SHIFT, TAIL_DIGITS
from flowdoctor.analyze.workflow_rca import failure_surprise
from flowdoctor.domain import ChangeEvent, RunEvent
from flowdoctor.web.charts import LineChart, Marker, render_line_chart

WINDOW = timedelta(hours=24)
"""What the charts show."""
BASELINE = timedelta(days=7)
"""History before the window the detectors learn from (the health score's baseline too)."""
BUCKETS = tuple(timedelta(minutes=m) for m in (10, 15, 20, 30, 60))
"""Bucket widths to choose from: the analysis stage's 10 minutes (``sessions.context.
SERIES_BUCKET``) first, wider for workflows that run less often (see ``choose_bucket``)."""
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class WorkflowChart:
    """One rendered chart and what it marks, for the page's legend and tests."""

    title: str
    svg: str
    anomalies: int
    change_points: int
    events: int


def workflow_charts(
    workflow_id: str,
    runs: Sequence[RunEvent],
    changes: Sequence[ChangeEvent],
    *,
    now: datetime,
) -> list[WorkflowChart]:
    """p95 duration, error rate and (when runs report them) records processed per bucket over
    the ``WINDOW`` before ``now``, with anomalies, change points and change events marked.

    ``runs`` may reach back ``BASELINE`` before the window; older ones are ignored.
    """
    bucket = choose_bucket(runs)
    start = _floor(now - WINDOW - BASELINE, bucket)
    grid = make_grid(start, now, bucket)
    baseline_end = grid.index(now - WINDOW) or 0
    node = f"workflow:{workflow_id}"
    found = {s.name: s.values for s in run_series(runs, grid) if s.node == node}
    counts = found.get("runs", np.zeros(grid.size))
    markers = [
        Marker(at=c.occurred_at, label=f"{c.kind}: {c.description}")
        for c in changes
        if now - WINDOW <= c.occurred_at <= now
    ]
    specs: list[tuple[str, str, NDArray[np.float64], NDArray[np.float64]]] = []
    if "duration_p95_ms" in found:
        p95 = found["duration_p95_ms"]
        specs.append(("Run duration p95", "ms", p95, _stream_scores(p95, grid)))
    if "error_rate" in found:
        rate = found["error_rate"]
        specs.append(("Error rate", "%", rate * 100, _failure_scores(rate, counts, baseline_end)))
    records = records_series(runs, grid, whole_runs=any(r.step is None for r in runs))
    if np.isfinite(records).any():
        specs.append(("Records processed", "records", records, _stream_scores(records, grid)))
    return [
        _chart(title, unit, values, scores, grid, baseline_end, markers, rate=unit == "%")
        for title, unit, values, scores in specs
    ]


def choose_bucket(runs: Sequence[RunEvent]) -> timedelta:
    """The narrowest of ``BUCKETS`` at least as wide as the median time between runs.

    The failure detector pools a few buckets' runs; with one run in three buckets (a half-hourly
    workflow on 10-minute buckets) even a run of failures every time cannot be surprising, and
    most buckets would be empty.
    """
    whole = [r for r in runs if r.step is None] or list(runs)
    first: dict[str, datetime] = {}
    for run in whole:
        first[run.run_id] = min(first.get(run.run_id, run.started_at), run.started_at)
    starts = sorted(first.values())
    if len(starts) < 2:
        return BUCKETS[0]
    gap = timedelta(seconds=median((b - a).total_seconds() for a, b in itertools.pairwise(starts)))
    return next((b for b in BUCKETS if b >= gap), BUCKETS[-1])


def records_series(
    runs: Sequence[RunEvent], grid: SeriesGrid, *, whole_runs: bool
) -> NDArray[np.float64]:
    """Records processed per bucket (summed over finished runs; NaN where none reported any).

    Counted from whole runs when there are any, as ``run_series`` counts the workflow: a run's
    steps each report the same records again.
    """
    total = np.full(grid.size, np.nan)
    for run in runs:
        at = grid.index(run.started_at)
        if at is None or run.status not in FINISHED or run.records_processed is None:
            continue
        if whole_runs and run.step is not None:
            continue
        total[at] = np.nan_to_num(total[at]) + run.records_processed
    return total


def _chart(
    title: str,
    unit: str,
    values: NDArray[np.float64],
    scores: NDArray[np.float64],
    grid: SeriesGrid,
    baseline_end: int,
    markers: list[Marker],
    *,
    rate: bool,
) -> WorkflowChart:
    times = [grid.time(i) for i in range(grid.size)]
    shown = range(baseline_end, grid.size)
    anomalies = [
        times[i]
        for i in shown
        if np.isfinite(values[i])
        and np.isfinite(scores[i])
        and DEFAULT_THRESHOLD.is_anomalous(float(scores[i]))
    ]
    change_points = [
        p.timestamp
        for p in detect_change_points(values, times)
        if p.index >= baseline_end
        and not (
            rate
            and (
                p.kind is not ChangePointKind.LEVEL
                or abs(p.mean_after - p.mean_before) < MIN_RATE_SHIFT * 100
            )
        )
    ]
    chart = LineChart(
        title=f"{title}, last 24 h ({int(grid.bucket.total_seconds() // 60)}-minute buckets)",
        unit=unit,
        # A bucket without runs has no value (NaN); left out here rather than counted by the
        # chart as "not finite": no run is not a broken measurement.
        points=[(times[i], float(values[i])) for i in shown if np.isfinite(values[i])],
        anomalies=anomalies,
        change_points=change_points,
        markers=markers,
    )
    return WorkflowChart(
        title=title,
        svg=render_line_chart(chart),
        anomalies=len(anomalies),
        change_points=len(change_points),
        events=len(markers),
    )


def _stream_scores(values: NDArray[np.float64], grid: SeriesGrid) -> NDArray[np.float64]:
    """A fresh ``SeasonalZScore`` over the whole grid: score each bucket, then learn it."""
    detector = SeasonalZScore()
    scores = np.full(grid.size, np.nan)
    for i, value in enumerate(values):
        if np.isfinite(value):
            at = grid.time(i)
            scores[i] = detector.score_one(float(value), at)
            detector.learn_one(float(value), at)
    return scores


def _failure_scores(
    rates: NDArray[np.float64], runs: NDArray[np.float64], baseline_end: int
) -> NDArray[np.float64]:
    """The analysis stage's failure score: the binomial surprise's tail in digits, scaled."""
    z = failure_surprise(rates, runs, baseline_end)
    tail = -stats.norm.logsf(np.nan_to_num(z, nan=0.0))
    scores = np.minimum(1.0, np.log10(np.e) * tail / TAIL_DIGITS)
    return np.where(np.isfinite(z), scores, np.nan)


def _floor(at: datetime, bucket: timedelta) -> datetime:
    """``at`` down to a whole bucket, so the grid (and the chart) does not shift every second."""
    return at - (at - _EPOCH) % bucket
