"""The analysis stage over one workflow's series: a fault after a recorded change gives an
anomaly and a change point linked to the change; a slow degradation gives a trend; a metric that
follows the duration is correlated; healthy workflows stay quiet (measured over many seeds)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flowdoctor.analyze.run_series import make_grid, run_series, sample_series, template_series
from flowdoctor.analyze.workflow_findings import analyze_workflow_series
from flowdoctor.domain import (
    ChangeEvent,
    ChangeKind,
    DiagnosticFinding,
    MetricSample,
    RunEvent,
    RunStatus,
)

T0 = datetime(2026, 11, 19, tzinfo=UTC)
DAYS = 8
GRID = make_grid(T0, T0 + timedelta(days=DAYS), timedelta(minutes=10))
BASELINE_END = 7 * 144
ONSET = T0 + timedelta(days=7, hours=14)


def _runs(seed: int, *, fail_after: float = 0.02, slow_per_hour: float = 0.0) -> list[RunEvent]:
    rng = random.Random(seed)
    runs = []
    for i in range(DAYS * 24 * 12):
        at = T0 + timedelta(minutes=5 * i)
        late = at >= ONSET
        hours_in = max(0.0, (at - (T0 + timedelta(days=7))).total_seconds() / 3600)
        p_fail = fail_after if late else 0.02
        failed = rng.random() < p_fail
        duration = rng.gauss(300, 30) * (1 + slow_per_hour * hours_in)
        runs.append(
            RunEvent(
                "wf",
                f"r{i}",
                RunStatus.FAILURE if failed else RunStatus.SUCCESS,
                at,
                platform="salesforce",
                duration_ms=duration,
            )
        )
    return runs


def _analyze(
    runs: list[RunEvent],
    samples: list[MetricSample] | None = None,
    changes: list[ChangeEvent] | None = None,
) -> list[DiagnosticFinding]:
    series = run_series(runs, GRID) + sample_series(samples or [], GRID, workflow_id="wf")
    return analyze_workflow_series(
        series, grid=GRID, baseline_end=BASELINE_END, workflow_id="wf", changes=changes or []
    )


def test_a_fault_after_a_change_gives_an_anomaly_and_a_linked_change_point() -> None:
    change = ChangeEvent(
        "deploy-7", ONSET - timedelta(minutes=3), ChangeKind.DEPLOYMENT, "v7 of the mapping"
    )
    found = _analyze(_runs(1, fail_after=0.5), changes=[change])
    kinds = {f.kind for f in found}
    assert {"metric_anomaly", "change_point"} <= kinds
    shift = next(f for f in found if f.kind == "change_point" and f.subject == "error_rate")
    assert "v7 of the mapping" in shift.description
    anomaly = next(f for f in found if f.kind == "metric_anomaly")
    assert "2026-11-26 14:" in anomaly.description or "2026-11-26 15:0" in anomaly.description


def test_a_slow_degradation_is_a_trend() -> None:
    found = _analyze(_runs(2, slow_per_hour=0.02))
    trends = [f for f in found if f.kind == "metric_trend"]
    assert trends and "duration_p95_ms rising" in trends[0].description


def test_a_metric_following_the_duration_is_correlated() -> None:
    runs = _runs(3, slow_per_hour=0.0)
    rng = random.Random(4)
    # Duration jumps around at random each hour of the last day; queue depth follows 20 min later.
    runs = [
        r
        if r.started_at < T0 + timedelta(days=7)
        else RunEvent(
            r.workflow_id,
            r.run_id,
            r.status,
            r.started_at,
            platform=r.platform,
            duration_ms=(r.duration_ms or 0) * (1 + ((r.started_at.hour * 7) % 5) / 2),
        )
        for r in runs
    ]
    samples = []
    for i in range(BASELINE_END, GRID.size):
        at = GRID.time(i)
        lagged = at - timedelta(minutes=20)
        level = 10 * (1 + ((lagged.hour * 7) % 5) / 2) if lagged >= T0 + timedelta(days=7) else 10
        samples.append(MetricSample("wf", "queue_depth", level + rng.gauss(0, 1), at))
    found = _analyze(runs, samples)
    links = [f for f in found if f.kind == "metric_correlation"]
    assert any("queue_depth follows duration_p95_ms by 20 min" in f.description for f in links), [
        f.description for f in links
    ]


def test_healthy_workflows_stay_quiet() -> None:
    """20 healthy workflows (2 % failures, steady durations): the findings per workflow are
    counted; almost all have none."""
    noisy = [len(_analyze(_runs(seed))) for seed in range(100, 120)]
    assert sum(1 for n in noisy if n) <= 2, noisy


def test_an_error_template_that_follows_a_metric_is_correlated() -> None:
    """Timeouts pile up 20 minutes after the queue grows: the template's counts are correlated
    with the queue depth; a template of steady background errors is not."""
    rng = random.Random(5)
    start = T0 + timedelta(days=7)

    def level(at: datetime) -> float:
        return float((at.hour * 7) % 5) if at >= start else 0.0

    runs, samples = [], []
    for i in range(DAYS * 24 * 12):
        at = T0 + timedelta(minutes=5 * i)
        p_timeout = 0.15 * level(at - timedelta(minutes=20))
        timeout = rng.random() < p_timeout
        background = rng.random() < 0.03
        message = (
            f"Salesforce API timeout after {rng.randint(30000, 60000)} ms"
            if timeout
            else (f"Record {rng.randint(1, 10**6)} skipped: duplicate" if background else None)
        )
        runs.append(
            RunEvent(
                "wf",
                f"r{i}",
                RunStatus.FAILURE if message else RunStatus.SUCCESS,
                at,
                platform="salesforce",
                duration_ms=rng.gauss(300, 30),
                error_message=message,
            )
        )
        if i % 2 == 0 and at >= start:
            samples.append(
                MetricSample("wf", "queue_depth", 10 + 10 * level(at) + rng.gauss(0, 1), at)
            )
    series = [
        *run_series(runs, GRID),
        *sample_series(samples, GRID, workflow_id="wf"),
        *template_series(runs, [], GRID, workflow_id="wf"),
    ]
    found = analyze_workflow_series(series, grid=GRID, baseline_end=BASELINE_END, workflow_id="wf")
    links = [f.description for f in found if f.kind == "metric_correlation"]
    assert any("timeout after <NUM> ms follows queue_depth by 20 min" in text for text in links), (
        links
    )
    assert not any("duplicate" in text for text in links), links
