"""Grouped notifications at a real receiver: alerts that start together arrive as one message
after the group wait, later news waits for the group interval, a group is retried as one, a
failed notification is sent again by hand (API and CLI), and an alert that fired while silenced
is notified once its silence ends. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.clock import FixedClock
from flowdoctor.domain import Matcher, RunEvent, RunStatus
from flowdoctor.domain.notifications import Grouping, NotificationStatus
from flowdoctor.runtime import Runtime
from flowdoctor.store import Database
from support.notify import make_alert, services
from support.receivers import HttpReceiver

P = API_PREFIX
BY_NAME = Grouping(by=("alertname",), wait=timedelta(seconds=30), interval=timedelta(minutes=5))


def hook(receiver: HttpReceiver) -> str:
    return receiver.url().replace("http://", "webhook+http://")


def fingerprints(body: Any) -> list[str]:
    return [alert["fingerprint"] for alert in body["alerts"]]


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def test_alerts_starting_together_arrive_as_one_message_and_later_news_waits(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    channels, outbox = services(db, clock)
    channels.create(name="ops", url=hook(receiver), grouping=BY_NAME)
    for name in ("a", "b", "c"):
        outbox.enqueue(make_alert(name, workflow_id=f"wf-{name}"))
    outbox.enqueue(make_alert("d", labels={"alertname": "WorkflowSilent"}))
    assert outbox.deliver_due().claimed == 0  # the group wait holds them back
    clock.advance(seconds=29)
    assert outbox.deliver_due().claimed == 0
    clock.advance(seconds=1)
    assert outbox.deliver_due().delivered == 4
    grouped, alone = sorted(receiver.delivered(), key=lambda r: -len(r.body["alerts"]))
    assert fingerprints(grouped.body) == ["a", "b", "c"]
    assert grouped.body["title"] == "[FIRING:3] alertname=HighErrorRate"
    assert fingerprints(alone.body) == ["d"] and alone.body["title"].startswith("[FIRING] ")
    for row in outbox.list():  # one send, but every row keeps its own attempt
        (attempt,) = outbox.attempts(row.notification_id)
        assert attempt.ok and row.status is NotificationStatus.DELIVERED

    clock.advance(minutes=1)  # news of a group sent a minute ago waits for its interval
    outbox.enqueue(make_alert("e"))
    outbox.enqueue(make_alert("f"))
    clock.advance(minutes=3, seconds=59)
    assert outbox.deliver_due().claimed == 0
    clock.advance(seconds=1)  # five minutes after the group's last send
    assert outbox.deliver_due().delivered == 2
    assert fingerprints(receiver.delivered()[-1].body) == ["e", "f"]
    assert len(receiver.delivered()) == 3


def test_a_group_is_retried_as_one_when_the_receiver_is_down(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    channels, outbox = services(db, clock)
    channels.create(name="ops", url=hook(receiver), grouping=BY_NAME)
    for name in ("a", "b", "c"):
        outbox.enqueue(make_alert(name))
    receiver.stop()
    clock.advance(seconds=30)
    assert outbox.deliver_due().retrying == 3
    due = {row.next_attempt_at for row in outbox.list()}
    assert len(due) == 1  # one backoff for the group: its rows stay together
    receiver.start()
    clock.advance(seconds=(due.pop() - clock.now()).total_seconds())
    assert outbox.deliver_due().delivered == 3
    (message,) = receiver.delivered()
    assert fingerprints(message.body) == ["a", "b", "c"]
    assert all(row.attempts == 2 for row in outbox.list())


def test_a_failed_notification_is_sent_again_by_hand(
    client: TestClient, runtime: Runtime, receiver: HttpReceiver
) -> None:
    runtime.channels.create(name="ops", url=hook(receiver))
    receiver.status = 400  # a permanent failure: no automatic retry
    (row_id,) = runtime.notifications.enqueue(make_alert())
    assert runtime.notifications.deliver_due().failed == 1
    assert client.post(f"{P}/notifications/999999/retry").status_code == 404
    receiver.status = 200
    retried = client.post(f"{P}/notifications/{row_id}/retry", params={"by": "alice"})
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    assert retried.json()["last_reason"] == "retry requested by alice"
    again = client.post(f"{P}/notifications/{row_id}/retry")
    assert again.status_code == 409 and "pending" in again.text
    assert runtime.notifications.deliver_due().delivered == 1
    shown = client.get(f"{P}/notifications/{row_id}").json()
    assert shown["status"] == "delivered"
    assert [a["ok"] for a in shown["attempt_log"]] == [False, True]
    assert [r.answered for r in receiver.requests] == [400, 200]
    assert client.get(f"{P}/notifications/424242").status_code == 404


def test_the_cli_lists_and_retries_failed_notifications(
    runtime: Runtime, database_url: str, receiver: HttpReceiver
) -> None:
    runtime.channels.create(name="ops", url=hook(receiver))
    receiver.status = 400
    (row_id,) = runtime.notifications.enqueue(make_alert())
    runtime.notifications.deliver_due()
    env = {**os.environ, "FLOWDOCTOR_DATABASE_URL": database_url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "flowdoctor", "notifications", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    listed = cli("list", "--status", "failed", "--json")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert json.loads(line)["id"] == row_id and "400" in json.loads(line)["last_reason"]
    done = cli("retry", str(row_id), "--by", "bob")
    assert done.returncode == 0, done.stderr
    assert f"notification {row_id} is due again" in done.stderr
    refused = cli("retry", str(row_id))
    assert refused.returncode == 1 and "cannot move from 'pending'" in refused.stderr
    missing = cli("retry", "999999")
    assert missing.returncode == 1 and "999999" in missing.stderr
    receiver.status = 200
    # the CLI made the row due by the wall clock; this runtime's clock stands two days earlier
    assert runtime.notifications.deliver_due(now=datetime.now(UTC)).delivered == 1


def test_an_alert_that_fired_while_silenced_is_notified_when_the_silence_ends(
    runtime: Runtime, clock: FixedClock, receiver: HttpReceiver
) -> None:
    runtime.channels.create(name="ops", url=hook(receiver))
    runtime.rules.create(
        {
            "name": "sf failing",
            "workflow_id": "sf_sync",
            "metric_name": "error_rate",
            "condition": "greater_than",
            "threshold": 0.3,
            "severity": "high",
        }
    )
    silence = runtime.alerts.silence(
        matchers=[Matcher("workflow_id", "sf_sync")],
        ends_at=clock.now() + timedelta(minutes=30),
        reason="vendor maintenance",
        created_by="carol",
    )

    def fail_and_evaluate(run: str) -> None:
        runtime.intake.add_runs([RunEvent("sf_sync", run, RunStatus.FAILURE, clock.now())])
        runtime.evaluator.evaluate_once()

    fail_and_evaluate("r1")
    assert [a.state.value for a in runtime.alerts.list()] == ["firing"]
    assert runtime.notifications.list() == []  # muted
    clock.advance(minutes=20)
    fail_and_evaluate("r2")
    assert runtime.notifications.list() == []  # still muted
    runtime.alerts.end_silence(silence.silence_id)
    fail_and_evaluate("r3")
    (row,) = runtime.notifications.list()
    assert row.alert_state == "firing"
    fail_and_evaluate("r4")
    assert len(runtime.notifications.list()) == 1  # told once
    assert runtime.notifications.deliver_due().delivered == 1
    assert "sf_sync" in str(receiver.delivered()[0].body)


def test_grouping_is_set_shown_changed_and_validated_through_the_api(client: TestClient) -> None:
    made = client.post(
        f"{P}/channels",
        json={
            "name": "ops",
            "url": "webhook+http://127.0.0.1:9/x",
            "grouping": {"by": ["alertname", "workflow_id"], "wait_seconds": 10},
        },
    )
    assert made.status_code == 201, made.text
    grouping = made.json()["grouping"]
    assert grouping == {
        "by": ["alertname", "workflow_id"],
        "wait_seconds": 10.0,
        "interval_seconds": 300.0,
    }
    channel = f"{P}/channels/{made.json()['channel_id']}"
    assert client.patch(channel, json={"enabled": True}).json()["grouping"] == grouping
    assert client.patch(channel, json={"grouping": None}).json()["grouping"] is None
    bad = client.patch(channel, json={"grouping": {"by": ["9lives"]}})
    assert bad.status_code == 422 and "grouping.by[0]" in bad.text
    for wrong in ({"wait_seconds": -1}, {"interval_seconds": 0}, {"by": "alertname"}):
        assert client.patch(channel, json={"grouping": wrong}).status_code == 422
    assert client.get(channel).json()["grouping"] is None  # nothing half-applied
