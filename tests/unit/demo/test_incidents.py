"""The injected incidents show in the runs and logs, and the hourly metrics agree with the runs."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from flowdoctor.demo.dataset import METRIC_NAMES, DemoData, DemoIncident, generate_demo_data
from flowdoctor.demo.scenarios import INCIDENTS
from flowdoctor.domain import IssueCategory, LogLevel, RunEvent

NOW = datetime(2026, 11, 27, 10, 17, 23, 456789, tzinfo=UTC)
START = NOW - timedelta(days=7)
SEEDS = [7, 1, 2024]
CASES = [
    pytest.param(seed, index, id=f"seed{seed}-{spec.workflow_id}-{spec.category}-{index}")
    for seed in SEEDS
    for index, spec in enumerate(INCIDENTS)
]
STEADY_CASES = [
    pytest.param(seed, index, id=f"seed{seed}-{spec.workflow_id}-{spec.category}-{index}")
    for seed in SEEDS
    for index, spec in enumerate(INCIDENTS)
    if spec.limit_ms is None  # a slowdown fails runs only once they reach its time limit
]


@cache
def generated(seed: int) -> DemoData:
    return generate_demo_data(now=NOW, seed=seed)


def whole_runs(data: DemoData, workflow_id: str | None = None) -> list[RunEvent]:
    return [
        event
        for event in data.runs
        if event.step is None and workflow_id in (None, event.workflow_id)
    ]


def caused_by(incident: DemoIncident, events: list[RunEvent]) -> list[RunEvent]:
    return [
        event
        for event in events
        if event.failed and incident.expected_error_substring in (event.error_message or "")
    ]


def test_incidents_cover_at_least_six_taxonomy_categories() -> None:
    categories = {incident.category for incident in generated(7).incidents}
    assert len(categories) >= 6
    assert categories <= {c.value for c in IssueCategory} - {IssueCategory.UNCLASSIFIED.value}
    assert {"permissions", "resource", "connectivity", "configuration"} <= categories


def test_the_brief_incidents_are_there() -> None:
    incidents = {(i.workflow_id, i.category): i for i in generated(7).incidents}
    salesforce = incidents[("salesforce_sync_001", "permissions")]
    assert "INVALID_SESSION_ID" in salesforce.expected_error_substring
    assert salesforce.fixed_at is not None and salesforce.ends_at is not None
    assert timedelta(hours=1) <= salesforce.fixed_at - salesforce.starts_at <= timedelta(hours=6)
    sheets = incidents[("sheets_sales_report", "configuration")]
    assert sheets.ends_at is None and sheets.fixed_at is None
    warehouse = incidents[("warehouse_export", "timeout")]
    assert warehouse.ends_at is None
    assert NOW - warehouse.starts_at <= timedelta(days=1)


@pytest.mark.parametrize(("seed", "index"), CASES)
def test_an_incident_fails_runs_only_inside_its_window(seed: int, index: int) -> None:
    data = generated(seed)
    incident = data.incidents[index]
    events = [event for event in data.runs if event.workflow_id == incident.workflow_id]
    windows = [  # the Slack rate limits come in two bursts, two incidents with one message
        (other.starts_at, other.ends_at or NOW)
        for other in data.incidents
        if (other.workflow_id, other.expected_error_substring)
        == (incident.workflow_id, incident.expected_error_substring)
    ]
    end = incident.ends_at or NOW
    inside = [event for event in events if incident.starts_at <= event.started_at < end]
    assert caused_by(incident, [event for event in inside if event.step is None])
    failures = caused_by(incident, events)
    assert all(any(a <= event.started_at < b for a, b in windows) for event in failures)
    steps = [event for event in failures if event.step is not None]
    assert steps
    assert all(event.platform is not None or event.step == "transform" for event in steps)


@pytest.mark.parametrize(("seed", "index"), STEADY_CASES)
def test_the_first_run_in_an_incident_fails(seed: int, index: int) -> None:
    data = generated(seed)
    incident = data.incidents[index]
    runs = whole_runs(data, incident.workflow_id)
    first = next(event for event in runs if event.started_at >= incident.starts_at)
    assert first.attempt == 1
    assert caused_by(incident, [first])


@pytest.mark.parametrize(("seed", "index"), CASES)
def test_an_incident_leaves_error_lines_a_loader_can_pick_up(seed: int, index: int) -> None:
    data = generated(seed)
    incident = data.incidents[index]
    end = incident.fixed_at or incident.ends_at or NOW
    lines = [
        record
        for record in data.logs
        if record.workflow_id == incident.workflow_id
        and record.is_error
        and record.timestamp is not None
        and incident.starts_at <= record.timestamp <= end
    ]
    assert lines
    assert all(incident.expected_error_substring in record.raw for record in lines)
    assert all(record.run_id and record.step for record in lines)


@pytest.mark.parametrize("seed", SEEDS)
def test_runs_after_a_fix_succeed(seed: int) -> None:
    data = generated(seed)
    fixed = [incident for incident in data.incidents if incident.fixed_at is not None]
    assert len(fixed) >= 2
    for incident in fixed:
        assert incident.fixed_at is not None
        runs = whole_runs(data, incident.workflow_id)
        after = [event for event in runs if event.started_at >= incident.fixed_at]
        during = [
            event for event in runs if incident.starts_at <= event.started_at < incident.fixed_at
        ]
        soon = [
            event for event in after if event.started_at < incident.fixed_at + timedelta(hours=2)
        ]
        assert len(after) >= 3
        assert not caused_by(incident, after)
        assert soon and not any(event.failed for event in soon)
        error_rate = sum(event.failed for event in after) / len(after)
        assert error_rate <= 0.5 * sum(event.failed for event in during) / len(during)


@pytest.mark.parametrize("seed", SEEDS)
def test_ongoing_incidents_are_still_failing_at_the_end(seed: int) -> None:
    data = generated(seed)
    for incident in data.incidents:
        if incident.ends_at is None:
            recent = [
                event
                for event in whole_runs(data, incident.workflow_id)
                if event.started_at >= NOW - timedelta(hours=3)
            ]
            assert caused_by(incident, recent), incident.title


def metric_series(data: DemoData, workflow_id: str, name: str) -> dict[datetime, float]:
    return {
        sample.timestamp: sample.value
        for sample in data.metrics
        if sample.workflow_id == workflow_id and sample.name == name
    }


def test_warehouse_latency_rises_over_the_last_day() -> None:
    series = metric_series(generated(7), "warehouse_export", "avg_response_time")
    first_day = [v for t, v in series.items() if t <= START + timedelta(days=1)]
    last_hours = [v for t, v in series.items() if t > NOW - timedelta(hours=6)]
    assert sum(last_hours) / len(last_hours) > 5 * sum(first_day) / len(first_day)
    slow = [r for r in generated(7).logs if r.level is LogLevel.WARNING and r.step == "query"]
    assert slow


def percentile(ordered: list[float], q: float) -> float:
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@pytest.mark.parametrize("seed", SEEDS)
def test_hourly_metrics_agree_with_the_runs(seed: int) -> None:
    data = generated(seed)
    buckets: dict[tuple[str, datetime], list[RunEvent]] = defaultdict(list)
    for event in whole_runs(data):
        hour_end = START + ((event.started_at - START) // timedelta(hours=1) + 1) * timedelta(
            hours=1
        )
        buckets[(event.workflow_id, hour_end)].append(event)
    samples = {(s.workflow_id, s.timestamp, s.name): s.value for s in data.metrics}
    assert len(samples) == len(data.metrics) == len(buckets) * len(METRIC_NAMES)
    for (workflow_id, hour_end), events in buckets.items():
        durations = sorted((event.duration_ms or 0) / 1000 for event in events)
        expected = {
            "error_rate": sum(event.failed for event in events) / len(events),
            "throughput": len(events),
            "records_processed": sum(event.records_processed or 0 for event in events),
            "avg_response_time": sum(durations) / len(durations),
            "p95_response_time": percentile(durations, 0.95),
        }
        for name, value in expected.items():
            assert samples[(workflow_id, hour_end, name)] == pytest.approx(value), name


def test_metrics_cover_every_hour_of_every_workflow() -> None:
    data = generated(7)
    hours = {(s.workflow_id, s.timestamp) for s in data.metrics}
    assert len(hours) >= 0.98 * 6 * 7 * 24
    assert all(s.labels == {"window": "1h"} for s in data.metrics)
    error_rates = metric_series(data, "sheets_sales_report", "error_rate")
    assert max(error_rates.values()) == 1.0
    assert min(error_rates.values()) == 0.0
