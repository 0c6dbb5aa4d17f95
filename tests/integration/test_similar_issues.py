"""Error intelligence through the service and the API, on SQLite and PostgreSQL: a stored earlier
session whose fix was verified is found for a new session with a similar error; recommendations
carry their evidence and documentation link."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.clock import FixedClock
from flowdoctor.domain import SessionStatus, TroubleshootingSession
from flowdoctor.errors import SessionNotFoundError
from flowdoctor.ingest import records_from_strings
from flowdoctor.runtime import Runtime

P = API_PREFIX

_EXPIRED = "ERROR Salesforce API error: INVALID_SESSION_ID: Session expired or invalid"
EXPIRED_TOKEN = [f"2026-11-20T10:00:01Z {_EXPIRED}", f"2026-11-20T10:05:01Z {_EXPIRED}"]
SIMILAR = (
    "2026-11-27T09:00:00Z ERROR INVALID_SESSION_ID: Session expired or invalid"
    " for user 0055g00000AbCdEF"
)
UNRELATED = "2026-11-27T09:01:00Z ERROR connect ECONNREFUSED 10.1.2.3:5432"


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def _start(runtime: Runtime, lines: list[str], workflow: str = "sf_sync") -> TroubleshootingSession:
    return runtime.sessions.start(workflow_id=workflow, error_logs=records_from_strings(lines))


def _earlier_fixed_session(runtime: Runtime, clock: FixedClock, *, worked: bool = True) -> str:
    """An expired Salesforce token, re-authenticated, and the fix verified (or not)."""
    session = _start(runtime, EXPIRED_TOKEN)
    runtime.sessions.recommend(session.session_id)
    after = {"error_rate": 0.0 if worked else 0.6}
    verified = runtime.sessions.verify(session.session_id, before={"error_rate": 0.6}, after=after)
    assert verified.status is (SessionStatus.VERIFIED if worked else SessionStatus.NOT_VERIFIED)
    clock.advance(hours=24)
    return session.session_id


def test_a_new_session_finds_the_earlier_verified_fix(runtime: Runtime, clock: FixedClock) -> None:
    earlier = _earlier_fixed_session(runtime, clock)
    fixes = [r.title for r in runtime.sessions.get(earlier).recommendations]
    current = _start(runtime, [SIMILAR, UNRELATED])
    by_template = {i.message_template: i for i in current.issues}
    salesforce = next(i for t, i in by_template.items() if "INVALID_SESSION_ID" in t)
    refused = next(i for t, i in by_template.items() if "ECONNREFUSED" in t)

    found = runtime.sessions.similar_past_issues(current.session_id)

    (match,) = [m for m in found if m.issue_fingerprint == salesforce.fingerprint]
    assert match.session_id == earlier
    assert match.verified is True
    assert match.verification_reason
    assert match.fixes and match.fixes[0] == fixes[0]
    assert match.similarity >= 0.5
    assert "INVALID_SESSION_ID" in match.past_template
    assert not [m for m in found if m.issue_fingerprint == refused.fingerprint]


def test_unverified_fixes_say_so_and_open_sessions_are_no_precedent(
    runtime: Runtime, clock: FixedClock
) -> None:
    failed = _earlier_fixed_session(runtime, clock, worked=False)
    still_open = _start(runtime, EXPIRED_TOKEN)  # never verified: not a precedent
    runtime.sessions.recommend(still_open.session_id)
    clock.advance(hours=1)
    current = _start(runtime, [SIMILAR])
    found = runtime.sessions.similar_past_issues(current.session_id)
    assert [(m.session_id, m.verified) for m in found] == [(failed, False)]
    # The earlier session does not see the later one: only earlier sessions are precedents.
    assert runtime.sessions.similar_past_issues(failed) == []


def test_a_session_closed_after_verification_is_still_a_precedent(
    runtime: Runtime, clock: FixedClock
) -> None:
    earlier = _earlier_fixed_session(runtime, clock)
    runtime.sessions.close(earlier, reason="done")
    current = _start(runtime, [SIMILAR])
    assert [m.session_id for m in runtime.sessions.similar_past_issues(current.session_id)] == [
        earlier
    ]


def test_unknown_session(runtime: Runtime, client: TestClient) -> None:
    with pytest.raises(SessionNotFoundError):
        runtime.sessions.similar_past_issues("no-such-session")
    response = client.get(f"{P}/sessions/no-such-session/similar-issues")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "no-such-session" in response.json()["detail"]


def test_similar_issues_over_http(runtime: Runtime, clock: FixedClock, client: TestClient) -> None:
    earlier = _earlier_fixed_session(runtime, clock)
    created = client.post(
        f"{P}/sessions", json={"workflow_id": "sf_sync", "error_logs": [SIMILAR, UNRELATED]}
    )
    assert created.status_code == 201, created.text
    session_id = created.json()["session_id"]

    response = client.get(f"{P}/sessions/{session_id}/similar-issues", params={"limit": 1})
    assert response.status_code == 200, response.text
    (match,) = response.json()
    assert match["session_id"] == earlier and match["verified"] is True
    assert match["fixes"] and match["verification_reason"]

    summary = client.get(f"{P}/sessions/{session_id}/summary")
    assert summary.status_code == 200, summary.text
    assert [m["session_id"] for m in summary.json()["similar_past_issues"]] == [earlier]
    assert client.get(f"{P}/sessions/{session_id}/similar-issues?limit=0").status_code == 422


def test_recommendations_carry_evidence_and_survive_the_store(
    runtime: Runtime, client: TestClient
) -> None:
    session = _start(runtime, [*EXPIRED_TOKEN, UNRELATED])
    made = runtime.sessions.recommend(session.session_id)
    assert all(r.evidence for r in made)
    assert any("matched 2 times" in line for r in made for line in r.evidence)
    assert any(line.startswith("Root cause (") for r in made for line in r.evidence)
    assert runtime.sessions.get(session.session_id).recommendations == made

    body = client.get(f"{P}/sessions/{session.session_id}").json()
    assert [r["evidence"] for r in body["recommendations"]] == [list(r.evidence) for r in made]
    assert [r["doc_url"] for r in body["recommendations"]] == [r.doc_url for r in made]
