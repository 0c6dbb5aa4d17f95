"""Run events and metric samples bucketed onto one grid."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.analyze.run_series import make_grid, run_series, sample_series
from flowdoctor.domain import MetricSample, RunEvent, RunStatus
from flowdoctor.errors import InputError

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
GRID = make_grid(T0, T0 + timedelta(minutes=30), timedelta(minutes=10))


def _run(minute: int, status: RunStatus, **fields: object) -> RunEvent:
    return RunEvent("wf", f"r{minute}", status, T0 + timedelta(minutes=minute), **fields)  # type: ignore[arg-type]


def test_error_rate_duration_and_counts_per_node() -> None:
    runs = [
        _run(1, RunStatus.SUCCESS, duration_ms=100.0),
        _run(2, RunStatus.FAILURE, duration_ms=300.0),
        _run(3, RunStatus.RUNNING),  # unfinished: not counted
        _run(21, RunStatus.FAILURE, step="push", platform="hubspot", duration_ms=50.0),
        _run(40, RunStatus.FAILURE),  # outside the grid
    ]
    series = {s.key: s.values for s in run_series(runs, GRID)}
    rate = series["workflow:wf/error_rate"]
    assert rate[0] == 0.5 and math.isnan(rate[1]) and math.isnan(rate[2])
    assert list(series["workflow:wf/runs"]) == [2.0, 0.0, 0.0]
    assert series["workflow:wf/duration_p95_ms"][0] == pytest.approx(290.0)
    assert series["platform:hubspot/error_rate"][2] == 1.0
    # A step event is not a whole run of the workflow; the step has no runs in bucket 0.
    assert math.isnan(series["step:push/error_rate"][0])


def test_samples_are_averaged_per_bucket_and_step() -> None:
    samples = [
        MetricSample("wf", "queue_depth", 10.0, T0),
        MetricSample("wf", "queue_depth", 20.0, T0 + timedelta(minutes=5)),
        MetricSample("wf", "latency_ms", 7.0, T0 + timedelta(minutes=25), step="push"),
    ]
    series = {s.key: s.values for s in sample_series(samples, GRID, workflow_id="wf")}
    assert series["workflow:wf/queue_depth"][0] == 15.0
    assert series["step:push/latency_ms"][2] == 7.0


def test_bad_grids_are_refused() -> None:
    with pytest.raises(InputError, match="positive"):
        make_grid(T0, T0 + timedelta(hours=1), timedelta(0))
    with pytest.raises(InputError, match="later"):
        make_grid(T0, T0, timedelta(minutes=1))
    with pytest.raises(InputError, match="at most"):
        make_grid(T0, T0 + timedelta(days=365), timedelta(seconds=1))
