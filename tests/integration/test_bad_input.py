"""Bad input over HTTP, on a real SQLite file, to every operation that takes a body: random bytes,
invalid UTF-8, JSON nested 10,000 deep, NaN and Infinity, numbers beyond any float, oversized
strings and lines, bodies over the size limit, batches over the batch limit, ids that do not exist
and fields of the wrong type. Each gets a 4xx problem (``application/problem+json`` with its
status and a detail), never a 5xx, and what was accepted before is all still there afterwards.

``tests/integration/test_api.py`` covers the session and run bodies field by field; this file
takes the same promises to every other operation. The operations come from the app's OpenAPI
document, so one added later is covered by the body-wide tests without being listed here.

The last section keeps the server bugs these tests found as regressions (each was a 500 or 503
for a client's mistake; each is fixed), on PostgreSQL too where it was PostgreSQL's. A bug found
later is pinned there by a strict xfail until its fix lands.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.clock import FixedClock
from flowdoctor.config import Settings
from flowdoctor.ingest import DEFAULT_MAX_LINE_BYTES
from flowdoctor.runtime import Runtime, build

P = API_PREFIX
PROBLEM_JSON = "application/problem+json"
BODY_LIMIT = 2 * 1024 * 1024
"""A small ``max_body_bytes``, so going over it costs little; still room for a 1 MB YAML."""
BATCH_LIMIT = 25
WORKFLOW = "sf_sync"
BIG_INT = "1" + "0" * 400
"""10**400 as JSON: an integer no float can hold."""


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def runtime(sqlite_url: str, clock: FixedClock) -> Iterator[Runtime]:
    settings = Settings(
        database_url=sqlite_url, max_body_bytes=BODY_LIMIT, max_batch_items=BATCH_LIMIT
    )
    rt = build(settings, clock=clock)
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def seeded(client: TestClient, runtime: Runtime) -> Iterator[dict[str, Any]]:
    """Data of every kind, accepted over HTTP before any bad input arrives; after the test, all
    of it must still be there, unchanged."""
    ids = _seed(client, runtime)
    before = _snapshot(runtime, ids)
    yield ids
    after = _snapshot(runtime, ids)
    for name, kept in before.items():
        if isinstance(kept, set):  # collections may have grown, never lost anything
            assert kept <= after[name], (name, kept - after[name])
        else:
            assert after[name] == kept, name


def _seed(client: TestClient, runtime: Runtime) -> dict[str, Any]:
    now = runtime.clock.now()

    def ok(response: Any) -> Any:
        assert response.status_code in (200, 201), response.text
        return response.json()

    runs = [
        {
            "workflow_id": WORKFLOW,
            "run_id": f"run-{i}",
            "status": "failure" if i % 2 else "success",
            "started_at": (now - timedelta(minutes=i)).isoformat(),
            "http_status": 401 if i % 2 else 200,
            "error_message": "INVALID_SESSION_ID: Session expired" if i % 2 else None,
        }
        for i in range(8)
    ]
    ok(client.post(f"{P}/runs", json={"events": runs}))
    ok(client.post(f"{P}/logs", json={"workflow_id": WORKFLOW, "lines": ["ERROR boom"]}))
    sample = {"workflow_id": WORKFLOW, "name": "queue", "value": 3.0, "timestamp": now.isoformat()}
    ok(client.post(f"{P}/metrics", json={"samples": [sample]}))
    change = {"kind": "credential_rotated", "description": "rotated the token"}
    event_id = ok(client.post(f"{P}/change-events", json={"events": [change]}))["events"][0][
        "event_id"
    ]
    session = ok(client.post(f"{P}/sessions", json={"workflow_id": WORKFLOW}))["session_id"]
    channel = ok(client.post(f"{P}/channels", json=CHANNEL))["channel_id"]
    rule = ok(client.post(f"{P}/rules", json=RULE))["rule_id"]
    runtime.evaluator.evaluate_once()  # fires the rule and queues a notification for the channel
    alert = ok(client.get(f"{P}/alerts", params={"workflow_id": WORKFLOW}))
    alerts = alert["items"] if isinstance(alert, dict) else alert
    silence = ok(client.post(f"{P}/silences", json=SILENCE))["silence_id"]
    ok(client.post("/api/v1/alertmanager", json=ALERTMANAGER))
    notifications = runtime.notifications.list()
    assert alerts and notifications, "the seeded rule did not fire and notify"
    return {
        "session_id": session,
        "workflow_id": WORKFLOW,
        "event_id": event_id,
        "rule_id": rule,
        "fingerprint": alerts[0]["fingerprint"],
        "silence_id": silence,
        "channel_id": channel,
        "notification_id": notifications[0].notification_id,
    }


def _snapshot(runtime: Runtime, ids: dict[str, Any]) -> dict[str, Any]:
    """Everything seeded, read back from the store."""
    with runtime.db.transaction() as store:
        runs = {(r.run_id, r.status.value) for r in store.runs.list(workflow_id=WORKFLOW)}
        logs = {r.raw for r in store.logs.list(workflow_id=WORKFLOW)}
        samples = {(s.name, s.value) for s in store.metrics.list(workflow_id=WORKFLOW)}
    session = runtime.sessions.get(ids["session_id"])
    return {
        "runs": runs,
        "logs": logs,
        "samples": samples,
        "session": (session.workflow_id, session.status, session.stage, len(session.issues)),
        "change event": runtime.changes.get(ids["event_id"]),
        "rule": runtime.rules.get(ids["rule_id"]),
        "channel": runtime.channels.get(ids["channel_id"]),
        "alert": runtime.alerts.get(ids["fingerprint"]).alert.state,
        "notification": runtime.notifications.get(ids["notification_id"]).status,
        "silences": {s.silence_id for s in runtime.alerts.silences()},
    }


# -- valid bodies, and the operations of the document ----------------------------------------

RULE = {
    "name": "sf failing",
    "workflow_id": WORKFLOW,
    "metric_name": "error_rate",
    "condition": "greater_than",
    "threshold": 0.3,
    "severity": "high",
}
CHANNEL = {"name": "loopback", "url": "json+http://127.0.0.1:9/x"}
SILENCE = {
    "matchers": ["team=crm"],
    "ends_at": "2026-11-28T12:00:00Z",
    "reason": "maintenance",
    "created_by": "ana",
}
ALERTMANAGER = {
    "version": "4",
    "status": "firing",
    "receiver": "flowdoctor",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "SalesforceDown", "severity": "critical"},
            "startsAt": "2026-11-27T11:50:00Z",
            "fingerprint": "3f2a1b",
        }
    ],
}
RUN = {
    "workflow_id": WORKFLOW,
    "run_id": "r-new",
    "status": "failure",
    "started_at": "2026-11-27T11:00:00Z",
}
SAMPLE = {
    "workflow_id": WORKFLOW,
    "name": "queue",
    "value": 1.0,
    "timestamp": "2026-11-27T11:00:00Z",
}

VALID: dict[str, Any] = {
    "POST /sessions": {"workflow_id": WORKFLOW, "error_logs": ["ERROR boom"]},
    "POST /sessions/{session_id}/analyze-metrics": {"metrics": {"error_rate": 0.2}},
    "POST /sessions/{session_id}/verify": {"before": {"error_rate": 0.3}, "after": {"x": 0.0}},
    "POST /runs": {"events": [RUN]},
    "POST /logs": {"workflow_id": WORKFLOW, "lines": ["ERROR boom"]},
    "POST /metrics": {"samples": [SAMPLE]},
    "POST /change-events": {"events": [{"kind": "other", "description": "d"}]},
    "POST /rules": RULE,
    "PUT /rules/{rule_id}": RULE,
    "POST /rules/provision": {"yaml": "rules: []\n"},
    "POST /rules/backtest": {"rule": RULE, "days": 1},
    "POST /alerts/{fingerprint}/acknowledge": {"by": "ana", "note": "on it"},
    "POST /alerts/{fingerprint}/resolve": {"by": "ana"},
    "POST /silences": SILENCE,
    "POST /channels": {**CHANNEL, "name": "another"},
    "PATCH /channels/{channel_id}": {"enabled": False},
    "POST /api/v1/alertmanager": ALERTMANAGER,
}
"""A body each operation accepts, by ``METHOD path`` with the API prefix left out."""


def _short(path: str) -> str:
    return path.removeprefix(P) if path.startswith(P) else path


def _operations(client: TestClient, *, with_body: bool) -> list[tuple[str, str]]:
    """``(method, path template)`` of the document's operations that change something; with
    ``with_body``, only those that take a request body."""
    document = client.get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("post", "put", "patch") and (not with_body or "requestBody" in operation)
    ]


def _url(path: str, ids: dict[str, Any]) -> str:
    return path.format(**{name: ids.get(name, "no-such-id") for name in _names(path)})


def _names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _problem(response: Any, *, status: int | None = None) -> dict[str, Any]:
    """The response's problem details, checked: a 4xx (or ``status``), as problem+json."""
    where = f"{response.request.method} {response.request.url.path}"
    text = response.text[:300]
    if status is None:
        assert 400 <= response.status_code < 500, (where, response.status_code, text)
    else:
        assert response.status_code == status, (where, response.status_code, text)
    assert response.headers["content-type"].startswith(PROBLEM_JSON), (where, text)
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code, (where, body)
    assert body["type"].startswith("/problems/"), (where, body)
    assert isinstance(body["detail"], str) and body["detail"], (where, body)
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def _post_raw(client: TestClient, method: str, url: str, raw: bytes, ctype: str) -> Any:
    return client.request(method, url, content=raw, headers={"content-type": ctype})


