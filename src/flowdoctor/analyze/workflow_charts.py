"""What the dashboard charts for a workflow: its runs bucketed like the analysis stage buckets
them, with the anomalies and change points the analysis stage's own scoring finds.

Pure: runs and ``now`` in, ``ChartSeries`` out (the web edge draws them). The series come from
``run_series`` on a grid of the sessions' 10-minute buckets, or wider ones for a workflow that
runs less often (``choose_bucket``), over the charted day plus ``BASELINE``: the detectors learn
from the history, and only the charted day is returned.

Anomalies are scored as ``workflow_findings`` scores them (``failure_scores`` for the error
rate, ``stream_scores`` with a fresh ``SeasonalZScore`` for the others) and marked where the score
passes its ``DEFAULT_THRESHOLD``. Change points come from ``detect_change_points`` over the whole
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

from flowdoctor.analyze.changepoints import ChangePointKind, detect_change_points
from flowdoctor.analyze.run_series import FINISHED, SeriesGrid, make_grid, run_series
from flowdoctor.analyze.workflow_findings import (
    DEFAULT_THRESHOLD,
    MIN_RATE_SHIFT,
    failure_scores,
    stream_scores,
)
from flowdoctor.domain import RunEvent

WINDOW = timedelta(hours=24)
"""What the charts show."""
BASELINE = timedelta(days=7)
"""History before the window the detectors learn from (the health score's baseline too)."""
BUCKETS = tuple(timedelta(minutes=m) for m in (10, 15, 20, 30, 60))
"""Bucket widths to choose from: the analysis stage's 10 minutes (``sessions.context.
SERIES_BUCKET``) first, wider for workflows that run less often (see ``choose_bucket``)."""
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One metric over the charted window: its points (buckets without runs left out), and the
    bucket times marked as anomalies and as change points."""

    title: str
    unit: str
    bucket: timedelta
    points: tuple[tuple[datetime, float], ...]
    anomalies: tuple[datetime, ...]
    change_points: tuple[datetime, ...]


def workflow_chart_series(
    workflow_id: str, runs: Sequence[RunEvent], *, now: datetime
) -> list[ChartSeries]:
    """p95 duration, error rate (in %) and, when runs report them, records processed per bucket
    over the ``WINDOW`` before ``now``. ``runs`` may reach back ``BASELINE`` before the window;
    older ones are ignored."""
    bucket = choose_bucket(runs)
    grid = make_grid(_floor(now - WINDOW - BASELINE, bucket), now, bucket)
    baseline_end = grid.index(now - WINDOW) or 0
    times = [grid.time(i) for i in range(grid.size)]
    node = f"workflow:{workflow_id}"
    found = {s.name: s.values for s in run_series(runs, grid) if s.node == node}
    counts = found.get("runs", np.zeros(grid.size))
    specs: list[tuple[str, str, NDArray[np.float64], NDArray[np.float64]]] = []
    if "duration_p95_ms" in found:
        p95 = found["duration_p95_ms"]
        specs.append(("Run duration p95", "ms", p95, stream_scores(p95, times)))
    if "error_rate" in found:
        rate = found["error_rate"]
        specs.append(("Error rate", "%", rate * 100, failure_scores(rate, counts, baseline_end)))
    records = records_series(runs, grid, whole_runs=any(r.step is None for r in runs))
    if np.isfinite(records).any():
        specs.append(("Records processed", "records", records, stream_scores(records, times)))
    return [
        _series(title, unit, values, scores, grid, times, baseline_end, rate=unit == "%")
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


def _series(
    title: str,
    unit: str,
    values: NDArray[np.float64],
    scores: NDArray[np.float64],
    grid: SeriesGrid,
    times: list[datetime],
    baseline_end: int,
    *,
    rate: bool,
) -> ChartSeries:
    shown = range(baseline_end, grid.size)
    anomalies = tuple(
        times[i]
        for i in shown
        if np.isfinite(values[i])
        and np.isfinite(scores[i])
        and DEFAULT_THRESHOLD.is_anomalous(float(scores[i]))
    )
    change_points = tuple(
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
    )
    return ChartSeries(
        title=title,
        unit=unit,
        bucket=grid.bucket,
        # A bucket without runs has no value (NaN): left out, as no run is not a measurement.
        points=tuple((times[i], float(values[i])) for i in shown if np.isfinite(values[i])),
        anomalies=anomalies,
        change_points=change_points,
    )


def _floor(at: datetime, bucket: timedelta) -> datetime:
    """``at`` down to a whole bucket, so the grid (and the chart) does not shift every second."""
    return at - (at - _EPOCH) % bucket
