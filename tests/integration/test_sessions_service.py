"""The troubleshooting service end to end on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flowdoctor.clock import FixedClock
from flowdoctor.domain import IssueCategory, RunEvent, RunStatus, SessionStatus, Stage
from flowdoctor.errors import InputError, InvalidTransitionError, SessionNotFoundError
from flowdoctor.ingest import records_from_strings
from flowdoctor.runtime import Runtime

MIXED_LOG = [
    "2026-11-27T10:00:01Z ERROR Salesforce INVALID_SESSION_ID: Session expired or invalid",
    "2026-11-27T10:05:01Z ERROR Salesforce INVALID_SESSION_ID: Session expired or invalid",
    "2026-11-27T10:10:01Z ERROR Salesforce INVALID_SESSION_ID: Session expired or invalid",
    "2026-11-27T10:11:00Z ERROR connect ECONNREFUSED 10.1.2.3:5432",
    '{"level": "error", "message": "Slack API error: ratelimited", "status": 429}',
    "2026-11-27T10:12:00Z INFO sync finished, 120 records",
]


def _start(runtime: Runtime, lines: list[str] = MIXED_LOG, workflow: str = "sf_sync"):
    return runtime.sessions.start(workflow_id=workflow, error_logs=records_from_strings(lines))


def test_identification_classifies_and_groups(runtime: Runtime) -> None:
    session = _start(runtime)
    assert session.stage is Stage.IDENTIFICATION
    by_category = {i.category: i for i in session.issues}
    assert by_category[IssueCategory.PERMISSIONS].occurrences == 3
    assert IssueCategory.CONNECTIVITY in by_category
    assert IssueCategory.RESOURCE in by_category
    assert sum(i.occurrences for i in session.issues) == 5  # the INFO line is not an error
    stored = runtime.sessions.get(session.session_id)
    assert stored.issues == session.issues
    assert [e.kind for e in stored.events] == ["session_created", "stage_completed"]
    assert stored.stages[0].output["errors_seen"] == 5


def test_stages_run_in_order_with_times_and_audit_trail(
    runtime: Runtime, clock: FixedClock
) -> None:
    session = _start(runtime)
    clock.advance(seconds=5)
    runtime.sessions.analyze(session.session_id, metrics={"avg_response_time": 8.5})
    clock.advance(seconds=5)
    runtime.sessions.analyze(session.session_id, metrics={"error_rate": 0.15})  # analysis again
    clock.advance(seconds=5)
    recs = runtime.sessions.recommend(session.session_id)
    stored = runtime.sessions.get(session.session_id)
    assert [s.stage for s in stored.stages] == [
        Stage.IDENTIFICATION,
        Stage.ANALYSIS,
        Stage.ANALYSIS,
        Stage.DIAGNOSIS,
        Stage.RESOLUTION,
    ]
    assert stored.stage is Stage.RESOLUTION
    assert stored.metrics == {"avg_response_time": 8.5, "error_rate": 0.15}
    assert recs and recs == stored.recommendations
    assert [r.priority for r in recs] == sorted(r.priority for r in recs)
    assert stored.root_causes and stored.root_causes[0].category is IssueCategory.PERMISSIONS
    completed = [e for e in stored.events if e.kind == "stage_completed"]
    assert [e.detail["stage"] for e in completed] == [s.stage.value for s in stored.stages]
    assert [e.sequence for e in stored.events] == list(range(1, len(stored.events) + 1))
    assert stored.stages[1].started_at == session.created_at + timedelta(seconds=5)


def test_invalid_transitions_are_refused_and_change_nothing(runtime: Runtime) -> None:
    session = _start(runtime)
    with pytest.raises(InvalidTransitionError, match="identification"):
        runtime.sessions.verify(session.session_id)
    runtime.sessions.recommend(session.session_id)
    with pytest.raises(InvalidTransitionError, match=r"resolution.*analysis"):
        runtime.sessions.analyze(session.session_id, metrics={"error_rate": 0.2})
    stored = runtime.sessions.get(session.session_id)
    assert stored.stage is Stage.RESOLUTION
    assert "error_rate" not in stored.metrics
    runtime.sessions.close(session.session_id)
    with pytest.raises(InvalidTransitionError, match="closed"):
        runtime.sessions.verify(session.session_id)
    assert runtime.sessions.get(session.session_id).status is SessionStatus.CLOSED


def test_unknown_session_and_bad_metrics(runtime: Runtime) -> None:
    with pytest.raises(SessionNotFoundError):
        runtime.sessions.get("no-such-session")
    with pytest.raises(SessionNotFoundError):
        runtime.sessions.analyze("no-such-session", metrics={})
    session = _start(runtime)
    with pytest.raises(InputError) as caught:
        runtime.sessions.analyze(session.session_id, metrics={"error_rate": float("nan")})
    assert caught.value.field and "error_rate" in caught.value.field
    assert runtime.sessions.get(session.session_id).stage is Stage.IDENTIFICATION
    with pytest.raises(InputError):
        runtime.sessions.start(workflow_id="  ", error_logs=[])


def _runs(runtime: Runtime, clock: FixedClock, *, hours: int, fail: bool) -> None:
    start = clock.now()
    events = [
        RunEvent(
            workflow_id="sf_sync",
            run_id=f"{start.isoformat()}-{i}",
            status=RunStatus.FAILURE if fail else RunStatus.SUCCESS,
            started_at=start + timedelta(minutes=15 * i),
            platform="salesforce",
            duration_ms=900.0,
            error_message="INVALID_SESSION_ID: Session expired or invalid" if fail else None,
        )
        for i in range(hours * 4)
    ]
    runtime.intake.add_runs(events)
    clock.advance(hours=hours)


def test_verification_against_runs_before_and_after_the_fix(
    runtime: Runtime, clock: FixedClock
) -> None:
    _runs(runtime, clock, hours=3, fail=True)
    session = runtime.sessions.start(workflow_id="sf_sync")  # reads the stored failures
    assert session.stages[0].output["source"] == "stored"
    assert session.issues and session.issues[0].occurrences == 12
    runtime.sessions.recommend(session.session_id)
    fixed_at = clock.now()
    _runs(runtime, clock, hours=2, fail=False)
    verified = runtime.sessions.verify(session.session_id, fix_applied_at=fixed_at)
    assert verified.status is SessionStatus.VERIFIED
    assert verified.verification is not None
    assert verified.verification.baseline["error_rate"] == pytest.approx(1.0)
    assert verified.verification.after["error_rate"] == pytest.approx(0.0)
    stored = runtime.sessions.get(session.session_id)
    assert stored.verification == verified.verification


def test_verification_fails_when_errors_continue(runtime: Runtime, clock: FixedClock) -> None:
    _runs(runtime, clock, hours=2, fail=True)
    session = runtime.sessions.start(workflow_id="sf_sync")
    runtime.sessions.recommend(session.session_id)
    fixed_at = clock.now()
    _runs(runtime, clock, hours=2, fail=True)
    result = runtime.sessions.verify(session.session_id, fix_applied_at=fixed_at)
    assert result.status is SessionStatus.NOT_VERIFIED
    assert result.verification is not None and not result.verification.verified


def test_verification_with_metric_snapshots(runtime: Runtime) -> None:
    session = _start(runtime)
    runtime.sessions.recommend(session.session_id)
    good = runtime.sessions.verify(
        session.session_id, before={"error_rate": 0.4}, after={"error_rate": 0.0}
    )
    assert good.status is SessionStatus.VERIFIED
    with pytest.raises(InputError):
        runtime.sessions.verify(session.session_id, before={"error_rate": 0.4})


def test_session_summaries_count_issues_and_name_the_top_category_in_one_read(
    runtime: Runtime,
) -> None:
    mixed = _start(runtime)
    slack_only = _start(runtime, [MIXED_LOG[4], MIXED_LOG[4]], workflow="alerts")
    quiet = _start(runtime, [MIXED_LOG[5]], workflow="quiet")
    found = runtime.issues.session_summaries(
        [mixed.session_id, slack_only.session_id, quiet.session_id, "no-such-session"]
    )
    assert found[mixed.session_id].issues == len(mixed.issues)
    assert found[mixed.session_id].top_category == IssueCategory.PERMISSIONS.value  # 3 of 5
    assert found[slack_only.session_id].top_category == IssueCategory.RESOURCE.value
    assert quiet.session_id not in found  # no issues: nothing to sum
    assert "no-such-session" not in found
    assert runtime.issues.session_summaries([]) == {}
