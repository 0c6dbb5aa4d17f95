"""A steady stream of 500 notifications while the receiver answers 503 for a while, then is gone
(port closed), then comes back: none lost, none sent twice, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from flowdoctor.clock import FixedClock
from flowdoctor.domain.notifications import NotificationStatus
from flowdoctor.notify.retry import RetryPolicy
from flowdoctor.store import Database
from support.notify import make_alert, services
from support.receivers import HttpReceiver

TOTAL = 500
PER_TICK = 10
TICK = timedelta(seconds=10)


def _receiver_for_tick(receiver: HttpReceiver, tick: int) -> None:
    """Up for ticks 0-9, 503 for 10-19, port closed for 20-34, up again from 35."""
    if tick == 10:
        receiver.status = 503
    elif tick == 20:
        receiver.stop()
    elif tick == 35:
        receiver.status = 200
        receiver.start()


def test_no_notification_is_lost_or_duplicated_through_an_outage(
    db: Database, clock: FixedClock, receiver: HttpReceiver
) -> None:
    policy = RetryPolicy(
        base=timedelta(seconds=10), factor=2.0, cap=timedelta(minutes=2), max_attempts=30
    )
    channels, outbox = services(db, clock, policy=policy, batch_size=100)
    channels.create(name="hook", url="json+" + receiver.url("/stream"))
    enqueued = 0
    tick = 0
    while tick < 200:
        _receiver_for_tick(receiver, tick)
        for _ in range(PER_TICK if enqueued < TOTAL else 0):
            outbox.enqueue(make_alert(f"fp-{enqueued:04d}"))
            enqueued += 1
        while outbox.deliver_due().claimed == 100:
            pass  # a full batch: more may be due
        if enqueued == TOTAL and not outbox.counts()[NotificationStatus.PENDING]:
            break
        clock.advance(seconds=TICK.total_seconds())
        tick += 1

    got = Counter(r.body["alert"]["fingerprint"] for r in receiver.delivered())
    lost = TOTAL - len(got)
    duplicated = sum(got.values()) - len(got)
    assert (lost, duplicated) == (0, 0)
    counts = outbox.counts()
    assert counts == {
        NotificationStatus.DELIVERED: TOTAL,
        NotificationStatus.PENDING: 0,
        NotificationStatus.FAILED: 0,
    }
    # The outage was real: many rows needed more than one attempt, and each attempt is logged.
    failed_tries = [r for r in receiver.requests if r.answered == 503]
    assert failed_tries
    retried = [row for row in outbox.list(limit=TOTAL) if row.attempts > 1]
    assert len(retried) >= 250
    sample = retried[0]
    attempts = outbox.attempts(sample.notification_id)
    assert len(attempts) == sample.attempts and attempts[-1].ok
