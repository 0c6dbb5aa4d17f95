"""From a failing workflow to a message at a real receiver: rule → evaluator → outbox → webhook,
through the wired runtime and the channels API; channel secrets are never returned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.clock import FixedClock
from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.ingest import records_from_strings
from flowdoctor.runtime import Runtime
from support.receivers import HttpReceiver

P = API_PREFIX


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def test_a_firing_rule_reaches_the_webhook_once(
    client: TestClient, runtime: Runtime, clock: FixedClock, receiver: HttpReceiver
) -> None:
    url = receiver.url("/hooks/secret-token-123").replace("http://", "webhook+http://")
    made = client.post(f"{P}/channels", json={"name": "ops", "url": url, "severities": ["high"]})
    assert made.status_code == 201, made.text
    assert "secret-token-123" not in made.text
    assert "secret-token-123" not in client.get(f"{P}/channels").text
    tested = client.post(f"{P}/channels/{made.json()['channel_id']}/test").json()
    assert tested["ok"] and len(receiver.delivered()) == 1
    client.post(
        f"{P}/rules",
        json={
            "name": "sf failing",
            "workflow_id": "sf_sync",
            "metric_name": "error_rate",
            "condition": "greater_than",
            "threshold": 0.3,
            "severity": "high",
        },
    )
    now = clock.now()
    runtime.intake.add_runs(
        [
            RunEvent("sf_sync", f"r{i}", RunStatus.FAILURE, now - timedelta(minutes=i))
            for i in range(3)
        ]
    )
    runtime.evaluator.evaluate_once()
    runtime.evaluator.evaluate_once()  # still firing: no second notification
    queued = client.get(f"{P}/notifications").json()["items"]
    assert [(n["state"], n["status"]) for n in queued] == [("firing", "pending")]
    report = runtime.notifications.deliver_due()
    assert report.delivered == 1
    (message,) = receiver.delivered()[1:]
    assert "sf_sync" in str(message.body) and "error_rate" in str(message.body)
    delivered = client.get(f"{P}/notifications", params={"status": "delivered"}).json()["items"]
    assert delivered[0]["attempts"] == 1
    scraped = client.get("/metrics").text
    assert 'flowdoctor_notifications_total{outcome="delivered"} 1.0' in scraped
    assert (
        client.post(f"{P}/channels", json={"name": "bad", "url": "gopher://x"}).status_code == 422
    )


def test_the_message_carries_the_top_recommendation(
    runtime: Runtime, clock: FixedClock, receiver: HttpReceiver
) -> None:
    session = runtime.sessions.start(
        workflow_id="sf_sync",
        error_logs=list(records_from_strings(["INVALID_SESSION_ID: Session expired or invalid"])),
    )
    (first, *_) = runtime.sessions.recommend(session.session_id)
    runtime.channels.create(name="ops", url=receiver.url().replace("http://", "webhook+http://"))
    runtime.rules.create(
        {
            "name": "sf",
            "workflow_id": "sf_sync",
            "metric_name": "error_rate",
            "condition": "greater_than",
            "threshold": 0.3,
            "severity": "high",
        }
    )
    now = clock.now()
    runtime.intake.add_runs([RunEvent("sf_sync", "r1", RunStatus.FAILURE, now)])
    runtime.evaluator.evaluate_once()
    runtime.notifications.deliver_due()
    (message,) = receiver.delivered()
    assert first.title in str(message.body)


def test_unacknowledged_firing_alerts_are_repeated_every_interval(
    runtime: Runtime, clock: FixedClock, receiver: HttpReceiver
) -> None:
    runtime.channels.create(name="ops", url=receiver.url().replace("http://", "webhook+http://"))
    runtime.rules.create(
        {
            "name": "sf",
            "workflow_id": "sf_sync",
            "metric_name": "error_rate",
            "condition": "greater_than",
            "threshold": 0.3,
            "severity": "high",
            "window": "12h",
        }
    )
    runtime.intake.add_runs([RunEvent("sf_sync", "r1", RunStatus.FAILURE, clock.now())])

    def rows() -> list[str]:
        return [n.group_key for n in runtime.notifications.list()]

    runtime.evaluator.evaluate_once()
    assert len(rows()) == 1
    clock.advance(hours=3)
    runtime.evaluator.evaluate_once()
    assert len(rows()) == 1  # the default repeat interval is 4 hours
    clock.advance(hours=1, minutes=1)
    runtime.evaluator.evaluate_once()
    runtime.evaluator.evaluate_once()  # the same reminder is enqueued once
    assert len(rows()) == 2 and rows()[1].endswith("#repeat1")
    (alert,) = runtime.alerts.list()
    runtime.alerts.acknowledge(alert.fingerprint, by="ana")
    clock.advance(hours=5)
    runtime.evaluator.evaluate_once()
    assert len(rows()) == 2  # acknowledged: somebody is on it, no more reminders
    assert runtime.notifications.deliver_due().delivered == 2
