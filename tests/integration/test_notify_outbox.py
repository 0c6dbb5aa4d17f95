"""The outbox on SQLite and PostgreSQL: written before any send, deduplicated, retried with
growing waits, permanent failures kept with their reason, leases that survive a dead process."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import inspect

from flowdoctor.clock import FixedClock
from flowdoctor.domain import AlertState, Matcher, Severity, Silence
from flowdoctor.domain.notifications import Channel, NotificationStatus
from flowdoctor.errors import ConfigurationError, InputError, NotFoundError
from flowdoctor.notify.channel_service import describe
from flowdoctor.notify.delivery import DeliveryResult, RecordingSender, Sender
from flowdoctor.notify.messages import Message
from flowdoctor.notify.outbox import NotificationService
from flowdoctor.store import Database, upgrade
from flowdoctor.store.alerts_repo import SilenceRepository
from flowdoctor.store.migrate import downgrade
from flowdoctor.store.notify_repo import NotificationRepository
from support.notify import T0, make_alert, services
from support.receivers import HttpReceiver


def hook(receiver: HttpReceiver, path: str = "/hook") -> str:
    return "json+" + receiver.url(path)


def test_the_same_notification_is_stored_once(db: Database, clock: FixedClock) -> None:
    channels, outbox = services(db, clock, sender=RecordingSender())
    channels.create(name="a", url="json+http://127.0.0.1:9/a")
    channels.create(name="b", url="json+http://127.0.0.1:9/b")
    assert len(outbox.enqueue(make_alert())) == 2
    assert outbox.enqueue(make_alert()) == []  # re-evaluated, unchanged: nothing new
    assert len(outbox.enqueue(make_alert(state=AlertState.RESOLVED))) == 2
    assert len(outbox.enqueue(make_alert(at=T0 + timedelta(hours=2)))) == 2  # fired again
    assert outbox.enqueue(make_alert(), group_key="digest-1") != []
    assert outbox.enqueue(make_alert(), group_key="digest-1") == []
    assert len(outbox.list()) == 8
    assert outbox.enqueue(make_alert(state=AlertState.PENDING)) == []  # pending is not news


def test_enqueue_joins_the_callers_transaction(db: Database, clock: FixedClock) -> None:
    channels, outbox = services(db, clock, sender=RecordingSender())
    channels.create(name="a", url="json+http://127.0.0.1:9/a")
    with pytest.raises(RuntimeError), db.transaction() as store:
        repo = store.notifications
        assert len(outbox.enqueue(make_alert(), into=repo)) == 1
        raise RuntimeError("the alert's state change failed")
    assert outbox.list() == []
    with db.transaction() as store:
        repo = store.notifications
        outbox.enqueue(make_alert(), into=repo)
    assert len(outbox.list()) == 1


def test_a_400_is_permanent_and_never_retried(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    channels, outbox = services(db, clock)
    channels.create(name="hook", url=hook(receiver))
    receiver.status = 400
    outbox.enqueue(make_alert())
    assert outbox.deliver_due().failed == 1
    for _ in range(3):
        clock.advance(hours=1)
        assert outbox.deliver_due().claimed == 0
    (row,) = outbox.list()
    assert row.status is NotificationStatus.FAILED
    assert row.last_reason == "HTTP 400 Bad Request: no thanks"
    (attempt,) = outbox.attempts(row.notification_id)
    assert (attempt.ok, attempt.retryable, attempt.status_code) == (False, False, 400)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("outage", ["503", "port closed"])
def test_a_receiver_that_is_away_gets_each_notification_once(
    db: Database, clock: FixedClock, receiver: HttpReceiver, outage: str
) -> None:
    channels, outbox = services(db, clock)
    channels.create(name="hook", url=hook(receiver))
    if outage == "503":
        receiver.status = 503
    else:
        receiver.stop()
    for n in range(3):
        outbox.enqueue(make_alert(f"fp-{n}"))
    waits = []
    for _ in range(4):
        report = outbox.deliver_due()
        assert report.retrying == 3
        (row, *_) = outbox.list()
        waits.append(row.next_attempt_at - clock.now())
        clock.advance(seconds=(row.next_attempt_at - clock.now()).total_seconds() + 60)
    assert waits == sorted(waits) and waits[-1] > waits[0]  # the backoff grows
    receiver.status = 200
    if outage == "port closed":
        receiver.start()  # the same port, open again
    clock.advance(minutes=10)
    assert outbox.deliver_due().delivered == 3
    clock.advance(hours=2)
    assert outbox.deliver_due().claimed == 0
    delivered = Counter(r.body["alert"]["fingerprint"] for r in receiver.delivered())
    assert delivered == {"fp-0": 1, "fp-1": 1, "fp-2": 1}
    for row in outbox.list():
        attempts = outbox.attempts(row.notification_id)
        assert [a.attempt for a in attempts] == [1, 2, 3, 4, 5]
        assert [a.ok for a in attempts] == [False] * 4 + [True]
        assert all(a.retryable for a in attempts[:4])
        assert row.status is NotificationStatus.DELIVERED and row.delivered_at == clock.now() - (
            timedelta(hours=2)
        )
    expected = "HTTP 503 Service Unavailable" if outage == "503" else "connection failed"
    assert outbox.attempts(1)[0].reason.startswith(expected)


def test_retries_end_after_max_attempts_with_the_reason(db: Database, clock: FixedClock) -> None:
    always_down = RecordingSender(default=DeliveryResult(False, True, "HTTP 502 Bad Gateway", 502))
    channels, outbox = services(db, clock, sender=always_down)
    channels.create(name="hook", url="json+http://127.0.0.1:9/x")
    outbox.enqueue(make_alert())
    for _ in range(20):
        outbox.deliver_due()
        clock.advance(minutes=10)
    (row,) = outbox.list()
    assert row.status is NotificationStatus.FAILED
    assert row.last_reason == "gave up after 8 attempts: HTTP 502 Bad Gateway"
    assert len(always_down.sent) == 8 == len(outbox.attempts(row.notification_id))


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing after it in ``deliver_due`` runs."""


