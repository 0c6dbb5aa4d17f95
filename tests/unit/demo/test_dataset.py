"""The demo data set: deterministic, inside its window, well-formed and of a sensible size."""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from flowdoctor.demo.dataset import MAX_ATTEMPTS, RETRY_BACKOFF, DemoData, generate_demo_data
from flowdoctor.domain import LogLevel, RunEvent
from flowdoctor.errors import InputError

NOW = datetime(2026, 11, 27, 10, 17, 23, 456789, tzinfo=UTC)
START = NOW - timedelta(days=7)
EXPECTED_WORKFLOWS = {
    "salesforce_sync_001": 15,
    "slack_incident_alerts": 5,
    "teams_daily_digest": 60,
    "sheets_sales_report": 30,
    "hubspot_lead_router": 10,
    "warehouse_export": 60,
}
PLAIN_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>INFO|WARNING|ERROR) "
    r"\[(?P<workflow>[a-z0-9_]+)\] run=(?P<run>\S+)( step=(?P<step>\S+))? (?P<message>.+)$"
)


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate_demo_data(now=NOW)


def whole_runs(data: DemoData) -> list[RunEvent]:
    return [event for event in data.runs if event.step is None]


def stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"


def test_same_seed_and_now_give_equal_data(data: DemoData) -> None:
    assert generate_demo_data(now=NOW) == data


def test_a_different_seed_gives_different_data(data: DemoData) -> None:
    other = generate_demo_data(now=NOW, seed=8)
    assert other.runs != data.runs
    assert other.logs != data.logs
    assert other.metrics != data.metrics


def test_now_in_another_timezone_gives_the_same_data_in_utc(data: DemoData) -> None:
    assert generate_demo_data(now=NOW.astimezone(timezone(timedelta(hours=2)))) == data


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        generate_demo_data(now=datetime(2026, 11, 27, 10, 0))
    assert caught.value.field == "now"


@pytest.mark.parametrize("days", [0, -1, 91])
def test_days_outside_the_range_are_refused(days: int) -> None:
    with pytest.raises(InputError) as caught:
        generate_demo_data(now=NOW, days=days)
    assert caught.value.field == "days"


def all_times(data: DemoData) -> list[datetime]:
    times = [event.started_at for event in data.runs]
    times += [
        event.started_at + timedelta(milliseconds=event.duration_ms or 0) for event in data.runs
    ]
    times += [record.timestamp for record in data.logs if record.timestamp is not None]
    times += [sample.timestamp for sample in data.metrics]
    for incident in data.incidents:
        times += [t for t in (incident.starts_at, incident.ends_at, incident.fixed_at) if t]
    return times


@pytest.mark.parametrize("days", [7, 2])
def test_every_timestamp_is_utc_and_inside_the_window(days: int) -> None:
    data = generate_demo_data(now=NOW, days=days)
    times = all_times(data)
    assert len(times) > 1000
    assert all(t.tzinfo is UTC for t in times)
    assert min(times) >= NOW - timedelta(days=days)
    assert max(times) <= NOW
    assert all(record.timestamp is not None for record in data.logs)


def test_the_window_is_filled_from_start_to_end(data: DemoData) -> None:
    starts = [event.started_at for event in data.runs]
    assert min(starts) - START < timedelta(minutes=5)
    assert NOW - max(starts) < timedelta(minutes=10)


def test_the_six_workflows_are_described(data: DemoData) -> None:
    assert {w.workflow_id: w.schedule_minutes for w in data.workflows} == EXPECTED_WORKFLOWS
    assert all(w.name and w.description and w.platforms for w in data.workflows)
    by_id = {w.workflow_id: w for w in data.workflows}
    assert by_id["salesforce_sync_001"].platforms == ("salesforce", "postgresql")
    assert by_id["warehouse_export"].platforms == ("postgresql", "aws_s3")
    assert {event.workflow_id for event in data.runs} == set(EXPECTED_WORKFLOWS)


def test_runs_follow_each_workflow_schedule(data: DemoData) -> None:
    ids: dict[str, set[str]] = defaultdict(set)
    for event in whole_runs(data):
        ids[event.workflow_id].add(event.run_id)
    for workflow_id, every in EXPECTED_WORKFLOWS.items():
        expected = 7 * 24 * 60 // every
        assert expected - 2 <= len(ids[workflow_id]) <= expected, workflow_id


