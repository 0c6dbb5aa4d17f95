"""Change events through the library service and the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.domain import ChangeEvent, ChangeKind
from flowdoctor.errors import InputError, NotFoundError
from flowdoctor.runtime import Runtime
from flowdoctor.store.migrate import downgrade, upgrade

P = f"{API_PREFIX}/change-events"
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def test_record_and_list_with_fleet_wide_events(runtime: Runtime) -> None:
    changes = runtime.changes
    own = changes.record(
        kind="credential_rotated",
        description="rotated the Salesforce token",
        occurred_at=T0,
        workflow_id="sf_sync",
        platform="salesforce",
        author="ops@example.com",
    )
    fleet = changes.record(
        kind=ChangeKind.VENDOR_INCIDENT,
        description="Salesforce status page: degraded API performance",
        occurred_at=T0 + timedelta(minutes=5),
        platform="salesforce",
    )
    changes.record(
        kind="deployment", description="v2 of the HubSpot sync", occurred_at=T0, workflow_id="hs"
    )
    assert len(own.event_id) == 32 and own.kind is ChangeKind.CREDENTIAL_ROTATED
    listed = changes.list(workflow_id="sf_sync")
    assert [e.event_id for e in listed] == [own.event_id, fleet.event_id]
    assert changes.get(own.event_id) == own
    assert [e.kind for e in changes.list(kind=ChangeKind.DEPLOYMENT)] == [ChangeKind.DEPLOYMENT]
    later = changes.list(since=T0 + timedelta(minutes=1))
    assert [e.event_id for e in later] == [fleet.event_id]


def test_resending_is_harmless_and_a_conflict_loses_nothing(runtime: Runtime) -> None:
    event = ChangeEvent("deploy-42", T0, ChangeKind.DEPLOYMENT, "deploy 42", workflow_id="wf")
    first = runtime.changes.record_many([event])
    again = runtime.changes.record_many([event])
    assert (first.created, again.created) == (1, 0)
    other = ChangeEvent("deploy-43", T0, ChangeKind.DEPLOYMENT, "deploy 43", workflow_id="wf")
    clash = ChangeEvent("deploy-42", T0, ChangeKind.DEPLOYMENT, "something else")
    with pytest.raises(InputError, match="already recorded") as info:
        runtime.changes.record_many([other, clash])
    assert info.value.field == "events[1].event_id"
    # The batch was refused whole: deploy-43 was not stored, deploy-42 is unchanged.
    assert [e.description for e in runtime.changes.list()] == ["deploy 42"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "   "}, "events[0].description"),
        ({"description": "x" * 2001}, "events[0].description"),
        ({"occurred_at": datetime(2026, 11, 27, 9, 0)}, "events[0].occurred_at"),
        ({"event_id": "x" * 65}, "events[0].event_id"),
    ],
)
def test_bad_events_are_refused_naming_the_field(
    runtime: Runtime, changes: dict[str, object], field: str
) -> None:
    base: dict[str, object] = {
        "event_id": "",
        "occurred_at": T0,
        "kind": ChangeKind.OTHER,
        "description": "fine",
    }
    event = ChangeEvent(**{**base, **changes})  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        runtime.changes.record_many([event])
    assert info.value.field == field
    with pytest.raises(InputError, match="unknown change kind"):
        runtime.changes.record(kind="rebooted", description="x")
    with pytest.raises(NotFoundError):
        runtime.changes.get("nope")
    assert runtime.changes.list() == []


def test_change_events_over_http(client: TestClient) -> None:
    body = {
        "events": [
            {
                "kind": "workflow_edited",
                "description": "renamed the Amount field mapping",
                "occurred_at": "2026-11-27T09:00:00Z",
                "workflow_id": "sf_sync",
                "event_id": "edit-1",
                "labels": {"editor": "ana"},
            },
            {"kind": "vendor_incident", "description": "Slack outage", "platform": "slack"},
        ]
    }
    created = client.post(P, json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["created"] == 2
    assert out["events"][1]["occurred_at"].startswith("2026-11-27T12:00:00")  # the fixed clock
    assert client.post(P, json={"events": body["events"][:1]}).json()["created"] == 0
    listed = client.get(P, params={"workflow_id": "sf_sync"}).json()["items"]
    assert [e["kind"] for e in listed] == ["workflow_edited", "vendor_incident"]
    assert client.get(f"{P}/edit-1").json()["labels"] == {"editor": "ana"}
    assert client.get(f"{P}/missing").status_code == 404
    for bad, field in [
        ({"events": [{"kind": "rebooted", "description": "x"}]}, "kind"),
        ({"events": [{"kind": "other", "description": ""}]}, "description"),
        (
            {"events": [{"kind": "other", "description": "x", "occurred_at": "2026-11-27"}]},
            "occurred_at",
        ),
        ({"events": [{"kind": "other", "description": "x", "event_id": "a b"}]}, "event_id"),
        ({"events": []}, "events"),
    ]:
        refused = client.post(P, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert any(field in e["field"] for e in refused.json()["errors"]), refused.text
    assert (
        client.get(
            P, params={"since": "2026-11-28T00:00:00Z", "until": "2026-11-27T00:00:00Z"}
        ).status_code
        == 422
    )
    assert len(client.get(P).json()["items"]) == 2


def test_metric_samples_over_http(client: TestClient, runtime: Runtime) -> None:
    sample = {
        "workflow_id": "wf",
        "name": "p95_latency_ms",
        "value": 120.5,
        "timestamp": "2026-11-27T09:00:00Z",
        "labels": {"region": "eu"},
    }
    assert client.post(f"{API_PREFIX}/metrics", json={"samples": [sample]}).json()["accepted"] == 1
    bad = client.post(
        f"{API_PREFIX}/metrics", json={"samples": [sample, {**sample, "value": "NaN"}]}
    )
    assert bad.status_code == 422
    with runtime.db.transaction() as store:
        assert store.metrics.count() == 1


def test_0003_downgrades_and_upgrades(runtime: Runtime) -> None:
    runtime.changes.record(kind="other", description="kept until downgrade", occurred_at=T0)
    downgrade(runtime.db.engine, "0002")
    upgrade(runtime.db.engine)
    assert runtime.changes.list() == []


def test_library_facade_records_changes(runtime: Runtime) -> None:
    from flowdoctor import WorkflowTroubleshootingEngine

    engine = WorkflowTroubleshootingEngine(runtime=runtime)
    made = engine.record_change("deployment", "v3 of the sync", workflow_id="wf", occurred_at=T0)
    assert engine.list_changes(workflow_id="wf") == [made]
    assert engine.list_changes(workflow_id="other") == []