class DiesAfterSending:
    """Sends for real, then 'dies' on the ``die_at``-th send, after the receiver took it."""

    def __init__(self, die_at: int) -> None:
        self.real = Sender(timeout=5.0)
        self.sends = 0
        self.die_at = die_at

    def deliver(self, channel: Channel, message: Message, *, dedup_key: str) -> DeliveryResult:
        result = self.real.deliver(channel, message, dedup_key=dedup_key)
        self.sends += 1
        if self.sends == self.die_at:
            raise ProcessDied
        return result


def test_a_process_that_dies_mid_delivery_loses_nothing(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    dying = DiesAfterSending(die_at=3)
    channels, first = services(db, clock, sender=dying, worker_id="dies")
    channels.create(name="hook", url=hook(receiver))
    for n in range(5):
        first.enqueue(make_alert(f"fp-{n}"))
    with pytest.raises(ProcessDied):
        first.deliver_due()
    dying.real.close()
    # Two rows were recorded delivered; the third reached the receiver but its process died
    # before recording it; the last two were claimed and never tried.
    counts = first.counts()
    assert counts[NotificationStatus.DELIVERED] == 2
    assert counts[NotificationStatus.PENDING] == 3

    _, second = services(db, clock, worker_id="survivor")
    clock.advance(minutes=1)  # the dead process's lease (2 minutes) still holds
    assert second.deliver_due().claimed == 0
    clock.advance(minutes=2)
    assert second.deliver_due().delivered == 3
    clock.advance(hours=1)
    assert second.deliver_due().claimed == 0

    got = Counter(r.body["alert"]["fingerprint"] for r in receiver.delivered())
    assert set(got) == {f"fp-{n}" for n in range(5)}  # nothing lost
    # Only the one in flight when the process died went out twice, with the same dedup key.
    assert [fp for fp, n in got.items() if n > 1] == ["fp-2"]
    keys = [
        r.body["dedup_key"]
        for r in receiver.delivered()
        if r.body["alert"]["fingerprint"] == "fp-2"
    ]
    assert len(set(keys)) == 1
    assert second.counts()[NotificationStatus.DELIVERED] == 5


def test_a_live_lease_keeps_other_workers_away(db: Database, clock: FixedClock) -> None:
    channels, _ = services(db, clock)
    channels.create(name="hook", url="json+http://127.0.0.1:9/x")
    senders = [RecordingSender(), RecordingSender()]
    _, a = services(db, clock, sender=senders[0], worker_id="a", batch_size=7)
    _, b = services(db, clock, sender=senders[1], worker_id="b", batch_size=7)
    for n in range(10):
        a.enqueue(make_alert(f"fp-{n}"))
    with db.transaction() as store:  # a claims and has not finished yet
        repo = store.notifications
        held = repo.claim_due(
            now=clock.now(), lease_until=clock.now() + timedelta(minutes=2), token="a:held", limit=7
        )
    assert len(held) == 7
    assert b.deliver_due().claimed == 3
    assert {m.fingerprint for _, m, _ in senders[1].sent} == {"fp-7", "fp-8", "fp-9"}


def test_concurrent_workers_never_send_the_same_row(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    channels, _ = services(db, clock)
    channels.create(name="hook", url=hook(receiver))
    workers = [services(db, clock, worker_id=f"w{i}", batch_size=10)[1] for i in range(3)]
    for n in range(120):
        workers[0].enqueue(make_alert(f"fp-{n}"))
    errors: list[BaseException] = []

    def work(service: NotificationService) -> None:
        try:
            while service.deliver_due().claimed:
                pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = Counter(r.body["dedup_key"] for r in receiver.delivered())
    assert len(got) == 120 and set(got.values()) == {1}
    assert workers[0].counts()[NotificationStatus.DELIVERED] == 120


def test_a_deleted_or_disabled_channel_fails_its_rows_saying_why(
    db: Database, clock: FixedClock
) -> None:
    channels, outbox = services(db, clock, sender=RecordingSender())
    gone = channels.create(name="gone", url="json+http://127.0.0.1:9/a")
    off = channels.create(name="off", url="json+http://127.0.0.1:9/b")
    outbox.enqueue(make_alert())
    channels.delete(gone.channel_id)
    channels.update(off.channel_id, enabled=False)
    assert outbox.deliver_due().failed == 2
    reasons = sorted(r.last_reason or "" for r in outbox.list())
    assert reasons == [f"channel {gone.channel_id!r} no longer exists", "channel 'off' is disabled"]


def test_channels_are_checked_routed_and_never_shown_with_secrets(
    db: Database, clock: FixedClock
) -> None:
    channels, outbox = services(db, clock, sender=RecordingSender())
    with pytest.raises(InputError, match="unknown channel URL scheme 'ftp'") as bad:
        channels.create(name="x", url="ftp://127.0.0.1/x")
    assert bad.value.field == "url"
    secret = channels.create(
        name="smtp",
        url="smtp://ops:hunter2@127.0.0.1:2525/?from=f@example.com&to=ops@example.com",
        severities=["critical"],
    )
    with pytest.raises(InputError, match="already called"):
        channels.create(name="smtp", url="pagerduty://KEY")
    with pytest.raises(NotFoundError):
        channels.get("nope")
    shown = describe(channels.get(secret.channel_id))
    assert "hunter2" not in str(shown) and "hunter2" not in repr(secret)
    assert shown["kind"] == "email" and shown["severities"] == ["critical"]
    data = channels.create(
        name="data-team",
        url="json+http://127.0.0.1:9/data",
        matchers=[Matcher("team", "data"), Matcher("env", "test", negate=True)],
    )
    assert [c.name for c in channels.list()] == ["data-team", "smtp"]
    outbox.enqueue(make_alert("high", severity=Severity.HIGH))
    outbox.enqueue(make_alert("crit", severity=Severity.CRITICAL, labels={"env": "test"}))
    routed = {(r.alert_fingerprint, r.channel_id) for r in outbox.list()}
    assert routed == {("high", data.channel_id), ("crit", secret.channel_id)}
    changed = channels.update(data.channel_id, severities=["low"], url="pagerduty://OTHER")
    assert changed.severities == (Severity.LOW,) and changed.name == "data-team"
    with pytest.raises(InputError, match="routing key"):
        channels.update(data.channel_id, url="pagerduty://")


class SlowSender(RecordingSender):
    """Each send takes a minute of the (fixed) clock."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self.clock = clock

    def deliver(self, channel: Channel, message: Message, *, dedup_key: str) -> DeliveryResult:
        self.clock.advance(minutes=1)
        return super().deliver(channel, message, dedup_key=dedup_key)


def test_a_pass_stops_before_its_lease_runs_out_and_gives_the_rest_back(
    db: Database, clock: FixedClock
) -> None:
    channels, _ = services(db, clock)
    channels.create(name="hook", url="json+http://127.0.0.1:9/x")
    slow = SlowSender(clock)
    # Lease 2 minutes, sends may take 30 s: after two one-minute sends there is no time left.
    slow_worker = NotificationService(
        db=db,
        clock=clock,
        sender=slow,
        lease=timedelta(minutes=2),
        send_budget=timedelta(seconds=30),
    )
    for n in range(5):
        slow_worker.enqueue(make_alert(f"fp-{n}"))
    report = slow_worker.deliver_due()
    assert (report.claimed, report.delivered, report.released) == (5, 2, 3)
    fast = RecordingSender()
    _, other = services(db, clock, sender=fast, worker_id="other")
    assert other.deliver_due().delivered == 3  # at once, not after the lease
    assert sorted(m.fingerprint for _, m, _ in slow.sent + fast.sent) == [
        f"fp-{n}" for n in range(5)
    ]
    with pytest.raises(ConfigurationError):
        NotificationService(db=db, clock=clock, lease=timedelta(seconds=30))


def test_the_delivery_worker_runs_until_stopped(db: Database, clock: FixedClock) -> None:
    sender = RecordingSender()
    channels, outbox = services(db, clock, sender=sender)
    channels.create(name="hook", url="json+http://127.0.0.1:9/x")
    outbox.enqueue(make_alert())
    stop = threading.Event()
    worker = threading.Thread(target=outbox.run, args=(stop,), kwargs={"interval": 0.01})
    worker.start()
    try:
        for _ in range(1000):
            if outbox.counts()[NotificationStatus.DELIVERED]:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        worker.join()
    assert len(sender.sent) == 1


def test_0004_downgrades_and_upgrades(db: Database) -> None:
    downgrade(db.engine, "0003")
    assert not {"notifications", "notification_attempts", "notification_channels"} & set(
        inspect(db.engine).get_table_names()
    )
    upgrade(db.engine)
    assert {"notifications", "notification_attempts", "notification_channels"} <= set(
        inspect(db.engine).get_table_names()
    )


@dataclass
class EvaluatorStore:
    """The parts of the evaluator's ``Store`` the hook uses, on one connection."""

    silences: SilenceRepository
    notifications: NotificationRepository


def test_the_evaluator_hook_enqueues_news_in_its_transaction_unless_silenced(
    db: Database, clock: FixedClock
) -> None:
    channels, outbox = services(db, clock, sender=RecordingSender())
    channels.create(name="hook", url="json+http://127.0.0.1:9/x")
    firing, muted, pending = (
        make_alert("loud"),
        make_alert("muted", labels={"team": "quiet"}),
        make_alert("pending", state=AlertState.PENDING),
    )
    silence = Silence(
        "s1", (Matcher("team", "quiet"),), T0, T0 + timedelta(hours=1), "deploy", "me"
    )
    with db.engine.begin() as connection:
        store = EvaluatorStore(SilenceRepository(connection), NotificationRepository(connection))
        store.silences.add(silence)
        assert outbox.on_pass(store, [firing, muted, pending], T0) == 1
        assert outbox.on_pass(store, [firing, muted, pending], T0) == 0  # already enqueued
    assert [row.alert_fingerprint for row in outbox.list()] == ["loud"]


def test_a_recommender_and_an_attempt_counter_can_be_plugged_in(
    db: Database, clock: FixedClock
) -> None:
    outcomes: list[str] = []
    sender = RecordingSender(
        script=[DeliveryResult(False, True, "503"), DeliveryResult(False, False, "400")]
    )
    channels, _ = services(db, clock)
    outbox = NotificationService(
        db=db,
        clock=clock,
        sender=sender,
        recommend=lambda alert: f"restart {alert.workflow_id}",
        on_attempt=outcomes.append,
    )
    channels.create(name="hook", url="json+http://127.0.0.1:9/x")
    outbox.enqueue(make_alert("a"))
    outbox.enqueue(make_alert("b"))
    outbox.enqueue(make_alert("c"))
    outbox.deliver_due()
    assert outcomes == ["retry", "failed", "delivered"]
    assert {m.recommendation for _, m, _ in sender.sent} == {"restart orders"}
