"""The store on SQLite and PostgreSQL: migrations match the tables, round trips keep every field,
and a transaction that raises leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from flowdoctor.domain import (
    DiagnosticFinding,
    IssueCategory,
    LogLevel,
    LogRecord,
    MetricSample,
    Recommendation,
    ReplaySafety,
    RunEvent,
    RunStatus,
    SessionStatus,
    Severity,
    Stage,
    StageRecord,
    TroubleshootingSession,
    VerificationResult,
    WorkflowIssue,
)
from flowdoctor.errors import SchemaOutOfDateError
from flowdoctor.store import Database, current_revision, head_revision, require_current, upgrade
from flowdoctor.store.migrate import downgrade
from flowdoctor.store.tables import metadata

T0 = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Database:
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


def test_migrations_produce_exactly_the_tables(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(db.engine) == head_revision()


def test_downgrade_to_base_removes_everything_and_upgrade_restores(db: Database) -> None:
    downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    with pytest.raises(SchemaOutOfDateError, match="flowdoctor db upgrade"):
        require_current(db.engine)
    upgrade(db.engine)
    assert {"runs", "sessions", "session_events"} <= set(inspect(db.engine).get_table_names())


def test_sqlite_file_is_in_wal_mode(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    upgrade(database.engine)
    with database.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    database.dispose()
    assert mode == "wal"


def _run(i: int, **changes: object) -> RunEvent:
    fields: dict[str, object] = {
        "workflow_id": "wf",
        "run_id": f"r{i}",
        "status": RunStatus.FAILURE if i % 2 else RunStatus.SUCCESS,
        "started_at": T0 + timedelta(minutes=i),
        "step": "load",
        "platform": "salesforce",
        "duration_ms": 1234.5,
        "error_message": "INVALID_SESSION_ID: Session expired or invalid" if i % 2 else None,
        "error_code": "INVALID_SESSION_ID" if i % 2 else None,
        "http_status": 401 if i % 2 else None,
        "records_processed": 10 * i,
        "attempt": 2,
    }
    fields.update(changes)
    return RunEvent(**fields)  # type: ignore[arg-type]


def test_runs_round_trip_every_field_and_filter_by_time(db: Database) -> None:
    events = [_run(i) for i in range(2500)]  # more than one insert chunk
    with db.transaction() as store:
        assert store.runs.add_many(events) == 2500
    with db.transaction() as store:
        back = store.runs.list(workflow_id="wf")
        window = store.runs.list(
            workflow_id="wf", since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20)
        )
        assert store.runs.workflow_ids() == ["wf"]
    assert back == events
    assert [e.run_id for e in window] == [f"r{i}" for i in range(10, 20)]
    assert back[1].started_at.tzinfo is not None


def test_a_transaction_that_raises_writes_nothing(db: Database) -> None:
    with db.transaction() as store:
        store.runs.add_many([_run(1)])
    with pytest.raises(RuntimeError), db.transaction() as store:
        store.runs.add_many([_run(2), _run(3)])
        raise RuntimeError("boom")
    with db.transaction() as store:
        assert [r.run_id for r in store.runs.list()] == ["r1"]


def test_logs_and_metrics_round_trip(db: Database) -> None:
    record = LogRecord(
        message="ratelimited",
        raw="2026-11-27T09:30:00Z ERROR ratelimited",
        timestamp=T0,
        level=LogLevel.ERROR,
        workflow_id=None,
        platform="slack",
        http_status=429,
    )
    sample = MetricSample(
        workflow_id="wf", name="error_rate", value=0.25, timestamp=T0, labels={"env": "prod"}
    )
    with db.transaction() as store:
        store.logs.add_many([record], workflow_id="wf")
        store.metrics.add_many([sample])
    with db.transaction() as store:
        (log,) = store.logs.list(workflow_id="wf", since=T0)
        assert store.logs.list(workflow_id="wf", since=T0 + timedelta(seconds=1)) == []
        (metric,) = store.metrics.list(workflow_id="wf", name="error_rate")
    assert log.workflow_id == "wf"
    assert (log.message, log.level, log.http_status, log.timestamp) == (
        "ratelimited",
        LogLevel.ERROR,
        429,
        T0,
    )
    assert metric == sample


def test_session_round_trip_with_children_and_audit_sequence(db: Database) -> None:
    session = TroubleshootingSession(
        session_id="s-1", workflow_id="wf", created_at=T0, updated_at=T0
    )
    issue = WorkflowIssue(
        fingerprint="abc",
        category=IssueCategory.PERMISSIONS,
        severity=Severity.HIGH,
        retryable=False,
        message_template="INVALID_SESSION_ID: Session expired",
        platform="salesforce",
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        confidence=0.9,
        occurrences=7,
        first_seen=T0,
        last_seen=T0 + timedelta(hours=1),
        evidence=["line 1"],
    )
    finding = DiagnosticFinding(
        kind="root_cause",
        description="expired credentials",
        confidence=0.8,
        stage=Stage.DIAGNOSIS,
        category=IssueCategory.PERMISSIONS,
        evidence=("7 occurrences",),
    )
    rec = Recommendation(
        title="Re-authorise",
        steps=("open settings", "reconnect"),
        rationale="token expired",
        retryable=False,
        replay_safety=ReplaySafety.SAFE,
        confidence=0.8,
        priority=1,
        issue_fingerprints=("abc",),
    )
    with db.transaction() as store:
        store.sessions.create(session)
        store.sessions.replace_issues("s-1", [issue])
        store.sessions.replace_findings("s-1", Stage.DIAGNOSIS, [finding])
        store.sessions.replace_recommendations("s-1", [rec])
        store.sessions.add_stage(
            "s-1", StageRecord(Stage.IDENTIFICATION, T0, T0 + timedelta(seconds=1), {"issues": 1})
        )
        first = store.sessions.append_event("s-1", at=T0, kind="a", detail={})
        second = store.sessions.append_event("s-1", at=T0, kind="b", detail={"x": 1})
        session.stage = Stage.RESOLUTION
        session.status = SessionStatus.VERIFIED
        session.verification = VerificationResult(
            verified=True, reason="ok", baseline={"error_rate": 0.5}, after={"error_rate": 0.0}
        )
        store.sessions.save_state(session)
    assert (first.sequence, second.sequence) == (1, 2)
    with db.transaction() as store:
        loaded = store.sessions.get("s-1")
        assert store.sessions.get("nope") is None
    assert loaded is not None
    assert loaded.issues == [issue]
    assert loaded.findings == [finding]
    assert loaded.recommendations == [rec]
    assert loaded.stage is Stage.RESOLUTION and loaded.status is SessionStatus.VERIFIED
    assert loaded.verification == session.verification
    assert [e.kind for e in loaded.events] == ["a", "b"]
    assert loaded.stages[0].duration_ms == pytest.approx(1000.0)
