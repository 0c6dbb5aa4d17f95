"""Migration 0002 on SQLite and PostgreSQL: recommendations stored before it keep working (no
evidence, no doc link), and it can be undone and redone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from flowdoctor.domain import Recommendation, ReplaySafety
from flowdoctor.store import Database, current_revision, head_revision, upgrade
from flowdoctor.store.migrate import downgrade

T0 = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def _old_recommendation(db: Database) -> None:
    """A session and a recommendation written the way revision 0001 knew them."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (session_id, workflow_id, status, created_at, updated_at,"
                " metrics) VALUES ('s-old', 'wf', 'open', :at, :at, '{}')"
            ),
            {"at": T0},
        )
        conn.execute(
            text(
                "INSERT INTO session_recommendations (session_id, priority, title, steps,"
                " rationale, retryable, replay_safety, confidence, issue_fingerprints)"
                " VALUES ('s-old', 1, 'Re-authorise', '[\"reconnect\"]', 'expired', :no, 'safe',"
                " 0.8, '[\"abc\"]')"
            ),
            {"no": False},
        )


def test_rows_written_before_0002_read_with_no_evidence(db: Database) -> None:
    upgrade(db.engine, "0001")
    _old_recommendation(db)
    upgrade(db.engine)
    assert current_revision(db.engine) == head_revision()
    with db.transaction() as store:
        loaded = store.sessions.get("s-old")
    assert loaded is not None
    assert loaded.recommendations == [
        Recommendation(
            title="Re-authorise",
            steps=("reconnect",),
            rationale="expired",
            retryable=False,
            replay_safety=ReplaySafety.SAFE,
            confidence=0.8,
            priority=1,
            issue_fingerprints=("abc",),
        )
    ]


def test_0002_downgrades_to_0001_and_back(db: Database) -> None:
    upgrade(db.engine)
    downgrade(db.engine, "0001")
    names = set(inspect(db.engine).get_table_names())
    assert not names & {"miner_states", "error_templates"}
    columns = {c["name"] for c in inspect(db.engine).get_columns("session_recommendations")}
    assert not columns & {"evidence", "doc_url"}
    upgrade(db.engine)
    assert {"miner_states", "error_templates"} <= set(inspect(db.engine).get_table_names())
