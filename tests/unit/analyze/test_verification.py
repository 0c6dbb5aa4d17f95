"""Verification: before/after runs and before/after metric snapshots."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.analyze.runs import RunStats, summarize_runs
from flowdoctor.analyze.verification import verify_fix, verify_metrics
from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.errors import InputError

FIXED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def stats(runs: int, failures: int, *, p95: float | None = None) -> RunStats:
    return RunStats(
        runs=runs,
        failures=failures,
        error_rate=failures / runs if runs else 0.0,
        p95_duration_ms=p95,
    )


def events(statuses: str, *, start: datetime, duration_ms: float = 500.0) -> list[RunEvent]:
    """``"SSF"`` -> success, success, failure, a minute apart."""
    return [
        RunEvent(
            workflow_id="wf",
            run_id=f"{start.isoformat()}-{n}",
            status=RunStatus.FAILURE if s == "F" else RunStatus.SUCCESS,
            started_at=start + timedelta(minutes=n),
            duration_ms=duration_ms,
        )
        for n, s in enumerate(statuses)
    ]


def test_verified_when_failures_stop() -> None:
    before = summarize_runs(events("FSFSSFFSSS" + "FFFSSS", start=FIXED - timedelta(hours=1)))
    after = summarize_runs(events("S" * 12, start=FIXED))
    result = verify_fix(before, after, fix_applied_at=FIXED)
    assert result.verified is True
    assert "43.8% -> 0.0%" in result.reason
    assert "12 runs after the fix" in result.reason
    assert result.fix_applied_at == FIXED
    assert result.baseline["failures"] == 7.0
    assert result.after["runs"] == 12.0


def test_not_verified_when_errors_only_dip() -> None:
    result = verify_fix(stats(10, 4), stats(10, 3))
    assert result.verified is False
    assert "40.0% -> 30.0%" in result.reason
    assert "20.0% allowed" in result.reason


def test_halving_the_error_rate_is_enough_by_default() -> None:
    assert verify_fix(stats(10, 4), stats(10, 2)).verified is True
    assert verify_fix(stats(10, 4), stats(10, 2), max_error_rate_ratio=0.25).verified is False


def test_not_enough_runs_after_the_fix() -> None:
    result = verify_fix(stats(10, 4), stats(2, 0))
    assert result.verified is False
    assert "not enough data" in result.reason
    assert "2 run(s)" in result.reason
    assert verify_fix(stats(10, 4), stats(2, 0), min_runs_after=2).verified is True


def test_new_failures_after_a_clean_period_are_not_a_fix() -> None:
    assert verify_fix(stats(10, 0), stats(10, 1)).verified is False
    assert verify_fix(stats(10, 0), stats(10, 0)).verified is True


def test_markedly_slower_runs_are_not_verified() -> None:
    result = verify_fix(stats(10, 5, p95=1000.0), stats(10, 0, p95=3000.0))
    assert result.verified is False
    assert "p95" in result.reason
    assert "3 s" in result.reason


def test_small_absolute_latency_changes_are_tolerated() -> None:
    result = verify_fix(stats(10, 5, p95=50.0), stats(10, 0, p95=120.0))
    assert result.verified is True
    assert "p95" in result.reason


def test_without_runs_before_the_fix_only_clean_runs_after_count() -> None:
    clean = verify_fix(RunStats(), stats(5, 0))
    assert clean.verified is True
    assert "no runs before" in clean.reason
    assert verify_fix(RunStats(), stats(5, 1)).verified is False


@pytest.mark.parametrize(
    "kwargs",
    [{"min_runs_after": 0}, {"max_error_rate_ratio": 1.5}, {"max_latency_ratio": 0.5}],
)
def test_bad_parameters_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(InputError):
        verify_fix(stats(1, 1), stats(5, 0), **kwargs)  # type: ignore[arg-type]


def test_metrics_verified_when_problems_clear() -> None:
    result = verify_metrics(
        {"error_rate": 0.15, "avg_response_time": 8.5},
        {"error_rate": 0.01, "avg_response_time": 1.2},
    )
    assert result.verified is True
    assert "error_rate 15.0% -> 1.0%" in result.reason
    assert "avg_response_time 8.5 s -> 1.2 s" in result.reason
    assert result.baseline == {"error_rate": 0.15, "avg_response_time": 8.5}


def test_metrics_not_verified_when_something_got_worse() -> None:
    result = verify_metrics(
        {"error_rate": 0.15, "avg_response_time": 1.0},
        {"error_rate": 0.01, "avg_response_time": 4.0},
    )
    assert result.verified is False
    assert "worse" in result.reason
    assert "avg_response_time" in result.reason


def test_metrics_not_verified_while_still_past_the_warning_level() -> None:
    result = verify_metrics({"error_rate": 0.4}, {"error_rate": 0.1})
    assert result.verified is False
    assert "still" in result.reason


def test_higher_is_better_for_success_rate_and_throughput() -> None:
    assert verify_metrics({"success_rate": 0.8}, {"success_rate": 0.99}).verified is True
    assert verify_metrics({"throughput": 10}, {"throughput": 20}).verified is True
    assert verify_metrics({"throughput": 20}, {"throughput": 10}).verified is False


def test_unknown_metric_direction_is_read_from_its_name() -> None:
    assert verify_metrics({"webhook_failures": 40}, {"webhook_failures": 2}).verified is True
    assert verify_metrics({"frobs": 40}, {"frobs": 2}).verified is False


def test_metrics_with_nothing_in_common_cannot_verify() -> None:
    result = verify_metrics({"error_rate": 0.3}, {"latency": 0.2})
    assert result.verified is False
    assert "no metric" in result.reason


def test_unchanged_metrics_do_not_verify() -> None:
    result = verify_metrics({"latency": 1.0}, {"latency": 1.02})
    assert result.verified is False
    assert "no metric improved" in result.reason


def test_bad_snapshot_values_name_the_side_and_metric() -> None:
    with pytest.raises(InputError) as caught:
        verify_metrics({"error_rate": 0.1}, {"error_rate": math.nan})
    assert caught.value.field == "after.error_rate"
