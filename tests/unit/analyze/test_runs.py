"""Run statistics: counting, rates, percentiles and the metric names they become."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.analyze.runs import RunStats, finished_runs, percentile, summarize_runs
from flowdoctor.domain import RunEvent, RunStatus

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def run(
    n: int,
    status: RunStatus = RunStatus.SUCCESS,
    *,
    duration_ms: float | None = None,
    step: str | None = None,
    attempt: int = 1,
    records: int | None = None,
) -> RunEvent:
    return RunEvent(
        workflow_id="wf",
        run_id=f"r{n}",
        status=status,
        started_at=T0 + timedelta(minutes=n),
        step=step,
        duration_ms=duration_ms,
        attempt=attempt,
        records_processed=records,
    )


def test_empty_stream_gives_zeros_and_unknowns() -> None:
    stats = summarize_runs([])
    assert stats == RunStats()
    assert stats.runs == 0
    assert stats.error_rate == 0.0
    assert stats.p95_duration_ms is None
    assert stats.last_success_at is None
    assert stats.as_metrics() == {"run_count": 0.0}


def test_counts_rates_and_percentiles() -> None:
    runs = [
        run(1, duration_ms=100.0),
        run(2, RunStatus.FAILURE, duration_ms=400.0),
        run(3, duration_ms=300.0, attempt=2),
        run(4, duration_ms=200.0),
    ]
    stats = summarize_runs(runs)
    assert (stats.runs, stats.failures) == (4, 1)
    assert stats.error_rate == pytest.approx(0.25)
    assert stats.retry_rate == pytest.approx(0.25)
    assert stats.avg_duration_ms == pytest.approx(250.0)
    assert stats.p50_duration_ms == pytest.approx(250.0)
    # linear interpolation between the 3rd (300) and 4th (400) values at position 2.85
    assert stats.p95_duration_ms == pytest.approx(385.0)


def test_only_finished_runs_count() -> None:
    runs = [
        run(1),
        run(2, RunStatus.RUNNING),
        run(3, RunStatus.SKIPPED),
        run(4, RunStatus.CANCELLED),
        run(5, RunStatus.FAILURE),
    ]
    stats = summarize_runs(runs)
    assert stats.runs == 2
    assert stats.error_rate == pytest.approx(0.5)


def test_step_events_are_ignored_when_whole_runs_are_present() -> None:
    runs = [
        run(1),
        run(1, RunStatus.FAILURE, step="fetch"),
        run(1, RunStatus.FAILURE, step="write"),
        run(2),
    ]
    stats = summarize_runs(runs)
    assert stats.runs == 2
    assert stats.failures == 0
    assert [e.run_id for e in finished_runs(runs)] == ["r1", "r2"]


def test_step_only_streams_are_summarised_step_by_step() -> None:
    runs = [run(1, step="fetch"), run(1, RunStatus.FAILURE, step="write")]
    stats = summarize_runs(runs)
    assert stats.runs == 2
    assert stats.failures == 1


def test_last_success_and_failure_are_the_latest_whatever_the_order() -> None:
    runs = [run(9), run(3, RunStatus.FAILURE), run(1), run(7, RunStatus.FAILURE), run(5)]
    stats = summarize_runs(runs)
    assert stats.last_success_at == T0 + timedelta(minutes=9)
    assert stats.last_failure_at == T0 + timedelta(minutes=7)


def test_records_processed_is_none_unless_reported() -> None:
    assert summarize_runs([run(1), run(2)]).records_processed is None
    stats = summarize_runs([run(1, records=10), run(2), run(3, records=5)])
    assert stats.records_processed == 15


def test_summarize_consumes_a_generator_once() -> None:
    def events() -> Iterator[RunEvent]:
        yield run(1, duration_ms=10.0)
        yield run(2, RunStatus.FAILURE, duration_ms=30.0)

    stats = summarize_runs(events())
    assert stats.runs == 2
    assert stats.avg_duration_ms == pytest.approx(20.0)


def test_as_metrics_uses_analysis_names_and_seconds() -> None:
    runs = [
        run(1, duration_ms=1000.0, records=40),
        run(2, RunStatus.FAILURE, duration_ms=3000.0, records=0),
    ]
    metrics = summarize_runs(runs).as_metrics()
    assert metrics["error_rate"] == pytest.approx(0.5)
    assert metrics["avg_response_time"] == pytest.approx(2.0)
    assert metrics["p95_response_time"] == pytest.approx(2.9)
    assert metrics["throughput"] == pytest.approx(20.0)
    assert metrics["run_count"] == 2.0
    assert metrics["retry_rate"] == 0.0


def test_as_metrics_leaves_out_what_no_run_reported() -> None:
    metrics = summarize_runs([run(1), run(2)]).as_metrics()
    assert "avg_response_time" not in metrics
    assert "throughput" not in metrics


def test_percentile_edges() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([1.0, 2.0], 1.0) == 2.0
    assert percentile([1.0, 2.0], 0.0) == 1.0
