"""Notifications sent for real: every payload shape to an HTTP receiver on 127.0.0.1 and mail to
an SMTP server on 127.0.0.1, each through the outbox on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowdoctor.clock import FixedClock
from flowdoctor.domain import AlertState
from flowdoctor.domain.notifications import NotificationStatus
from flowdoctor.notify.delivery import Sender
from flowdoctor.store import Database
from support.notify import make_alert, services
from support.receivers import HttpReceiver, SmtpReceiver, self_signed_certificate


def test_every_http_kind_arrives_in_its_own_shape(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    channels, outbox = services(db, clock)
    kinds = {
        "slack": "slack+http",
        "teams": "msteams+http",
        "teams-adaptive": "msteams+http",
        "discord": "discord+http",
        "webhook": "json+http",
        "am": "alertmanager+http",
    }
    for name, scheme in kinds.items():
        query = "?format=adaptive" if name == "teams-adaptive" else ""
        url = receiver.url(f"/{name}{query}").replace("http", scheme, 1)
        channels.create(name=name, url=url)
    pd_url = f"pagerduty://ROUTINGKEY123?events_url={receiver.url('/pd/v2/enqueue')}"
    channels.create(name="pagerduty", url=pd_url)

    ids = outbox.enqueue(make_alert(), recommendation="Reconnect the Salesforce credential")
    assert len(ids) == 7
    report = outbox.deliver_due()
    assert (report.claimed, report.delivered) == (7, 7)

    got = {r.path.split("?")[0].strip("/"): r for r in receiver.delivered()}
    slack = got["slack"].body
    assert slack["text"].startswith("[FIRING] HighErrorRate (high) on orders")
    assert "Reconnect the Salesforce credential" in slack["blocks"][2]["text"]["text"]
    assert (
        "http://127.0.0.1:8000/alerts/fp-orders-errors" in slack["blocks"][3]["elements"][0]["text"]
    )

    card = got["teams"].body
    assert card["@type"] == "MessageCard"
    assert {"name": "Workflow", "value": "orders"} in card["sections"][0]["facts"]
    assert card["potentialAction"][0]["targets"][0]["uri"].endswith("/alerts/fp-orders-errors")
    adaptive = got["teams-adaptive"].body
    assert adaptive["type"] == "message"
    content = adaptive["attachments"][0]["content"]
    assert content["type"] == "AdaptiveCard"
    assert adaptive["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert content["actions"][0]["type"] == "Action.OpenUrl"

    discord = got["discord"].body
    assert discord["allowed_mentions"] == {"parse": []}
    assert discord["embeds"][0]["title"].startswith("[FIRING]")
    assert "value 0.31 against threshold 0.05" in discord["embeds"][0]["description"]

    event = got["pd/v2/enqueue"].body
    assert event["routing_key"] == "ROUTINGKEY123"
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == "fp-orders-errors"
    assert event["payload"]["severity"] == "error"
    assert event["payload"]["source"] == "orders"
    assert event["payload"]["custom_details"]["recommendation"].startswith("Reconnect")

    hook = got["webhook"].body
    assert hook["version"] == "1" and hook["status"] == "firing"
    assert hook["alert"]["fingerprint"] == "fp-orders-errors"
    assert got["webhook"].headers["Idempotency-Key"] == hook["dedup_key"]

    am = got["am"].body
    assert am["version"] == "4"
    assert set(am) >= {
        "groupKey",
        "status",
        "receiver",
        "groupLabels",
        "commonLabels",
        "commonAnnotations",
        "externalURL",
        "alerts",
    }
    assert am["receiver"] == "am" and am["status"] == "firing"
    assert am["externalURL"] == "http://127.0.0.1:8000"
    (alert,) = am["alerts"]
    assert set(alert) == {
        "status",
        "labels",
        "annotations",
        "startsAt",
        "endsAt",
        "generatorURL",
        "fingerprint",
    }
    assert alert["labels"]["alertname"] == "HighErrorRate"
    assert alert["labels"]["severity"] == "high"
    assert alert["startsAt"] == "2026-11-27T12:00:00Z"
    assert alert["endsAt"] == "0001-01-01T00:00:00Z"
    assert outbox.counts()[NotificationStatus.DELIVERED] == 7


def test_resolved_alerts_resolve_in_pagerduty_and_alertmanager(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    channels, outbox = services(db, clock)
    channels.create(name="am", url=receiver.url("/am").replace("http", "alertmanager+http", 1))
    channels.create(name="pd", url=f"pagerduty://KEY?events_url={receiver.url('/pd')}")
    outbox.enqueue(make_alert())
    outbox.enqueue(make_alert(state=AlertState.RESOLVED))
    assert outbox.deliver_due().delivered == 4
    by_path: dict[str, list[dict[str, object]]] = {}
    for r in receiver.delivered():
        by_path.setdefault(r.path, []).append(r.body)
    assert [e["event_action"] for e in by_path["/pd"]] == ["trigger", "resolve"]
    assert {e["dedup_key"] for e in by_path["/pd"]} == {"fp-orders-errors"}
    am = by_path["/am"][1]
    assert am["status"] == "resolved"
    assert am["alerts"][0]["endsAt"] == "2026-11-27T12:30:00Z"  # type: ignore[index]


def test_mail_arrives_over_smtp(db: Database, clock: FixedClock, smtp: SmtpReceiver) -> None:
    channels, outbox = services(db, clock)
    channels.create(
        name="mail",
        url=f"smtp://127.0.0.1:{smtp.port}/?from=flowdoctor@example.com&to=ops@example.com,"
        "oncall@example.com",
    )
    channels.create(name="mailto", url=f"mailto:data@example.com?host=127.0.0.1&port={smtp.port}")
    outbox.enqueue(make_alert(), recommendation="Reconnect the credential")
    assert outbox.deliver_due().delivered == 2
    mails = sorted(smtp.parsed(), key=lambda m: str(m["To"]))
    assert [str(m["To"]) for m in mails] == [
        "data@example.com",
        "ops@example.com, oncall@example.com",
    ]
    mail = mails[1]
    assert mail["Subject"] == "[FIRING] HighErrorRate (high) on orders"
    assert mail["From"] == "flowdoctor@example.com"
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert "Why: value 0.31 against threshold 0.05" in text
    assert "First thing to try: Reconnect the credential" in text
    assert "http://127.0.0.1:8000/alerts/fp-orders-errors" in text
    assert sorted(smtp.mails[0][1] + smtp.mails[1][1]) == [
        "data@example.com",
        "oncall@example.com",
        "ops@example.com",
    ]


def test_smtp_refusals_are_permanent_or_retried_by_code(
    db: Database, clock: FixedClock, smtp: SmtpReceiver
) -> None:
    channels, outbox = services(db, clock)
    channels.create(name="mail", url=f"mailto:ops@example.com?host=127.0.0.1&port={smtp.port}")
    smtp.refuse_with = "451 try again later"
    outbox.enqueue(make_alert("a"))
    assert outbox.deliver_due().retrying == 1
    smtp.refuse_with = "550 no such user"
    clock.advance(minutes=1)
    assert outbox.deliver_due().failed == 1
    (row,) = outbox.list()
    assert row.status is NotificationStatus.FAILED
    assert [a.retryable for a in outbox.attempts(row.notification_id)] == [True, False]
    assert smtp.mails == []


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Iterator[tuple[SmtpReceiver, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = self_signed_certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = SmtpReceiver(tls=server_context).start()
    yield server, cert
    server.stop()


def test_mail_over_starttls_with_login(
    db: Database, clock: FixedClock, tls_smtp: tuple[SmtpReceiver, Path]
) -> None:
    smtp, cert = tls_smtp
    trusted = Sender(tls_context=ssl.create_default_context(cafile=str(cert)))
    channels, outbox = services(db, clock, sender=trusted)
    base = f"127.0.0.1:{smtp.port}/?from=fd@example.com&to=ops@example.com"
    channels.create(name="tls", url=f"smtp://ops:s3cret@{base}&starttls=true")
    channels.create(name="plain", url=f"smtp://{base}")
    channels.create(name="bad-password", url=f"smtp://ops:wrong@{base}&starttls=true")
    outbox.enqueue(make_alert())
    assert outbox.deliver_due().delivered == 1
    assert set(smtp.logins) == {("ops", "s3cret"), ("ops", "wrong")} and len(smtp.mails) == 1
    rows = {r.channel_id: r for r in outbox.list()}
    by_name = {c.name: c.channel_id for c in channels.list()}
    # Without STARTTLS the server refuses (530) and a wrong password is refused (535): for good.
    assert rows[by_name["plain"]].status is NotificationStatus.FAILED
    assert (rows[by_name["plain"]].last_reason or "").startswith("SMTP 530")
    assert (rows[by_name["bad-password"]].last_reason or "").startswith("SMTP 535")
    for row in rows.values():
        assert "s3cret" not in (row.last_reason or "") and "wrong" not in (row.last_reason or "")


def test_an_untrusted_smtp_certificate_is_a_permanent_failure(
    db: Database, clock: FixedClock, tls_smtp: tuple[SmtpReceiver, Path]
) -> None:
    smtp, _ = tls_smtp
    channels, outbox = services(db, clock)  # the system's CAs do not know the test certificate
    channels.create(
        name="tls", url=f"smtp://127.0.0.1:{smtp.port}/?to=ops@example.com&starttls=true"
    )
    outbox.enqueue(make_alert())
    assert outbox.deliver_due().failed == 1
    (row,) = outbox.list()
    assert row.last_reason == "the SMTP server's certificate is not trusted"
    assert smtp.mails == []
