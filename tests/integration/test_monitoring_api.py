"""The monitoring endpoints: rules (CRUD, provisioning, backtest), alerts (filter, acknowledge,
resolve) and silences, with bad input refused naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.clock import FixedClock
from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.runtime import Runtime

P = API_PREFIX
RULE = {
    "name": "sf failing",
    "workflow_id": "sf_sync",
    "metric_name": "error_rate",
    "condition": "greater_than",
    "threshold": 0.3,
    "severity": "high",
    "labels": {"team": "crm"},
}


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def _fail(runtime: Runtime, clock: FixedClock) -> None:
    now = clock.now()
    runtime.intake.add_runs(
        [
            RunEvent("sf_sync", f"r{i}", RunStatus.FAILURE, now - timedelta(minutes=i))
            for i in range(4)
        ]
    )


def test_rules_crud_and_validation(client: TestClient) -> None:
    created = client.post(f"{P}/rules", json=RULE)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["for_seconds"] == 0 and rule["matchers"] == []
    rid = rule["rule_id"]
    assert client.get(f"{P}/rules/{rid}").json()["name"] == "sf failing"
    updated = client.put(f"{P}/rules/{rid}", json={**RULE, "threshold": 0.5})
    assert updated.json()["threshold"] == 0.5
    assert [r["rule_id"] for r in client.get(f"{P}/rules").json()] == [rid]
    bad = client.post(f"{P}/rules", json={**RULE, "condition": "bigger"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rule.condition"
    assert client.post(f"{P}/rules", json=[1, 2]).status_code == 422
    assert client.delete(f"{P}/rules/{rid}").status_code == 204
    assert client.get(f"{P}/rules/{rid}").status_code == 404
    yaml_text = (
        "rules:\n  - {name: a, metric_name: error_rate, condition: less_than, threshold: x}\n"
    )
    refused = client.post(f"{P}/rules/provision", json={"yaml": yaml_text})
    assert (
        refused.status_code == 422 and refused.json()["errors"][0]["field"] == "rules[0].threshold"
    )
    assert client.get(f"{P}/rules").json() == []


def test_alerts_filter_acknowledge_resolve_and_silences(
    client: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    client.post(f"{P}/rules", json=RULE)
    _fail(runtime, clock)
    runtime.evaluator.evaluate_once()
    found = client.get(f"{P}/alerts", params={"state": "firing", "severity": "high"}).json()
    firing = found["items"]
    assert len(firing) == 1 and firing[0]["labels"]["team"] == "crm"
    assert found["next_cursor"] is None
    assert client.get(f"{P}/alerts", params={"state": "pending"}).json()["items"] == []
    fp = firing[0]["fingerprint"]
    acked = client.post(f"{P}/alerts/{fp}/acknowledge", json={"by": "ana", "note": "on it"})
    assert acked.json()["acknowledged_by"] == "ana"
    assert client.post(f"{P}/alerts/{fp}/acknowledge", json={"by": ""}).status_code == 422
    silence = client.post(
        f"{P}/silences",
        json={
            "matchers": ["team=crm"],
            "ends_at": (clock.now() + timedelta(hours=1)).isoformat(),
            "reason": "maintenance",
            "created_by": "ops",
        },
    )
    assert silence.status_code == 201, silence.text
    detail = client.get(f"{P}/alerts/{fp}").json()
    assert detail["silenced_by"] == [silence.json()["silence_id"]]
    assert [h["kind"] for h in detail["history"]] == ["state_firing", "acknowledged"]
    assert (
        client.post(
            f"{P}/silences",
            json={
                "matchers": ["no matcher"],
                "ends_at": clock.now().isoformat(),
                "reason": "x",
                "created_by": "y",
            },
        ).status_code
        == 422
    )
    assert client.delete(f"{P}/silences/{silence.json()['silence_id']}").status_code == 204
    assert client.get(f"{P}/silences", params={"active": True}).json() == []
    assert client.post(f"{P}/alerts/{fp}/resolve", json={"by": "ana"}).json()["state"] == "resolved"
    assert client.post(f"{P}/alerts/{fp}/resolve", json={"by": "ana"}).status_code == 409
    assert client.get(f"{P}/alerts/unknown").status_code == 404


def test_backtest_over_http(client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    _fail(runtime, clock)
    found = client.post(f"{P}/rules/backtest", json={"rule": RULE, "days": 1, "step": "5m"})
    assert found.status_code == 200, found.text
    assert len(found.json()["firings"]) == 1
    assert client.post(f"{P}/rules/backtest", json={"rule_id": "nope"}).status_code == 404
    assert client.post(f"{P}/rules/backtest", json={"rule": RULE, "days": 99}).status_code == 422


def test_metrics_endpoint_serves_the_store(
    client: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    client.post(f"{P}/rules", json=RULE)
    _fail(runtime, clock)
    runtime.evaluator.evaluate_once()
    scraped = client.get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(scraped.text)
        for s in family.samples
    }
    assert samples[("flowdoctor_alerts", (("severity", "high"), ("state", "firing")))] == 1
    assert samples[("flowdoctor_workflow_health_score", (("workflow_id", "sf_sync"),))] < 60
    assert samples[("flowdoctor_ingested_items_total", (("kind", "runs"),))] == 4
    assert samples[("flowdoctor_rule_evaluations_total", ())] == 1


def test_open_alerts_cost_health_points_and_history_is_kept(
    client: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    now = clock.now()
    runtime.intake.add_runs(
        [
            RunEvent("sf_sync", f"ok{i}", RunStatus.SUCCESS, now - timedelta(minutes=i))
            for i in range(4)
        ]
    )
    before = client.get(f"{P}/workflows/sf_sync/health").json()
    assert runtime.workflows.record_health_if_due() == 1
    assert runtime.workflows.record_health_if_due() == 0  # not due again for 15 minutes
    client.post(f"{P}/rules", json={**RULE, "metric_name": "run_count", "threshold": 1})
    runtime.evaluator.evaluate_once()
    after = client.get(f"{P}/workflows/sf_sync/health").json()
    alerts = next(c for c in after["components"] if c["name"] == "open_alerts")
    assert alerts["points_lost"] == 8 and "1 high" in alerts["reason"]
    assert after["score"] == before["score"] - 8
    clock.advance(minutes=16)
    assert runtime.workflows.record_health_if_due() == 1
    later = client.get(f"{P}/workflows/sf_sync/health").json()  # freshness has fallen too
    history = client.get(f"{P}/workflows/sf_sync/health/history").json()
    assert [h["score"] for h in history] == [before["score"], later["score"]]
    assert {c["name"] for c in history[1]["components"]} >= {"open_alerts", "freshness"}
    assert client.get(f"{P}/workflows/unknown/health/history").status_code == 404