def test_counts_are_reasonable(data: DemoData) -> None:
    runs = whole_runs(data)
    assert 3000 <= len({event.run_id for event in runs}) <= 6000
    assert len(data.runs) < 25_000
    assert 1000 <= len(data.logs) <= 10_000
    assert len(data.metrics) <= 6 * 7 * 24 * 5
    failure_share = sum(event.failed for event in runs) / len(runs)
    assert 0.005 <= failure_share <= 0.1
    assert set(Counter(record.level for record in data.logs)) == {
        LogLevel.INFO,
        LogLevel.WARNING,
        LogLevel.ERROR,
    }


def test_generation_is_fast() -> None:
    started = time.perf_counter()
    generate_demo_data(now=NOW, seed=3)
    assert time.perf_counter() - started < 2.0


def test_steps_add_up_to_their_whole_run(data: DemoData) -> None:
    steps: dict[tuple[str, int], list[RunEvent]] = defaultdict(list)
    for event in data.runs:
        if event.step is not None:
            steps[(event.run_id, event.attempt)].append(event)
    runs = whole_runs(data)
    assert len(steps) == len(runs)
    for run in runs:
        own = steps[(run.run_id, run.attempt)]
        assert all(step.platform or step.step in ("transform", "collect", "build") for step in own)
        assert run.duration_ms == pytest.approx(sum(step.duration_ms or 0 for step in own))
        assert own[0].started_at == run.started_at
        assert [step.failed for step in own] == [False] * (len(own) - 1) + [run.failed]
        assert run.error_message == own[-1].error_message
        assert run.records_processed == (0 if run.failed else own[-1].records_processed)


def test_retryable_failures_are_retried_and_others_are_not(data: DemoData) -> None:
    attempts: dict[str, list[RunEvent]] = defaultdict(list)
    for event in whole_runs(data):
        attempts[event.run_id].append(event)
    retried = [events for events in attempts.values() if len(events) > 1]
    assert retried
    for events in attempts.values():
        assert [event.attempt for event in events] == list(range(1, len(events) + 1))
        assert len(events) <= MAX_ATTEMPTS
        assert all(event.failed for event in events[:-1])
        for before, retry in pairwise(events):
            ended = before.started_at + timedelta(milliseconds=before.duration_ms or 0)
            assert retry.started_at - ended >= RETRY_BACKOFF * 2 ** (before.attempt - 1)
    crashed = [
        events for events in attempts.values() if "KeyError" in (events[0].error_message or "")
    ]
    assert crashed
    assert all(len(events) == 1 for events in crashed)


def test_one_error_line_per_failed_step(data: DemoData) -> None:
    failed_steps = [event for event in data.runs if event.step is not None and event.failed]
    errors = [record for record in data.logs if record.level is LogLevel.ERROR]
    assert len(errors) == len(failed_steps)
    by_key = {(record.run_id, record.step, record.message) for record in errors}
    for step in failed_steps:
        assert (step.run_id, step.step, step.error_message) in by_key
    coded = [record for record in errors if record.http_status == 429]
    assert coded
    assert all(record.error_code == "ratelimited" for record in coded)


def test_log_lines_mix_plain_text_and_json_that_match_their_fields(data: DemoData) -> None:
    kinds: Counter[str] = Counter()
    for record in data.logs:
        assert record.timestamp is not None and record.level is not None
        if record.raw.startswith("{"):
            kinds["json"] += 1
            payload = json.loads(record.raw)
            assert payload["msg"] == record.message
            assert payload["ts"] == stamp(record.timestamp)
            assert payload["level"] == record.level.value
            assert payload["workflow_id"] == record.workflow_id
            assert payload.get("step") == record.step
            assert payload.get("http_status") == record.http_status
        else:
            kinds["text"] += 1
            match = PLAIN_LINE.match(record.raw)
            assert match is not None, record.raw
            assert match["ts"] == stamp(record.timestamp)
            assert match["level"] == record.level.value.upper()
            assert (match["workflow"], match["run"]) == (record.workflow_id, record.run_id)
            assert match["step"] == record.step
            assert match["message"] == record.message
    assert kinds["json"] > 100
    assert kinds["text"] > 100
