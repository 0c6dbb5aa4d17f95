"""Workflow health: the score, its five components and the reasons they give."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.errors import InputError
from flowdoctor.monitor.health import HealthReport, workflow_health

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def hourly(
    statuses: str, *, duration_ms: float = 1000.0, retries: int = 0, start: datetime = T0
) -> list[RunEvent]:
    """One run an hour: ``S`` success, ``F`` failure; the first ``retries`` runs are retries."""
    return [
        RunEvent(
            workflow_id="wf",
            run_id=f"r{n}",
            status=RunStatus.FAILURE if s == "F" else RunStatus.SUCCESS,
            started_at=start + n * HOUR,
            duration_ms=duration_ms,
            attempt=2 if n < retries else 1,
        )
        for n, s in enumerate(statuses)
    ]


def component(report: HealthReport, name: str) -> tuple[float, str]:
    found = [c for c in report.components if c.name == name]
    assert len(found) == 1
    return found[0].points_lost, found[0].reason


def after_last(runs: list[RunEvent], delta: timedelta) -> datetime:
    return runs[-1].started_at + delta


def assert_consistent(report: HealthReport) -> None:
    assert sum(c.max_points for c in report.components) == pytest.approx(100.0)
    lost = sum(c.points_lost for c in report.components)
    assert report.score == pytest.approx(100.0 - lost, abs=0.05)
    for c in report.components:
        assert 0.0 <= c.points_lost <= c.max_points
        assert c.reason.endswith(".")


def test_a_healthy_workflow_scores_100() -> None:
    runs = hourly("S" * 24)
    report = workflow_health(
        "wf", runs, now=after_last(runs, timedelta(minutes=30)), baseline_p95_ms=1000.0
    )
    assert report.score == 100.0
    assert all(c.points_lost == 0 for c in report.components)
    assert report.workflow_id == "wf"
    assert report.stats.runs == 24
    assert_consistent(report)


def test_no_runs_scores_zero_and_says_so() -> None:
    report = workflow_health("wf", [], now=T0)
    assert report.score == 0.0
    assert report.stats.runs == 0
    assert report.computed_at == T0
    assert {c.name for c in report.components} == {
        "success_rate",
        "latency",
        "error_trend",
        "open_alerts",
        "freshness",
        "retry_rate",
    }
    assert all("No runs seen" in c.reason for c in report.components)
    assert_consistent(report)


def test_failures_cost_success_points_with_numbers_in_the_reason() -> None:
    runs = hourly("SSSFSSSSSFSSSSSSSFSS")
    report = workflow_health("wf", runs, now=after_last(runs, timedelta(minutes=5)))
    lost, reason = component(report, "success_rate")
    assert 0 < lost < 40
    assert "3 of 20 runs failed" in reason
    assert "15.0%" in reason
    assert report.score < 100
    assert_consistent(report)


def test_everything_failing_loses_success_and_freshness_points() -> None:
    runs = hourly("FFFFFF")
    report = workflow_health("wf", runs, now=after_last(runs, timedelta(minutes=5)))
    assert component(report, "success_rate")[0] == 40
    lost, reason = component(report, "freshness")
    assert lost == 10
    assert "No successful run" in reason
    assert report.score <= 50
    assert_consistent(report)


@pytest.mark.parametrize(
    ("since_last", "expected"),
    [
        (timedelta(minutes=30), "none"),
        (timedelta(hours=4), "some"),
        (timedelta(hours=10), "all"),
    ],
)
def test_freshness_is_measured_in_usual_intervals(since_last: timedelta, expected: str) -> None:
    runs = hourly("S" * 12)
    report = workflow_health("wf", runs, now=after_last(runs, since_last))
    lost, reason = component(report, "freshness")
    assert {"none": lost == 0, "some": 0 < lost < 10, "all": lost == 10}[expected]
    assert "1h 0m between runs" in reason
    assert_consistent(report)


def test_an_explicit_interval_overrides_the_one_read_from_runs() -> None:
    runs = hourly("S" * 12)
    now = after_last(runs, timedelta(hours=10))
    report = workflow_health("wf", runs, now=now, expected_interval=timedelta(days=1))
    assert component(report, "freshness")[0] == 0


def test_a_single_run_assumes_a_daily_schedule() -> None:
    runs = hourly("S")
    report = workflow_health("wf", runs, now=after_last(runs, timedelta(hours=20)))
    assert component(report, "freshness")[0] == 0


def test_latency_against_the_baseline() -> None:
    runs = hourly("S" * 10, duration_ms=3000.0)
    now = after_last(runs, timedelta(minutes=5))
    slow = workflow_health("wf", runs, now=now, baseline_p95_ms=1000.0)
    lost, reason = component(slow, "latency")
    assert lost == 15
    assert "3.0x" in reason
    somewhat = workflow_health("wf", runs, now=now, baseline_p95_ms=2000.0)
    assert 0 < component(somewhat, "latency")[0] < 15
    unscored = workflow_health("wf", runs, now=now)
    lost, reason = component(unscored, "latency")
    assert lost == 0
    assert "baseline" in reason
    assert_consistent(slow)


def test_rising_errors_cost_trend_points_falling_errors_do_not() -> None:
    getting_worse = hourly("SSSSSSFFFFFF")
    report = workflow_health("wf", getting_worse, now=after_last(getting_worse, HOUR))
    lost, reason = component(report, "error_trend")
    assert lost == 10
    assert "rose" in reason
    recovering = hourly("FFFFFFSSSSSS")
    report = workflow_health("wf", recovering, now=after_last(recovering, HOUR))
    assert component(report, "error_trend")[0] == 0


def test_too_few_runs_for_a_trend() -> None:
    runs = hourly("SF")
    report = workflow_health("wf", runs, now=after_last(runs, HOUR))
    lost, reason = component(report, "error_trend")
    assert lost == 0
    assert "Too few runs (2)" in reason


def test_retries_cost_points() -> None:
    runs = hourly("S" * 10, retries=5)
    report = workflow_health("wf", runs, now=after_last(runs, HOUR))
    lost, reason = component(report, "retry_rate")
    assert lost == 10
    assert "5 of 10 runs were retries" in reason
    assert_consistent(report)


def test_the_score_orders_workflows_by_health() -> None:
    scores = []
    for statuses in ("SSSSSSSSSS", "SSSSSSSSSF", "SSSSSFSFSF", "FFFFFFFFFF"):
        runs = hourly(statuses)
        report = workflow_health("wf", runs, now=after_last(runs, HOUR))
        assert_consistent(report)
        scores.append(report.score)
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)


def test_bad_baseline_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        workflow_health("wf", hourly("S"), now=T0, baseline_p95_ms=math.nan)
    assert caught.value.field == "baseline_p95_ms"


def test_naive_now_with_aware_runs_is_refused() -> None:
    with pytest.raises(InputError):
        workflow_health("wf", hourly("SS"), now=datetime(2024, 5, 2))
