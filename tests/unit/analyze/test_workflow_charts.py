"""The dashboard's chart series of a workflow: bucket choice, records, and the anomalies and
change points the analysis stage's scoring marks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flowdoctor.analyze.workflow_charts import (
    BUCKETS,
    WINDOW,
    choose_bucket,
    workflow_chart_series,
)
from flowdoctor.domain import RunEvent, RunStatus

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def runs_every(minutes: int, *, days: float, fail_after: datetime | None = None) -> list[RunEvent]:
    start = NOW - timedelta(days=days)
    out = []
    at, k = start, 0
    while at < NOW:
        failing = fail_after is not None and at >= fail_after
        out.append(
            RunEvent(
                workflow_id="wf",
                run_id=f"r{k}",
                status=RunStatus.FAILURE if failing else RunStatus.SUCCESS,
                started_at=at,
                duration_ms=200.0 + (k % 7),
                records_processed=10 + k % 3,
            )
        )
        at += timedelta(minutes=minutes)
        k += 1
    return out


def test_the_bucket_is_as_wide_as_the_usual_gap_between_runs() -> None:
    assert choose_bucket(runs_every(10, days=1)) == timedelta(minutes=10)
    assert choose_bucket(runs_every(30, days=1)) == timedelta(minutes=30)
    assert choose_bucket(runs_every(240, days=2)) == BUCKETS[-1]
    assert choose_bucket([]) == BUCKETS[0]


def test_a_failure_burst_after_a_clean_week_is_marked_on_the_error_rate_only_in_the_window() -> (
    None
):
    burst = NOW - timedelta(hours=3)
    series = {
        s.title: s
        for s in workflow_chart_series("wf", runs_every(10, days=8, fail_after=burst), now=NOW)
    }
    assert set(series) == {"Run duration p95", "Error rate", "Records processed"}
    errors = series["Error rate"]
    assert all(NOW - WINDOW <= t < NOW for t, _ in errors.points)  # only the charted day
    assert errors.anomalies, "a burst of failures after a clean week must be marked"
    assert min(errors.anomalies) >= burst - timedelta(minutes=10)
    assert any(abs((c - burst).total_seconds()) <= 1800 for c in errors.change_points)
    assert max(v for _, v in errors.points) == 100.0  # in percent
    assert not series["Records processed"].anomalies


def test_a_steady_workflow_has_nothing_marked() -> None:
    for s in workflow_chart_series("wf", runs_every(10, days=8), now=NOW):
        assert s.anomalies == ()
        assert s.points
