"""The list endpoints on SQLite and PostgreSQL: one envelope (``items``, ``next_cursor``), every
row on exactly one page however the pages are cut and whatever is added while a client walks
them, the filters, bad cursors refused as 422 problems naming ``cursor``; the issue and template
endpoints; advancing a session through its lifecycle table; and an OpenAPI document that says all
of it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.clock import FixedClock
from flowdoctor.config import Settings
from flowdoctor.domain import ChangeEvent, ChangeKind
from flowdoctor.domain.notifications import NewNotification
from flowdoctor.ingest import records_from_strings
from flowdoctor.monitor.alertmanager import IncomingAlert
from flowdoctor.runtime import Runtime, build

P = API_PREFIX
LISTS = ["/sessions", "/alerts", "/change-events", "/notifications", "/issues", "/templates"]

TIMEOUT = "2026-11-27 10:00:00 ERROR Connection timeout"
UNAUTHORIZED = "2026-11-27 10:05:00 ERROR HTTP 401 Unauthorized from api.hubapi.com"
RATE_LIMITED = "2026-11-27 11:00:00 ERROR Slack API error: ratelimited (HTTP 429)"


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def _walk(
    client: TestClient,
    path: str,
    *,
    limit: int,
    params: dict[str, Any] | None = None,
    between: Callable[[int], None] | None = None,
) -> list[list[dict[str, Any]]]:
    """Every page of a list, following ``next_cursor``; ``between(n)`` runs after page n."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        query = {**(params or {}), "limit": limit}
        if cursor is not None:
            query["cursor"] = cursor
        response = client.get(f"{P}{path}", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append(body["items"])
        if between is not None:
            between(len(pages))
        cursor = body["next_cursor"]
        if cursor is None:
            assert len(body["items"]) <= limit
            return pages
        assert len(body["items"]) == limit, "only the last page may be short"
        assert len(pages) < 200, "the walk does not end"


def _flat(pages: list[list[dict[str, Any]]], key: str) -> list[Any]:
    return [item[key] for page in pages for item in page]


def _once_each(seen: list[Any], expected: list[Any]) -> None:
    """Nothing listed twice, and every expected row listed, in the expected order."""
    assert len(seen) == len(set(seen)), "a row was listed twice"
    assert [s for s in seen if s in set(expected)] == expected


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def _start(runtime: Runtime, workflow_id: str, *lines: str) -> str:
    session = runtime.sessions.start(
        workflow_id=workflow_id, error_logs=records_from_strings(list(lines))
    )
    return session.session_id


# -- sessions ------------------------------------------------------------------------------------


def test_sessions_walk_every_page_once_while_sessions_are_added(
    client: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    for i in range(7):
        _start(runtime, f"wf-{i % 2}", TIMEOUT)
        if i % 2:
            clock.advance(minutes=1)  # pairs share a creation time: the id breaks the tie
    everything = _flat(_walk(client, "/sessions", limit=1000), "session_id")
    assert len(everything) == 7
    for limit in (1, 2, 3, 7):
        assert _flat(_walk(client, "/sessions", limit=limit), "session_id") == everything

    def insert(page: int) -> None:
        if page == 1:
            _start(runtime, "wf-0", TIMEOUT)  # at the newest time: ties with the last ones
            clock.advance(minutes=5)
            _start(runtime, "wf-0", TIMEOUT)  # newer than all: before the first page

    _once_each(_flat(_walk(client, "/sessions", limit=2, between=insert), "session_id"), everything)
    created = [s["created_at"] for s in client.get(f"{P}/sessions").json()["items"]]
    assert created == sorted(created, reverse=True)


def test_session_filters(client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    first = _start(runtime, "crm_sync", TIMEOUT)
    clock.advance(hours=1)
    second = _start(runtime, "crm_sync", UNAUTHORIZED)
    other = _start(runtime, "slack_alerts", RATE_LIMITED)
    runtime.sessions.close(first)
    runtime.sessions.recommend(second)
    runtime.sessions.verify(second, before={"error_rate": 0.5}, after={"error_rate": 0.0})

    def ids(**params: Any) -> list[str]:
        return _flat(_walk(client, "/sessions", limit=1, params=params), "session_id")

    assert ids(workflow_id="crm_sync") == [second, first]
    assert ids(status="closed") == [first]
    assert set(ids(status=["open", "verified"])) == {second, other}
    assert ids(status="verified", workflow_id="slack_alerts") == []
    start = datetime(2026, 11, 27, 12, 0)
    assert ids(until=f"{start.isoformat()}Z") == []
    assert ids(until=f"{(start + timedelta(minutes=30)).isoformat()}Z") == [first]
    assert set(ids(since=f"{(start + timedelta(hours=1)).isoformat()}Z")) == {second, other}
    refused = client.get(
        f"{P}/sessions", params={"since": "2026-11-28T00:00:00Z", "until": "2026-11-27T00:00:00Z"}
    )
    assert "until" in _fields(_problem(refused, 422))
    assert _fields(_problem(client.get(f"{P}/sessions?status=done"), 422)) == ["query.status.0"]
    naive = client.get(f"{P}/sessions", params={"since": "2026-11-27T00:00:00"})
    assert "query.since" in _fields(_problem(naive, 422))


# -- alerts --------------------------------------------------------------------------------------


def _alert(i: int, *, severity: str, workflow_id: str, status: str = "firing") -> IncomingAlert:
    return IncomingAlert(
        status=status,
        labels={"alertname": f"A{i}", "severity": severity, "workflow_id": workflow_id},
        annotations={},
        starts_at=datetime.fromisoformat("2026-11-27T11:00:00+00:00"),
        ends_at=None,
        fingerprint=f"fp-{i:02d}",
    )


def test_alerts_pages_and_filters(client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    severities = ["critical", "high", "low"]
    for i in range(9):
        runtime.alertmanager.receive(
            [_alert(i, severity=severities[i % 3], workflow_id=f"wf-{i % 2}")]
        )
        if i % 3 == 2:
            clock.advance(minutes=1)
    everything = _flat(_walk(client, "/alerts", limit=1000), "fingerprint")
    assert len(everything) == 9
    assert everything[:3] == ["am-fp-06", "am-fp-07", "am-fp-08"]  # newest change first, then id
    for limit in (1, 4):
        assert _flat(_walk(client, "/alerts", limit=limit), "fingerprint") == everything

    def insert(page: int) -> None:
        if page == 2:
            runtime.alertmanager.receive([_alert(20, severity="high", workflow_id="wf-0")])

    _once_each(_flat(_walk(client, "/alerts", limit=2, between=insert), "fingerprint"), everything)

    def fingerprints(**params: Any) -> set[str]:
        return set(_flat(_walk(client, "/alerts", limit=2, params=params), "fingerprint"))

    assert fingerprints(severity="critical") == {"am-fp-00", "am-fp-03", "am-fp-06"}
    assert fingerprints(severity=["critical", "low"], workflow_id="wf-1") == {
        "am-fp-03",
        "am-fp-05",
    }
    clock.advance(minutes=1)
    runtime.alertmanager.receive(
        [_alert(1, severity="high", workflow_id="wf-1", status="resolved")]
    )
    assert fingerprints(state="resolved") == {"am-fp-01"}
    assert "am-fp-01" not in fingerprints(state=["firing", "pending"])
    assert fingerprints(since=clock.now().isoformat()) == {"am-fp-01"}
    # changed before 12:01: the first three, but for the one resolved since
    assert fingerprints(until="2026-11-27T12:01:00Z") == {"am-fp-00", "am-fp-02"}


# -- change events -------------------------------------------------------------------------------


def _change(n: int, minute: int, **fields: Any) -> ChangeEvent:
    return ChangeEvent(
        event_id=f"ev-{n:02d}",
        occurred_at=datetime.fromisoformat(f"2026-11-27T09:{minute:02d}:00+00:00"),
        kind=fields.pop("kind", ChangeKind.DEPLOYMENT),
        description=f"change {n}",
        **fields,
    )


def test_change_events_pages_and_filters(client: TestClient, runtime: Runtime) -> None:
    runtime.changes.record_many(
        [
            _change(0, 10, workflow_id="wf"),
            _change(1, 10, workflow_id="other"),  # same time as ev-00: the id breaks the tie
            _change(2, 20, platform="slack", kind=ChangeKind.VENDOR_INCIDENT),  # fleet-wide
            _change(3, 30, workflow_id="wf", kind=ChangeKind.CREDENTIAL_ROTATED),
            _change(4, 40, workflow_id="wf"),
            _change(5, 50, platform="salesforce", workflow_id="other"),
        ]
    )
    everything = _flat(_walk(client, "/change-events", limit=1000), "event_id")
    assert everything == [f"ev-{n:02d}" for n in range(6)]
    assert _flat(_walk(client, "/change-events", limit=4), "event_id") == everything

    def insert(page: int) -> None:
        if page == 2:  # one before the pages read so far (not listed), one after (listed)
            runtime.changes.record_many([_change(10, 0), _change(11, 59)])

    seen = _flat(_walk(client, "/change-events", limit=2, between=insert), "event_id")
    _once_each(seen, everything)
    assert seen[-1] == "ev-11"

    def ids(**params: Any) -> list[str]:
        return _flat(_walk(client, "/change-events", limit=2, params=params), "event_id")

    assert ids(workflow_id="wf") == ["ev-10", "ev-00", "ev-02", "ev-03", "ev-04", "ev-11"]
    assert ids(kind="credential_rotated") == ["ev-03"]
    assert ids(platform="slack") == ["ev-02"]
    assert ids(since="2026-11-27T09:20:00Z", until="2026-11-27T09:40:00Z") == ["ev-02", "ev-03"]


# -- notifications -------------------------------------------------------------------------------


def test_notifications_pages_and_filters(
    client: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    def enqueue(*keys: str, channel: str = "ch-1") -> list[int]:
        rows = [
            NewNotification(
                dedup_key=key,
                channel_id=channel,
                alert_fingerprint=f"alert-{key[-1]}",
                alert_state="firing",
                group_key="g",
            )
            for key in keys
        ]
        with runtime.db.transaction() as store:
            return store.notifications.enqueue(rows, now=clock.now())

    ids = enqueue("k0", "k1", "k2")
    clock.advance(minutes=10)
    ids += enqueue("k3", "k4", channel="ch-2")
    everything = _flat(_walk(client, "/notifications", limit=1000), "id")
    assert everything == ids
    assert _flat(_walk(client, "/notifications", limit=2), "id") == ids

    def insert(page: int) -> None:
        if page == 1:
            ids.extend(enqueue("k5"))

    assert _flat(_walk(client, "/notifications", limit=2, between=insert), "id") == ids

    def listed(**params: Any) -> list[int]:
        return _flat(_walk(client, "/notifications", limit=2, params=params), "id")

    assert listed(channel_id="ch-2") == ids[3:5]
    assert listed(alert="alert-1") == [ids[1]]
    assert listed(status="delivered") == []
    assert listed(since=clock.now().isoformat()) == ids[3:]
    assert listed(until=clock.now().isoformat()) == ids[:3]
    detail = client.get(f"{P}/notifications/{ids[0]}").json()
    assert detail["attempt_log"] == [] and detail["status"] == "pending"


# -- issues and templates ------------------------------------------------------------------------


def test_issues_across_sessions(client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    crm = _start(runtime, "crm_sync", TIMEOUT, UNAUTHORIZED, UNAUTHORIZED)
    clock.advance(minutes=1)
    slack = _start(runtime, "slack_alerts", RATE_LIMITED, TIMEOUT)
    untimed = _start(runtime, "crm_sync", "ERROR Connection timeout")  # no time in the line
    issues = _flat(_walk(client, "/issues", limit=1000), "issue_id")
    assert len(issues) == 5 and issues == sorted(issues, reverse=True)
    for limit in (1, 2, 4):
        assert _flat(_walk(client, "/issues", limit=limit), "issue_id") == issues

    added: list[str] = []

    def insert(page: int) -> None:
        if page == 1:
            added.append(_start(runtime, "crm_sync", UNAUTHORIZED))

    _once_each(_flat(_walk(client, "/issues", limit=2, between=insert), "issue_id"), issues)

    def found(**params: Any) -> list[dict[str, Any]]:
        return [i for page in _walk(client, "/issues", limit=2, params=params) for i in page]

    permissions = found(category="permissions")
    assert {i["session_id"] for i in permissions} == {crm, *added}
    (first,) = [i for i in permissions if i["session_id"] == crm]
    assert first["occurrences"] == 2 and first["platform"] == "hubspot"
    assert first["first_seen"].startswith("2026-11-27T10:05")
    assert client.get(f"{P}/issues/{first['issue_id']}").json() == first
    assert {i["session_id"] for i in found(workflow_id="slack_alerts")} == {slack}
    assert {i["category"] for i in found(category=["timeout", "resource"])} == {
        "timeout",
        "resource",
    }
    assert all(i["severity"] in {"high", "critical"} for i in found(severity=["high", "critical"]))
    assert {i["platform"] for i in found(platform="hubspot")} == {"hubspot"}
    window = found(since="2026-11-27T10:30:00Z", until="2026-11-27T11:30:00Z")
    assert {i["message_template"] for i in window} >= {"Slack API error: ratelimited (HTTP <NUM>)"}
    assert all(i["session_id"] != crm for i in window)
    # an issue whose lines had no time counts as seen when its session was created (12:01)
    assert untimed in {i["session_id"] for i in found(since="2026-11-27T12:00:00Z")}
    assert untimed not in {i["session_id"] for i in found(until="2026-11-27T12:00:00Z")}
    _problem(client.get(f"{P}/issues/999999"), 404)
    for bad in ("0", "abc", str(2**63)):
        assert "path.issue_id" in _fields(_problem(client.get(f"{P}/issues/{bad}"), 422))
    cosmic = client.get(f"{P}/issues", params={"category": ["timeout", "cosmic"]})
    assert _fields(_problem(cosmic, 422)) == ["query.category.1"]


def test_templates_pages_and_filters(client: TestClient, runtime: Runtime) -> None:
    t0 = datetime.fromisoformat("2026-11-27T08:00:00+00:00")
    hour = timedelta(hours=1)
    with runtime.db.transaction() as store:
        store.templates.record(
            "wf-a",
            [
                ("T1", "Read timed out after <*> ms", 9, t0, t0 + hour),
                ("T2", "ECONNREFUSED <*>", 4, t0, t0 + 2 * hour),
                ("T3", "HTTP <*> Unauthorized", 4, t0, t0 + hour),  # same count: later seen first
            ],
        )
        store.templates.record(
            "wf-b",
            [
                ("T1", "Slack API error: ratelimited", 4, t0, t0 + hour),  # ties wf-a's T3 fully
                ("T2", "Row <*> is missing the Amount field", 1, t0 + 3 * hour, t0 + 3 * hour),
            ],
        )
    pages = _walk(client, "/templates", limit=1000)
    everything = [(t["workflow_id"], t["template_id"]) for page in pages for t in page]
    assert everything == [
        ("wf-a", "T1"),
        ("wf-a", "T2"),
        ("wf-a", "T3"),
        ("wf-b", "T1"),
        ("wf-b", "T2"),
    ]
    assert pages[0][0]["occurrences"] == 9 and pages[0][0]["template"].startswith("Read timed")
    for limit in (1, 2, 3):
        pages = _walk(client, "/templates", limit=limit)
        assert [(t["workflow_id"], t["template_id"]) for p in pages for t in p] == everything

    def insert(page: int) -> None:
        if page == 1:  # new templates are seen once: at the end, with the fewest occurrences
            with runtime.db.transaction() as store:
                store.templates.record("wf-c", [("T1", "new", 1, t0, t0)])

    pages = _walk(client, "/templates", limit=2, between=insert)
    seen = [(t["workflow_id"], t["template_id"]) for p in pages for t in p]
    _once_each(seen, everything)
    assert seen[-1] == ("wf-c", "T1")

    def ids(**params: Any) -> list[tuple[str, str]]:
        pages = _walk(client, "/templates", limit=1, params=params)
        return [(t["workflow_id"], t["template_id"]) for p in pages for t in p]

    assert ids(workflow_id="wf-b") == [("wf-b", "T1"), ("wf-b", "T2")]
    assert ids(since="2026-11-27T10:30:00Z") == [("wf-b", "T2")]
    assert ids(until="2026-11-27T08:00:01Z", workflow_id="wf-b") == [("wf-b", "T1")]


def test_templates_come_from_sessions(client: TestClient, runtime: Runtime) -> None:
    _start(runtime, "crm_sync", TIMEOUT, TIMEOUT, UNAUTHORIZED)
    _start(runtime, "crm_sync", TIMEOUT)
    (top, *_) = client.get(f"{P}/templates", params={"workflow_id": "crm_sync"}).json()["items"]
    assert top["template"] == "Connection timeout" and top["occurrences"] == 3


# -- bad input -----------------------------------------------------------------------------------


def _cursor(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


TEXT_FILTERS = {
    "/sessions": "workflow_id",
    "/alerts": "workflow_id",
    "/change-events": "platform",
    "/notifications": "channel_id",
    "/issues": "platform",
    "/templates": "workflow_id",
}
"""A text filter of each list: a NUL byte in it is refused (PostgreSQL cannot compare it)."""

BAD_CURSORS = [
    "not a cursor",
    "%%%",
    _cursor({"sessions": 1}),
    _cursor(["nowhere", [1]]),
    _cursor(["issues", "1"]),
    _cursor(["issues", [True]]),
    _cursor(["issues", [1.5]]),
    _cursor(["issues", [2**70]]),
    _cursor(["issues", [1, 2]]),
    _cursor(["alerts", ["yesterday", "fp"]]),
    _cursor(["alerts", ["2026-11-27T12:00:00", "fp"]]),  # naive time
    _cursor(["templates", [1, "2026-11-27T12:00:00+00:00", "x"]]),
    _cursor(["alerts", ["0001-01-01T00:00:00+14:00", "fp"]]),  # no such time in UTC
    _cursor(["sessions", ["2026-11-27T12:00:00+00:00", "a\u0000b"]]),  # PostgreSQL refuses NUL
    _cursor(["change-events", ["2026-11-27T12:00:00+00:00", "\ud800"]]),  # no UTF-8
    "x" * 5000,
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
]


@pytest.mark.parametrize("path", LISTS)
def test_bad_cursors_and_limits_are_422_naming_the_field(client: TestClient, path: str) -> None:
    for cursor in BAD_CURSORS:
        body = _problem(client.get(f"{P}{path}", params={"cursor": cursor}), 422)
        assert _fields(body) == ["cursor"], (cursor, body)
    other = "/alerts" if path != "/alerts" else "/sessions"
    key = [1] if other == "/issues" else ["2026-11-27T12:00:00+00:00", "x"]
    foreign = _cursor([other.strip("/"), key])
    assert _fields(_problem(client.get(f"{P}{path}", params={"cursor": foreign}), 422)) == [
        "cursor"
    ]
    for limit in ("0", "1001", "ten"):
        body = _problem(client.get(f"{P}{path}", params={"limit": limit}), 422)
        assert _fields(body) == ["query.limit"]
    name = TEXT_FILTERS[path]
    body = _problem(client.get(f"{P}{path}", params={name: "a\x00b"}), 422)
    assert _fields(body) == [f"query.{name}"]
    for far in ({"since": "0001-01-01T00:00:00+14:00"}, {"until": "9999-12-31T23:59:59-14:00"}):
        assert client.get(f"{P}{path}", params=far).json()["items"] == []
    body = client.get(f"{P}{path}").json()
    assert body == {"items": [], "next_cursor": None}


# -- advancing a session -------------------------------------------------------------------------


def test_advance_moves_to_the_next_stage_until_none_follows(
    client: TestClient, runtime: Runtime
) -> None:
    sid = client.post(f"{P}/sessions", json={"workflow_id": "w", "error_logs": [TIMEOUT]}).json()[
        "session_id"
    ]
    stages = []
    for _ in range(4):
        advanced = client.post(f"{P}/sessions/{sid}/advance")
        assert advanced.status_code == 200, advanced.text
        stages.append(advanced.json()["stage"])
    assert stages == ["analysis", "diagnosis", "resolution", "verification"]
    body = client.get(f"{P}/sessions/{sid}").json()
    assert body["recommendations"] and body["verification"] is not None
    assert body["status"] in {"verified", "not_verified"}
    done = _problem(client.post(f"{P}/sessions/{sid}/advance"), 409)
    assert "verification" in done["detail"]
    summary = client.get(f"{P}/sessions/{sid}/summary").json()
    assert [s["stage"] for s in summary["stages"]] == ["identification", *stages]
    assert client.post(f"{P}/sessions/{sid}/verify", json={}).status_code == 200  # may repeat

    closed = _start(runtime, "w", TIMEOUT)
    assert client.post(f"{P}/sessions/{closed}/close").status_code == 200
    assert "closed" in _problem(client.post(f"{P}/sessions/{closed}/advance"), 409)["detail"]
    assert client.get(f"{P}/sessions/{closed}").json()["stage"] == "identification"
    _problem(client.post(f"{P}/sessions/nope/advance"), 404)


# -- the OpenAPI document ------------------------------------------------------------------------


def test_the_openapi_document_describes_every_operation(sqlite_url: str) -> None:
    runtime = build(Settings(database_url=sqlite_url))
    try:
        spec = create_app(runtime).openapi()
    finally:
        runtime.close()
    components = spec["components"]["schemas"]
    assert "HTTPValidationError" not in components, "a route kept FastAPI's default 422"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("tags"), where
            responses = operation["responses"]
            ok = [s for s in responses if s.startswith("2")]
            assert len(ok) == 1, where
            if ok != ["204"]:
                (content,) = responses[ok[0]]["content"].values()
                assert content["schema"], where
                assert content["schema"] != {"type": "object"} or path == "/healthz", where
            if "{" in path:
                assert "404" in responses and "422" in responses, where
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, where
            for status in ("404", "409", "413", "422"):
                if status in responses:
                    schema = responses[status]["content"]["application/problem+json"]["schema"]
                    assert {"type", "title", "status", "detail"} <= set(schema["required"])
                    assert "errors" in schema["properties"]
    for path in LISTS:
        operation = spec["paths"][f"{P}{path}"]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = components[ref.rsplit("/", 1)[-1]]
        assert set(page["properties"]) == {"items", "next_cursor"}, path
        names = {p["name"] for p in operation["parameters"]}
        assert {"cursor", "limit"} <= names, path
        limit = next(p for p in operation["parameters"] if p["name"] == "limit")["schema"]
        assert (limit["default"], limit["maximum"]) == (100, 1000), path
    issues = {p["name"] for p in spec["paths"][f"{P}/issues"]["get"]["parameters"]}
    assert {"workflow_id", "category", "severity", "platform", "since", "until"} <= issues
    advance = spec["paths"][f"{P}/sessions/{{session_id}}/advance"]["post"]
    assert {"404", "409"} <= set(advance["responses"])
    for path in ("/channels", "/channels/{channel_id}", "/notifications/{notification_id}"):
        get = spec["paths"][f"{P}{path}"]["get"]["responses"]["200"]["content"]
        assert "$ref" in str(get["application/json"]["schema"]), path
