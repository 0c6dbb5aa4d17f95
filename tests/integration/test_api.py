"""The REST API on SQLite and PostgreSQL: the happy path, and every kind of bad input refused
with a clear 4xx problem that names the field, losing nothing accepted before."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.runtime import Runtime

P = API_PREFIX


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def _event(i: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "workflow_id": "slack_alerts",
        "run_id": f"run-{i}",
        "status": "failure" if i % 3 == 0 else "success",
        "started_at": f"2026-11-27T{10 + i // 60:02d}:{i % 60:02d}:00Z",
        "platform": "slack",
        "duration_ms": 250.0 + i,
        "error_message": "Slack API error: ratelimited" if i % 3 == 0 else None,
        "http_status": 429 if i % 3 == 0 else 200,
    }
    body.update(changes)
    return body


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def test_session_lifecycle_over_http(client: TestClient) -> None:
    created = client.post(
        f"{P}/sessions",
        json={
            "workflow_id": "salesforce_sync_001",
            "error_logs": [
                "2026-11-27 10:00:00,001 ERROR INVALID_SESSION_ID: Session expired or invalid",
                "2026-11-27 10:01:00,001 ERROR INVALID_SESSION_ID: Session expired or invalid",
                "2026-11-27 10:02:00,001 ERROR Connection timeout",
            ],
        },
    )
    assert created.status_code == 201, created.text
    sid = created.json()["session_id"]
    assert created.json()["stage"] == "identification"

    issues = client.get(f"{P}/sessions/{sid}/issues").json()
    assert {i["category"] for i in issues} == {"permissions", "timeout"}
    assert max(i["occurrences"] for i in issues) == 2

    findings = client.post(
        f"{P}/sessions/{sid}/analyze-metrics",
        json={"metrics": {"avg_response_time": 8.5, "error_rate": 0.15}},
    )
    assert findings.status_code == 200, findings.text
    assert {f["subject"] for f in findings.json()} >= {"avg_response_time", "error_rate"}

    recs = client.post(f"{P}/sessions/{sid}/recommendations")
    assert recs.status_code == 200 and recs.json()
    assert recs.json()[0]["priority"] == 1 and recs.json()[0]["steps"]

    summary = client.get(f"{P}/sessions/{sid}/summary").json()
    assert summary["stage"] == "resolution"
    assert summary["issues_by_category"] == {"permissions": 1, "timeout": 1}
    assert summary["total_occurrences"] == 3
    assert [s["stage"] for s in summary["stages"]] == [
        "identification",
        "analysis",
        "diagnosis",
        "resolution",
    ]
    assert summary["root_causes"] and summary["events"][0]["kind"] == "session_created"

    verified = client.post(
        f"{P}/sessions/{sid}/verify",
        json={"before": {"error_rate": 0.3}, "after": {"error_rate": 0.0}},
    )
    assert verified.status_code == 200 and verified.json()["verified"] is True
    assert client.get(f"{P}/sessions/{sid}").json()["status"] == "verified"
    listed = client.get(f"{P}/sessions", params={"workflow_id": "salesforce_sync_001"}).json()
    assert [s["session_id"] for s in listed["items"]] == [sid]
    assert listed["next_cursor"] is None


def test_ingest_runs_then_health_and_workflows(client: TestClient) -> None:
    response = client.post(f"{P}/runs", json={"events": [_event(i) for i in range(30)]})
    assert response.status_code == 201 and response.json()["accepted"] == 30
    assert client.get(f"{P}/workflows").json() == {"workflows": ["slack_alerts"]}
    health = client.get(f"{P}/workflows/slack_alerts/health").json()
    assert 0 <= health["score"] < 100
    assert any(c["points_lost"] > 0 and c["reason"] for c in health["components"])


def test_ingest_logs_counts_skipped_lines(client: TestClient, runtime: Runtime) -> None:
    lines = ["ERROR connect ECONNREFUSED 127.0.0.1:5432", "", '{"msg": "ok", "level": "info"}']
    response = client.post(f"{P}/logs", json={"workflow_id": "db_export", "lines": lines})
    assert response.status_code == 201, response.text
    assert response.json() == {"accepted": 2, "skipped": 1}
    with runtime.db.transaction() as store:
        assert [r.workflow_id for r in store.logs.list()] == ["db_export", "db_export"]


def test_unknown_ids_are_404_problems(client: TestClient) -> None:
    for method, url in [
        ("GET", f"{P}/sessions/nope"),
        ("GET", f"{P}/sessions/nope/issues"),
        ("GET", f"{P}/sessions/nope/summary"),
        ("POST", f"{P}/sessions/nope/recommendations"),
        ("POST", f"{P}/sessions/nope/analyze-metrics"),
        ("GET", f"{P}/workflows/nope/health"),
        ("GET", f"{P}/no-such-route"),
    ]:
        kwargs = {"json": {}} if method == "POST" else {}
        body = _problem(client.request(method, url, **kwargs), 404)
        assert "not found" in body["detail"].lower()


def test_invalid_transition_is_409(client: TestClient) -> None:
    sid = client.post(f"{P}/sessions", json={"workflow_id": "w", "error_logs": ["boom"]}).json()[
        "session_id"
    ]
    body = _problem(client.post(f"{P}/sessions/{sid}/verify", json={}), 409)
    assert "identification" in body["detail"]


BAD_SESSION_BODIES: list[tuple[Any, str]] = [
    ({}, "body.workflow_id"),
    ({"workflow_id": 123}, "body.workflow_id"),
    ({"workflow_id": ""}, "body.workflow_id"),
    ({"workflow_id": "w", "error_logs": "not a list"}, "body.error_logs"),
    ({"workflow_id": "w", "error_logs": [1, 2]}, "body.error_logs.0"),
    ({"workflow_id": "w", "surprise": True}, "body.surprise"),
    ({"workflow_id": "w", "run_events": [{"run_id": "x"}]}, "body.run_events.0.workflow_id"),
]


@pytest.mark.parametrize(("body", "field"), BAD_SESSION_BODIES)
def test_bad_session_bodies_name_the_field(client: TestClient, body: Any, field: str) -> None:
    problem = _problem(client.post(f"{P}/sessions", json=body), 422)
    assert field in _fields(problem)


def test_malformed_binary_and_non_finite_bodies(client: TestClient) -> None:
    sid = client.post(f"{P}/sessions", json={"workflow_id": "w", "error_logs": ["x"]}).json()[
        "session_id"
    ]
    raw_bodies = [
        b'{"workflow_id": "w", ',
        b"\x00\xff\xfe binary \x89PNG",
        b"[1, 2, 3]",
        b'{"workflow_id": "w"}' * 3,
    ]
    for raw in raw_bodies:
        response = client.post(
            f"{P}/sessions", content=raw, headers={"content-type": "application/json"}
        )
        _problem(response, 422)
    for literal in ("NaN", "Infinity", "-Infinity", "1e999"):
        raw = f'{{"metrics": {{"error_rate": {literal}}}}}'.encode()
        response = client.post(
            f"{P}/sessions/{sid}/analyze-metrics",
            content=raw,
            headers={"content-type": "application/json"},
        )
        assert "body.metrics.error_rate" in _fields(_problem(response, 422)), literal
    for value in (True, "0.5", None, [0.5]):
        response = client.post(
            f"{P}/sessions/{sid}/analyze-metrics", json={"metrics": {"error_rate": value}}
        )
        _problem(response, 422)


def test_a_bad_batch_is_refused_whole_and_loses_nothing(
    client: TestClient, runtime: Runtime
) -> None:
    first = client.post(f"{P}/runs", json={"events": [_event(i) for i in range(5)]})
    assert first.status_code == 201
    bad_batches = [
        ([_event(10), _event(11), _event(12, started_at="yesterday")], "body.events.2.started_at"),
        ([_event(13, started_at="2026-11-27T10:00:00")], "body.events.0.started_at"),  # naive
        ([_event(14, http_status=999)], "body.events.0.http_status"),
        ([_event(15, duration_ms=-1)], "body.events.0.duration_ms"),
        ([_event(16, status="exploded")], "body.events.0.status"),
        ([_event(17, attempt=True)], "body.events.0.attempt"),
        ([], "body.events"),
    ]
    for events, field in bad_batches:
        problem = _problem(client.post(f"{P}/runs", json={"events": events}), 422)
        assert field in _fields(problem), (field, problem)
    with runtime.db.transaction() as store:
        assert sorted(r.run_id for r in store.runs.list()) == [f"run-{i}" for i in range(5)]


def test_batch_size_limit(client: TestClient, runtime: Runtime) -> None:
    limit = runtime.settings.max_batch_items
    lines = ["x"] * (limit + 1)
    problem = _problem(client.post(f"{P}/logs", json={"lines": lines}), 422)
    assert "lines" in _fields(problem)


def test_huge_payload_is_413_before_parsing(client: TestClient, runtime: Runtime) -> None:
    size = runtime.settings.max_body_bytes + 1
    blob = json.dumps({"workflow_id": "w", "error_logs": ["x" * size]})
    body = _problem(
        client.post(f"{P}/sessions", content=blob, headers={"content-type": "application/json"}),
        413,
    )
    assert str(runtime.settings.max_body_bytes) in body["detail"]
    assert client.get(f"{P}/sessions").json() == {"items": [], "next_cursor": None}


def test_no_bad_input_gives_a_server_error(client: TestClient) -> None:
    sid = client.post(f"{P}/sessions", json={"workflow_id": "w", "error_logs": ["x"]}).json()[
        "session_id"
    ]
    posts = [
        f"{P}/sessions",
        f"{P}/runs",
        f"{P}/logs",
        f"{P}/sessions/{sid}/analyze-metrics",
        f"{P}/sessions/{sid}/verify",
    ]
    junk: list[bytes] = [
        b"",
        b"null",
        b'{"events": null}',
        b'{"lines": [null]}',
        b'{"metrics": {"": 1}}',
        b'{"fix_applied_at": "not a date"}',
        b"[" * 5000,
        '{"workflow_id": "\u0000\ud800"}'.encode("utf-8", "surrogatepass"),
        b'{"workflow_id": "' + b"w" * 5000 + b'"}',
    ]
    for url in posts:
        for raw in junk:
            response = client.post(url, content=raw, headers={"content-type": "application/json"})
            assert 400 <= response.status_code < 500, (url, raw[:40], response.text[:200])
