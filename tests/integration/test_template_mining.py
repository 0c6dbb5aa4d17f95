"""Each session's error lines update its workflow's recurring templates, on SQLite and
PostgreSQL: the miner state carries template ids from one session to the next, and counts add up."""

from __future__ import annotations

from datetime import UTC, datetime

from flowdoctor.clock import FixedClock
from flowdoctor.ingest import records_from_strings
from flowdoctor.mining import TemplateMiner
from flowdoctor.runtime import Runtime

FIRST = [
    "2026-11-27T10:00:01Z ERROR Read timed out after 30000 ms calling the bulk API",
    "2026-11-27T10:05:01Z ERROR Read timed out after 45000 ms calling the bulk API",
    "2026-11-27T10:06:00Z ERROR connect ECONNREFUSED 10.1.2.3:5432",
    "2026-11-27T10:07:00Z INFO sync finished",  # not an error: not mined
]
SECOND = [
    "2026-11-26T08:00:00Z ERROR Read timed out after 31000 ms calling the bulk API",
    "2026-11-27T11:00:00Z ERROR Read timed out after 32000 ms calling the bulk API",
    '{"level": "error", "message": "Read timed out after 33000 ms calling the bulk API"}',
]


def _start(runtime: Runtime, lines: list[str], workflow: str = "sf_sync") -> None:
    runtime.sessions.start(workflow_id=workflow, error_logs=records_from_strings(lines))


def test_sessions_accumulate_their_workflows_templates(runtime: Runtime, clock: FixedClock) -> None:
    _start(runtime, FIRST)
    with runtime.db.transaction() as store:
        first = {t.template: t for t in store.templates.list("sf_sync")}
        state = store.templates.load_state("sf_sync")
    assert sum(t.occurrences for t in first.values()) == 3
    assert state is not None and state["version"] == 1
    (timeout,) = [t for t in first.values() if "timed out" in t.template]
    assert timeout.occurrences == 2

    clock.advance(hours=3)
    _start(runtime, SECOND)
    _start(runtime, ["2026-11-27T12:00:00Z ERROR something else entirely"], workflow="other")
    with runtime.db.transaction() as store:
        templates = store.templates.list("sf_sync")
        miner = TemplateMiner.from_state(store.templates.load_state("sf_sync") or {})
    (again,) = [t for t in templates if t.template_id == timeout.template_id]
    assert again.occurrences == 5  # the same id across sessions: the state carried it
    assert again.first_seen == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert again.last_seen == clock.now()  # the undated line counts as seen when identified
    assert sum(t.occurrences for t in templates) == 6
    assert miner.match("Read timed out after 99 ms calling the bulk API") is not None


def test_identification_output_counts_templates(runtime: Runtime) -> None:
    session = runtime.sessions.start(workflow_id="sf_sync", error_logs=records_from_strings(FIRST))
    assert session.stages[0].output["templates"] == 2
    quiet = runtime.sessions.start(
        workflow_id="quiet", error_logs=records_from_strings(["INFO all good"])
    )
    assert quiet.stages[0].output["templates"] == 0
    with runtime.db.transaction() as store:
        assert store.templates.load_state("quiet") is None


def test_templates_merged_during_a_session_are_recorded_under_the_survivor(
    runtime: Runtime,
) -> None:
    lines = [
        f"2026-11-27T10:0{n}:00Z ERROR lookup failed: user {name} not found in directory"
        for n, name in enumerate(["alice", "bob", "carol", "dave", "erin"])
    ]
    _start(runtime, lines)
    with runtime.db.transaction() as store:
        (only,) = store.templates.list("sf_sync")
    assert (only.template_id, only.occurrences) == ("T1", 5)
    assert only.template == "lookup failed: user <*> not found in directory"
    assert only.first_seen == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert only.last_seen == datetime(2026, 11, 27, 10, 4, tzinfo=UTC)