# -- bodies that are not JSON, or not JSON anything can hold -------------------------------------

_DEPTH = 10_000
JUNK_BODIES: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \r\n\t ",
    "invalid utf-8": b'{"workflow_id": "\xff\xfe\xc3(", "name": "\x80"}',
    "lone surrogate as utf-8": b'{"workflow_id": "\xed\xa0\x80"}',
    "nul bytes": b'{"workflow_id": "w"\x00}',
    "truncated": b'{"events": [{"workflow_id": "w", ',
    "trailing garbage": b'{"workflow_id": "w"} xyz',
    "deep list": b"[" * _DEPTH + b"]" * _DEPTH,
    "deep object": b'{"a":' * _DEPTH + b"1" + b"}" * _DEPTH,
    "deep inside every field": (
        b'{"workflow_id": "w", "yaml": "rules: []", "events": '
        + b"[" * _DEPTH
        + b"]" * _DEPTH
        + b', "metrics": '
        + b'{"a":' * _DEPTH
        + b"1"
        + b"}" * _DEPTH
        + b"}"
    ),
    "NaN everywhere": (
        b'{"value": NaN, "metrics": {"x": NaN}, "days": NaN, "threshold": NaN, '
        b'"duration_ms": NaN, "http_status": NaN, "events": [NaN], "samples": [NaN]}'
    ),
    "Infinity everywhere": (
        b'{"value": Infinity, "metrics": {"x": -Infinity}, "days": Infinity, '
        b'"threshold": -Infinity, "grouping": {"wait_seconds": Infinity}}'
    ),
    "10**400 everywhere": (
        f'{{"days": {BIG_INT}, "threshold": {BIG_INT}, "value": {BIG_INT}, '
        f'"metrics": {{"x": {BIG_INT}}}, "attempt": {BIG_INT}, "version": {BIG_INT}}}'
    ).encode(),
    "1e400 everywhere": b'{"days": 1e400, "threshold": -1e400, "metrics": {"x": 1e400}}',
    "a string": b'"hello"',
    "a number": b"42",
    "true": b"true",
    "null": b"null",
    "an empty list": b"[]",
    "a list of objects": b'[{"workflow_id": "w"}]',
}


def _random_bodies(count: int) -> list[bytes]:
    """Deterministic random bytes: raw noise, and noise after a JSON-looking start."""
    rng = random.Random(20261127)
    bodies = []
    for i in range(count):
        noise = bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 7, 64, 513, 4096])))
        bodies.append(noise if i % 2 else b'{"workflow_id": "' + noise + b'"}')
    return bodies


def test_junk_bodies_to_every_operation_are_4xx_problems(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    operations = _operations(client, with_body=True)
    assert len(operations) >= 15, operations
    for method, path in operations:
        url = _url(path, seeded)
        for name, raw in JUNK_BODIES.items():
            response = _post_raw(client, method, url, raw, "application/json")
            assert response.status_code != 500, (method, path, name)
            _problem(response)


def test_random_bytes_to_every_operation_are_4xx_problems(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    bodies = _random_bodies(24)
    refused = 0
    for method, path in _operations(client, with_body=True):
        url = _url(path, UNKNOWN_ID)  # noise that happens to be a valid body changes nothing seeded
        for i, raw in enumerate(bodies):
            for ctype in ("application/json", "application/octet-stream"):
                response = _post_raw(client, method, url, raw, ctype)
                assert response.status_code < 500, (method, path, i, ctype, response.text[:200])
                if response.status_code >= 400:
                    _problem(response)
                    refused += 1
    assert refused > 0.9 * 2 * len(bodies) * len(_operations(client, with_body=True))


@pytest.mark.parametrize(
    "ctype",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_a_valid_body_of_another_content_type_is_a_4xx_problem(
    client: TestClient, seeded: dict[str, Any], ctype: str
) -> None:
    for method, path in _operations(client, with_body=True):
        body = VALID.get(f"{method} {_short(path)}", {"workflow_id": WORKFLOW})
        url = _url(path, UNKNOWN_ID)  # nothing seeded changes, whatever the answer
        response = _post_raw(client, method, url, json.dumps(body).encode(), ctype)
        assert response.status_code < 500, (method, path, response.text[:200])
        if response.status_code >= 400:
            _problem(response)


# -- NaN, Infinity and numbers no float holds, field by field ------------------------------------

_SESSION = "/sessions/{session_id}"
NUMERIC_FIELDS: list[tuple[str, Any, list[str], str]] = [
    # (operation, valid body, path of the numeric field in it, field named by the error)
    ("POST /metrics", {"samples": [SAMPLE]}, ["samples", 0, "value"], "body.samples.0.value"),
    ("POST /runs", {"events": [RUN]}, ["events", 0, "duration_ms"], "body.events.0.duration_ms"),
    ("POST /runs", {"events": [RUN]}, ["events", 0, "records_processed"], "records_processed"),
    (f"POST {_SESSION}/analyze-metrics", {"baseline": {}}, ["baseline", "x"], "body.baseline.x"),
    (f"POST {_SESSION}/verify", {"before": {}}, ["before", "x"], "body.before.x"),
    (f"POST {_SESSION}/verify", {"after": {}}, ["after", "x"], "body.after.x"),
    ("POST /rules/backtest", {"rule": RULE}, ["days"], "body.days"),
    ("POST /channels", {**CHANNEL, "grouping": {}}, ["grouping", "wait_seconds"], "wait_seconds"),
    (
        "PATCH /channels/{channel_id}",
        {"grouping": {}},
        ["grouping", "interval_seconds"],
        "interval_seconds",
    ),
    ("POST /rules", {**RULE}, ["threshold"], "rule.threshold"),
    ("PUT /rules/{rule_id}", {**RULE}, ["threshold"], "rule.threshold"),
    ("POST /rules", {**RULE}, ["for"], "rule.for"),
    ("POST /rules/backtest", {"rule": {**RULE}}, ["rule", "window"], "rule.window"),
]
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]


def _with_literal(body: Any, path: list[Any], literal: str) -> bytes:
    """``body`` as JSON with the value at ``path`` replaced by a raw JSON ``literal``."""
    marker = f"__literal_{uuid.uuid4().hex}__"
    target = body = json.loads(json.dumps(body))
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(body).replace(f'"{marker}"', literal).encode()


@pytest.mark.parametrize(
    ("operation", "body", "path", "field"),
    NUMERIC_FIELDS,
    ids=[f"{op.split()[-1]}:{'.'.join(map(str, path))}" for op, _, path, _ in NUMERIC_FIELDS],
)
def test_non_finite_numbers_are_refused_naming_the_field(
    client: TestClient,
    seeded: dict[str, Any],
    operation: str,
    body: Any,
    path: list[Any],
    field: str,
) -> None:
    method, short = operation.split(" ", 1)
    url = _url(P + short, seeded)
    for literal in NON_FINITE:
        raw = _with_literal(body, path, literal)
        problem = _problem(_post_raw(client, method, url, raw, "application/json"), status=422)
        assert any(field in f for f in _fields(problem)), (literal, problem)


# 10**400 where a float or a bounded integer is expected (the rule fields are pinned as bugs at
# the end of this file).
HUGE_INTEGER_FIELDS = [f for f in NUMERIC_FIELDS if not f[0].split()[-1].startswith("/rules")]


@pytest.mark.parametrize(
    ("operation", "body", "path", "field"),
    HUGE_INTEGER_FIELDS,
    ids=[f"{op.split()[-1]}:{'.'.join(map(str, path))}" for op, _, path, _ in HUGE_INTEGER_FIELDS],
)
def test_integers_beyond_any_float_are_refused_naming_the_field(
    client: TestClient,
    seeded: dict[str, Any],
    operation: str,
    body: Any,
    path: list[Any],
    field: str,
) -> None:
    method, short = operation.split(" ", 1)
    url = _url(P + short, seeded)
    for literal in (BIG_INT, f"-{BIG_INT}"):
        raw = _with_literal(body, path, literal)
        problem = _problem(_post_raw(client, method, url, raw, "application/json"), status=422)
        assert any(field in f for f in _fields(problem)), (literal, problem)


# -- wrong types ------------------------------------------------------------------------------

WRONG_TYPES: list[tuple[str, Any, str]] = [
    ("POST /logs", {"workflow_id": 7, "lines": ["x"]}, "body.workflow_id"),
    ("POST /logs", {"lines": "ERROR boom"}, "body.lines"),
    ("POST /logs", {"lines": [{"msg": "x"}]}, "body.lines.0"),
    ("POST /metrics", {"samples": [{**SAMPLE, "value": "1.5"}]}, "body.samples.0.value"),
    ("POST /metrics", {"samples": [{**SAMPLE, "value": True}]}, "body.samples.0.value"),
    ("POST /metrics", {"samples": [{**SAMPLE, "timestamp": [2026]}]}, "timestamp"),
    ("POST /metrics", {"samples": [{**SAMPLE, "timestamp": "2026-11-27T11:00:00"}]}, "timestamp"),
    ("POST /metrics", {"samples": [{**SAMPLE, "labels": ["a"]}]}, "body.samples.0.labels"),
    ("POST /metrics", {"samples": [{**SAMPLE, "labels": {"a": 1}}]}, "body.samples.0.labels.a"),
    ("POST /metrics", {"samples": {"0": SAMPLE}}, "body.samples"),
    ("POST /change-events", {"events": [{"kind": 1, "description": "d"}]}, "body.events.0.kind"),
    ("POST /change-events", {"events": [{"kind": "other", "description": ["d"]}]}, "description"),
    (
        "POST /change-events",
        {"events": [{"kind": "other", "description": "d", "occurred_at": True}]},
        "occurred_at",
    ),
    ("POST /rules", {**RULE, "threshold": "0.3"}, "rule.threshold"),
    ("POST /rules", {**RULE, "threshold": True}, "rule.threshold"),
    ("POST /rules", {**RULE, "enabled": "yes"}, "rule.enabled"),
    ("POST /rules", {**RULE, "labels": ["team=crm"]}, "rule.labels"),
    ("POST /rules", {**RULE, "for": "soon"}, "rule.for"),
    ("POST /rules", {**RULE, "severity": 3}, "rule.severity"),
    ("POST /rules", {**RULE, "workflow_id": None, "matchers": "team=crm"}, "rule.matchers"),
    ("PUT /rules/{rule_id}", {**RULE, "metric_name": 5}, "rule.metric_name"),
    ("POST /rules/provision", {"yaml": ["rules: []"]}, "body.yaml"),
    ("POST /rules/provision", {"yaml": "rules: {a: 1}"}, "rules"),
    ("POST /rules/backtest", {"rule": RULE, "days": [7]}, "body.days"),
    ("POST /rules/backtest", {"rule": RULE, "step": 60}, "body.step"),
    ("POST /rules/backtest", {"rule": "sf failing"}, "body.rule"),
    ("POST /alerts/{fingerprint}/acknowledge", {"by": 1}, "body.by"),
    ("POST /alerts/{fingerprint}/resolve", {"by": "ana", "note": None}, "body.note"),
    ("POST /silences", {**SILENCE, "matchers": "team=crm"}, "body.matchers"),
    ("POST /silences", {**SILENCE, "ends_at": {"at": "tomorrow"}}, "body.ends_at"),
    ("POST /silences", {**SILENCE, "ends_at": "2026-11-28T12:00:00"}, "body.ends_at"),
    ("POST /channels", {**CHANNEL, "name": 1}, "body.name"),
    ("POST /channels", {**CHANNEL, "url": ["x"]}, "body.url"),
    ("POST /channels", {**CHANNEL, "severities": "high"}, "body.severities"),
    ("POST /channels", {**CHANNEL, "enabled": "true"}, "body.enabled"),
    (
        "POST /channels",
        {**CHANNEL, "name": "g", "grouping": {"wait_seconds": [30]}},
        "wait_seconds",
    ),
    ("POST /channels", {**CHANNEL, "name": "g", "grouping": {"by": "alertname"}}, "grouping.by"),
    ("PATCH /channels/{channel_id}", {"matchers": [1]}, "body.matchers.0"),
    ("PATCH /channels/{channel_id}", {"severities": ["loud"]}, "body.severities.0"),
    (f"POST {_SESSION}/verify", {"fix_applied_at": "yesterday"}, "body.fix_applied_at"),
    (f"POST {_SESSION}/verify", {"before": {"x": "0.3"}}, "body.before.x"),
    ("POST /api/v1/alertmanager", {**ALERTMANAGER, "version": 4}, "body.version"),
    ("POST /api/v1/alertmanager", {**ALERTMANAGER, "alerts": {}}, "body.alerts"),
    (
        "POST /api/v1/alertmanager",
        {**ALERTMANAGER, "alerts": [{**ALERTMANAGER["alerts"][0], "labels": {"a": 1}}]},
        "body.alerts.0.labels.a",
    ),
    (
        "POST /api/v1/alertmanager",
        {**ALERTMANAGER, "alerts": [{**ALERTMANAGER["alerts"][0], "startsAt": "yesterday"}]},
        "body.alerts.0.startsAt",
    ),
]


@pytest.mark.parametrize(
    ("operation", "body", "field"), WRONG_TYPES, ids=[f"{o}:{f}" for o, _, f in WRONG_TYPES]
)
def test_wrong_types_are_refused_naming_the_field(
    client: TestClient, seeded: dict[str, Any], operation: str, body: Any, field: str
) -> None:
    method, short = operation.split(" ", 1)
    url = _url(short if short.startswith("/api/v1") else P + short, seeded)
    problem = _problem(client.request(method, url, json=body), status=422)
    assert any(field in f for f in _fields(problem)), problem


# -- sizes: strings, lines, bodies, batches ------------------------------------------------------

TOO_LONG: list[tuple[str, Any, str]] = [
    ("POST /runs", {"events": [{**RUN, "error_message": "x" * 10_001}]}, "error_message"),
    ("POST /runs", {"events": [{**RUN, "run_id": "r" * 201}]}, "body.events.0.run_id"),
    ("POST /sessions", {"workflow_id": "w" * 201}, "body.workflow_id"),
    ("POST /metrics", {"samples": [{**SAMPLE, "name": "n" * 201}]}, "body.samples.0.name"),
    ("POST /change-events", {"events": [{"kind": "other", "description": "d" * 2001}]}, "desc"),
    ("POST /rules/provision", {"yaml": "#" * 1_000_001}, "body.yaml"),
    ("POST /rules", {**RULE, "name": "n" * 201}, "rule.name"),
    ("POST /alerts/{fingerprint}/acknowledge", {"by": "b" * 201}, "body.by"),
    ("POST /silences", {**SILENCE, "reason": "r" * 2001}, "body.reason"),
    ("POST /channels", {**CHANNEL, "url": "json+http://127.0.0.1:9/" + "x" * 4000}, "body.url"),
    (
        "POST /api/v1/alertmanager",
        {**ALERTMANAGER, "alerts": [{**ALERTMANAGER["alerts"][0], "labels": {"a": "v" * 10_001}}]},
        "body.alerts.0.labels.a",
    ),
]


@pytest.mark.parametrize(
    ("operation", "body", "field"), TOO_LONG, ids=[f"{o}:{f}" for o, _, f in TOO_LONG]
)
def test_oversized_strings_are_refused_naming_the_field(
    client: TestClient, seeded: dict[str, Any], operation: str, body: Any, field: str
) -> None:
    method, short = operation.split(" ", 1)
    url = _url(short if short.startswith("/api/v1") else P + short, seeded)
    problem = _problem(client.request(method, url, json=body), status=422)
    assert any(field in f for f in _fields(problem)), problem


def test_an_oversized_log_line_is_refused_naming_it_and_nothing_is_stored(
    client: TestClient, runtime: Runtime, seeded: dict[str, Any]
) -> None:
    """A log line over DEFAULT_MAX_LINE_BYTES of UTF-8 is a 422 naming the line (the file
    reader cuts such lines; over HTTP the client is told), for ingest and a session's logs."""
    line = "ERROR " + "é" * (DEFAULT_MAX_LINE_BYTES // 2)  # two bytes a character: just over
    response = client.post(f"{P}/logs", json={"workflow_id": "long_lines", "lines": ["x", line]})
    problem = _problem(response, status=422)
    assert _fields(problem) == ["body.lines.1"] and "65,536 bytes" in response.text
    with runtime.db.transaction() as store:
        assert store.logs.list(workflow_id="long_lines") == []
    session = client.post(f"{P}/sessions", json={"workflow_id": "long_lines", "error_logs": [line]})
    assert _fields(_problem(session, status=422)) == ["body.error_logs.0"]
    at_limit = "é" * (DEFAULT_MAX_LINE_BYTES // 2)
    accepted = client.post(f"{P}/logs", json={"workflow_id": "long_lines", "lines": [at_limit]})
    assert accepted.status_code == 201, accepted.text[:300]


def _body_taking_urls(client: TestClient, ids: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m, _url(p, ids)) for m, p in _operations(client, with_body=True)]


def test_a_body_over_the_limit_is_413_on_every_operation(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    blob = b'{"workflow_id": "' + b"x" * BODY_LIMIT + b'"}'
    for method, url in _body_taking_urls(client, seeded):
        declared = _post_raw(client, method, url, blob, "application/json")
        assert str(BODY_LIMIT) in _problem(declared, status=413)["detail"], url
        # Without a Content-Length (chunked): counted as it arrives, refused all the same.
        chunks = (blob[i : i + 65_536] for i in range(0, len(blob), 65_536))
        streamed = client.request(
            method, url, content=chunks, headers={"content-type": "application/json"}
        )
        _problem(streamed, status=413)


def test_a_body_at_the_limit_is_read(client: TestClient, seeded: dict[str, Any]) -> None:
    # Whitespace between JSON tokens pads the body: lines and batch stay within their limits.
    head, tail = b'{"workflow_id": "w", "lines": ["' + b"x" * 60_000 + b'"]', b"}"
    raw = head + b" " * (BODY_LIMIT - len(head) - len(tail)) + tail
    assert len(raw) == BODY_LIMIT
    response = _post_raw(client, "POST", f"{P}/logs", raw, "application/json")
    assert response.status_code == 201, response.text[:300]


BATCHES: list[tuple[str, str, Any, str]] = [
    ("/runs", "events", [{**RUN, "run_id": f"b-{i}"} for i in range(BATCH_LIMIT + 1)], "events"),
    ("/metrics", "samples", [SAMPLE] * (BATCH_LIMIT + 1), "samples"),
    (
        "/change-events",
        "events",
        [{"kind": "other", "description": f"d{i}"} for i in range(BATCH_LIMIT + 1)],
        "events",
    ),
]


@pytest.mark.parametrize(("path", "key", "items", "field"), BATCHES, ids=[b[0] for b in BATCHES])
def test_a_batch_over_the_limit_is_refused_whole(
    client: TestClient, seeded: dict[str, Any], path: str, key: str, items: Any, field: str
) -> None:
    problem = _problem(client.post(f"{P}{path}", json={key: items}), status=422)
    assert any(field in f for f in _fields(problem)), problem
    assert str(BATCH_LIMIT) in problem["detail"], problem
    at_limit = client.post(f"{P}{path}", json={key: items[:BATCH_LIMIT]})
    assert at_limit.status_code == 201, at_limit.text[:300]


def test_lists_over_their_fixed_limits_are_refused(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    too_many_matchers = {**SILENCE, "matchers": [f"a{i}=b" for i in range(51)]}
    _problem(client.post(f"{P}/silences", json=too_many_matchers), status=422)
    many_labels = {f"l{i}": "v" for i in range(101)}
    alert = {**ALERTMANAGER["alerts"][0], "labels": many_labels}
    body = {**ALERTMANAGER, "alerts": [alert]}
    _problem(client.post("/api/v1/alertmanager", json=body), status=422)
    channel = {**CHANNEL, "name": "many", "matchers": [f"a{i}=b" for i in range(51)]}
    _problem(client.post(f"{P}/channels", json=channel), status=422)


# -- ids that do not exist --------------------------------------------------------------------

UNKNOWN_ID = {
    "session_id": "no-such-session",
    "workflow_id": "no_such_workflow",
    "event_id": "no-such-event",
    "rule_id": "no-such-rule",
    "fingerprint": "no-such-alert",
    "silence_id": "no-such-silence",
    "channel_id": "no-such-channel",
    "notification_id": 987654321,
}


def _unknown_ids(operation: dict[str, Any]) -> dict[str, Any]:
    """An id nothing has for each path parameter: a number where the document asks for one."""
    ids = dict(UNKNOWN_ID)
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and parameter["name"] not in ids:
            is_int = parameter.get("schema", {}).get("type") == "integer"
            ids[parameter["name"]] = 987654321 if is_int else "no-such-id"
    return ids


def test_unknown_ids_are_404_problems_on_every_operation(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    document = client.get("/openapi.json").json()
    checked = []
    for path, item in document["paths"].items():
        if "{" not in path:
            continue
        for method in item:
            body = VALID.get(f"{method.upper()} {_short(path)}")
            url = _url(path, _unknown_ids(item[method]))
            kwargs = {"json": body} if body is not None else {}
            problem = _problem(client.request(method.upper(), url, **kwargs), status=404)
            assert "not found" in problem["detail"].lower(), (method, path, problem)
            checked.append(f"{method.upper()} {path}")
    assert len(checked) >= 20, checked


def test_ids_that_are_not_ids_are_4xx_problems(client: TestClient, seeded: dict[str, Any]) -> None:
    for url in [
        f"{P}/notifications/not-a-number",
        f"{P}/notifications/1.5",
        f"{P}/notifications/-1",
        f"{P}/sessions/" + "s" * 5000,
        f"{P}/rules/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        f"{P}/channels/%ff%fe",
        f"{P}/alerts/%F0%9F%92%A5",
    ]:
        _problem(client.get(url))


# -- regressions: server bugs these tests found -------------------------------------------------


def _pg_client(pg_url: str, clock: FixedClock) -> Iterator[TestClient]:
    rt = build(Settings(database_url=pg_url), clock=clock)
    try:
        with TestClient(create_app(rt), raise_server_exceptions=False) as c:
            yield c
    finally:
        rt.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_client(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[TestClient]:
    """A client on SQLite, then on PostgreSQL (skipping, saying why, when none answers)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("client")
    else:
        yield from _pg_client(request.getfixturevalue("pg_url"), clock)


@pytest.fixture
def pg_client(pg_url: str, clock: FixedClock) -> Iterator[TestClient]:
    yield from _pg_client(pg_url, clock)


def _not_a_server_error(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        _problem(response)


BEYOND_INT64 = [2**63, -(2**63) - 1, 10**30]


@pytest.mark.parametrize("number", BEYOND_INT64, ids=["2**63", "-2**63-1", "10**30"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_notification_ids_beyond_64_bits(any_client: TestClient, method: str, number: int) -> None:
    """Was: the id reached the database unbounded; SQLite raised OverflowError (500) and
    PostgreSQL 'bigint out of range' (503)."""
    url = f"{P}/notifications/{number}" + ("/retry" if method == "POST" else "")
    _not_a_server_error(any_client.request(method, url))


NUL = "a\x00b"
NUL_REQUESTS: list[tuple[str, str, Any]] = [
    ("POST", "/sessions", {"workflow_id": NUL}),
    ("POST", "/runs", {"events": [{**RUN, "run_id": NUL}]}),
    ("POST", "/logs", {"workflow_id": NUL, "lines": ["x"]}),
    ("POST", "/metrics", {"samples": [{**SAMPLE, "name": NUL}]}),
    ("POST", "/change-events", {"events": [{"kind": "other", "description": NUL}]}),
    ("POST", "/rules", {**RULE, "name": NUL}),
    ("POST", "/silences", {**SILENCE, "reason": NUL}),
    ("POST", "/channels", {**CHANNEL, "name": NUL}),
    ("GET", "/sessions/a%00b", None),
    ("GET", "/rules/a%00b", None),
    ("GET", "/workflows/a%00b/health", None),
]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("method", "path", "body"), NUL_REQUESTS, ids=[f"{m} {p}" for m, p, _ in NUL_REQUESTS]
)
def test_nul_characters_on_postgresql(
    pg_client: TestClient, method: str, path: str, body: Any
) -> None:
    """Was: PostgreSQL refused any text holding U+0000, and that came back as 503
    store-unavailable, for writes and for lookups by id alike."""
    kwargs = {"json": body} if body is not None else {}
    _not_a_server_error(pg_client.request(method, P + path, **kwargs))


YEAR_1 = "0001-01-01T00:00:00+01:00"
YEAR_9999 = "9999-12-31T23:59:59-01:00"
"""Valid aware timestamps whose UTC time falls outside the years 1-9999."""
_FRESH_ALERT = {**ALERTMANAGER["alerts"][0], "fingerprint": "edge-of-time"}
EDGE_TIME_REQUESTS: list[tuple[str, str, Any, str]] = [
    ("POST", "/runs", lambda t: {"events": [{**RUN, "started_at": t}]}, YEAR_1),
    ("POST", "/runs", lambda t: {"events": [{**RUN, "started_at": t}]}, YEAR_9999),
    (
        "POST",
        "/sessions",
        lambda t: {"workflow_id": "w", "run_events": [{**RUN, "started_at": t}]},
        YEAR_1,
    ),
    ("POST", "/metrics", lambda t: {"samples": [{**SAMPLE, "timestamp": t}]}, YEAR_9999),
    (
        "POST",
        "/change-events",
        lambda t: {"events": [{"kind": "other", "description": "d", "occurred_at": t}]},
        YEAR_1,
    ),
    ("POST", "/silences", lambda t: {**SILENCE, "ends_at": t}, YEAR_9999),
    (
        "POST",
        "/api/v1/alertmanager",
        lambda t: {**ALERTMANAGER, "alerts": [{**_FRESH_ALERT, "startsAt": t}]},
        YEAR_1,
    ),
    ("POST", f"{_SESSION}/verify", lambda t: {"fix_applied_at": t}, YEAR_1),
    ("GET", "/workflows/{workflow_id}/health/history?since={t}", None, YEAR_1),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "moment"),
    EDGE_TIME_REQUESTS,
    ids=[f"{m} {p.split('?')[0]} {t[:4]}" for m, p, _, t in EDGE_TIME_REQUESTS],
)
def test_timestamps_at_the_ends_of_the_calendar(
    client: TestClient, seeded: dict[str, Any], method: str, path: str, body: Any, moment: str
) -> None:
    """Was: a valid aware time whose UTC time falls outside years 1-9999 passed validation and
    the store's conversion raised OverflowError ('date value out of range') -> 500."""
    ids = dict(seeded)
    if path.endswith("/verify"):  # a session ready to verify, so the fix time is what is read
        ids["session_id"] = client.post(f"{P}/sessions", json={"workflow_id": WORKFLOW}).json()[
            "session_id"
        ]
        client.post(f"{P}/sessions/{ids['session_id']}/analyze-metrics", json={})
        assert client.post(f"{P}/sessions/{ids['session_id']}/recommendations").status_code == 200
    url = (path if path.startswith("/api/v1") else P + path).replace("{t}", quote(moment))
    url = url.format(**{n: ids[n] for n in _names(url.split("?")[0])})
    kwargs = {"json": body(moment)} if body is not None else {}
    _not_a_server_error(client.request(method, url, **kwargs))


@pytest.mark.parametrize("status", ["firing", "resolved"])
def test_alertmanager_times_without_an_offset(
    client: TestClient, seeded: dict[str, Any], status: str
) -> None:
    """Was: startsAt/endsAt without an offset were kept naive and the store refused them
    (ValueError 'naive datetime given to the store') -> 500."""
    alert = {**_FRESH_ALERT, "status": status, "startsAt": "2026-11-27T11:00:00"}
    alert["endsAt"] = "2026-11-27T11:30:00"
    body = {**ALERTMANAGER, "status": status, "alerts": [alert]}
    _not_a_server_error(client.post("/api/v1/alertmanager", json=body))


RULE_NUMBERS: list[tuple[str, Any]] = [
    ("threshold 10**400", f'{{"threshold": {BIG_INT}}}'),
    ("for 10**400", f'{{"for": {BIG_INT}}}'),
    ("window 10**400", f'{{"window": {BIG_INT}}}'),
    ("for 1e308", '{"for": 1e308}'),
    ("window 99999999999999999999d", '{"window": "99999999999999999999d"}'),
]


@pytest.mark.parametrize(("name", "change"), RULE_NUMBERS, ids=[n for n, _ in RULE_NUMBERS])
@pytest.mark.parametrize("operation", ["POST /rules", "PUT /rules/{rule_id}", "backtest"])
def test_rule_numbers_no_float_or_duration_holds(
    client: TestClient, seeded: dict[str, Any], operation: str, name: str, change: str
) -> None:
    """Was: OverflowError from math.isfinite/float() on 10**400, and from timedelta() on a
    finite duration beyond its range -> 500."""
    rule = json.dumps(RULE)[:-1] + ", " + change[1:]
    if operation == "backtest":
        method, url, raw = "POST", f"{P}/rules/backtest", f'{{"rule": {rule}}}'
    else:
        method, short = operation.split(" ", 1)
        url, raw = _url(P + short, seeded), rule
    _not_a_server_error(_post_raw(client, method, url, raw.encode(), "application/json"))


def test_backtest_step_beyond_any_duration(client: TestClient, seeded: dict[str, Any]) -> None:
    """Was: OverflowError from timedelta() in parse_duration -> 500."""
    body = {"rule": RULE, "step": "99999999999999999999d"}
    _not_a_server_error(client.post(f"{P}/rules/backtest", json=body))


PROVISION_BUGS = [
    (
        "threshold 10**400",
        f"rules:\n  - {{name: a, metric_name: e, condition: greater_than, threshold: {BIG_INT}}}\n",
    ),
    ("nested 3000 deep", "rules:\n  - " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"),
    ("unclosed 1000 deep", "rules: [" * 1000),
    ("lists 10000 deep", "x: " + "[" * 10_000 + "]" * 10_000),
]


@pytest.mark.parametrize(("name", "text"), PROVISION_BUGS, ids=[n for n, _ in PROVISION_BUGS])
def test_provisioning_yaml_nested_deep_or_with_huge_numbers(
    client: TestClient, seeded: dict[str, Any], name: str, text: str
) -> None:
    """Was: yaml.safe_load's RecursionError (not a YAMLError) and OverflowError escaped -> 500."""
    _not_a_server_error(client.post(f"{P}/rules/provision", json={"yaml": text}))


BAD_HOST_URLS = ["json+http://[127.0.0.1/x", "webhook+https://\u2100/x", "https://[::1"]


@pytest.mark.parametrize("url", BAD_HOST_URLS)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_channel_urls_urllib_refuses(
    client: TestClient, seeded: dict[str, Any], method: str, url: str
) -> None:
    """Was: urllib's ValueError (unclosed IPv6 bracket, host invalid under NFKC) escaped
    parse_channel_url -> 500 on POST /channels and PATCH /channels/{id}."""
    if method == "POST":
        response = client.post(f"{P}/channels", json={"name": "bad host", "url": url})
    else:
        response = client.patch(f"{P}/channels/{seeded['channel_id']}", json={"url": url})
    _not_a_server_error(response)
