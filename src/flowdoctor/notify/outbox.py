"""The outbox: notifications are written to the database before anything is sent, then a
delivery pass sends what is due, records every attempt and retries what may succeed later.

::

    enqueue(alert)  ->  route -> render -> one outbox row per channel (dedup key unique)
    deliver_due()   ->  claim due rows (lease) -> send -> record attempt ->
                        delivered | retry later (backoff) | failed (permanent or exhausted)

Nothing is lost: a row exists before the first send and stays ``pending`` until an attempt is
recorded. Nothing is sent twice while its lease holds: a process that dies mid-delivery leaves a
claimed row that becomes due again when its lease expires. (A process that dies after the receiver
took the message but before the attempt is recorded makes that one message go out again when the
lease runs out: every payload carries the dedup key, and PagerDuty and Alertmanager receivers drop
such a repeat by it.)
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flowdoctor.clock import Clock
from flowdoctor.domain import Alert, AlertState, AlertTransition, Severity
from flowdoctor.domain.notifications import (
    Channel,
    DeliveryAttempt,
    NewNotification,
    NotificationStatus,
    OutboxEntry,
)
from flowdoctor.errors import ConfigurationError, InputError
from flowdoctor.notify.delivery import Deliverer, DeliveryResult, Sender
from flowdoctor.notify.messages import Message, render_message
from flowdoctor.notify.retry import RetryPolicy
from flowdoctor.notify.routing import channels_for
from flowdoctor.store import Database
from flowdoctor.store.alerts_repo import AlertRepository, SilenceRepository
from flowdoctor.store.notify_repo import NotificationRepository

log = logging.getLogger(__name__)

MAX_GROUP_KEY = 200
_NEWS = {"state_firing": AlertState.FIRING, "state_resolved": AlertState.RESOLVED}
_OUTCOMES = {
    NotificationStatus.DELIVERED: "delivered",
    NotificationStatus.PENDING: "retry",
    NotificationStatus.FAILED: "failed",
}


class TransitionStore(Protocol):
    """What ``on_transition`` needs of the evaluator's open ``Store``."""

    alerts: AlertRepository
    silences: SilenceRepository
    notifications: NotificationRepository


def dedup_key(fingerprint: str, state: str, channel_id: str, group_key: str) -> str:
    """The outbox's unique key: one notification per alert, state, channel and group key.

    >>> len(dedup_key("ab12", "firing", "ops", "2026-11-27T12:00:00Z"))
    64
    """
    text = "\x1f".join((fingerprint, state, channel_id, group_key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one delivery pass did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    lease_lost: int = 0
    released: int = 0
    """Claimed but given back untried: the pass ran short of lease time."""


class NotificationService:
    """Enqueue the notifications of alerts and deliver them, never losing one."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        sender: Deliverer | None = None,
        policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=5),
        send_budget: timedelta = timedelta(seconds=60),
        batch_size: int = 100,
        dashboard_url: str | None = None,
        worker_id: str | None = None,
        rng: random.Random | None = None,
        recommend: Callable[[Alert], str | None] | None = None,
        on_attempt: Callable[[str], None] | None = None,
        repeat_interval: timedelta | None = timedelta(hours=4),
    ) -> None:
        """``recommend`` gives an alert's top recommendation text; ``on_attempt`` hears each
        attempt's outcome (``delivered``, ``retry``, ``failed``), e.g. to count it."""
        if send_budget >= lease:
            raise ConfigurationError("the lease must be longer than the send budget")
        self._db = db
        self._clock = clock
        self._owns_sender = sender is None
        self._sender: Deliverer = sender or Sender()
        self._policy = policy or RetryPolicy()
        # The lease must outlast a send (its timeouts) or a slow send could be claimed twice.
        self._lease = lease
        # The longest one send may take (its connect, write and read timeouts, with room).
        self._send_budget = send_budget
        self._batch = batch_size
        self._dashboard_url = dashboard_url
        self._worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self._rng = rng or random.Random()
        self._recommend = recommend
        self._on_attempt = on_attempt
        # Like Alertmanager's repeat_interval: how often a firing, unacknowledged alert is resent.
        self._repeat = repeat_interval

    # -- enqueueing ------------------------------------------------------------------------

    def enqueue(
        self,
        alert: Alert,
        *,
        recommendation: str | None = None,
        group_key: str | None = None,
        into: NotificationRepository | None = None,
    ) -> list[int]:
        """Write one outbox row per channel ``alert`` routes to; returns the new rows' ids.

        ``group_key`` tells apart notifications of the same alert and state (default: the
        episode, i.e. when the alert started firing), so re-evaluating an unchanged alert enqueues
        nothing new. Pass ``into`` (``store.notifications``) to write in the caller's transaction,
        so the alert's state change and its notifications commit together.
        """
        key = group_key if group_key is not None else _episode(alert)
        if recommendation is None and self._recommend is not None:
            recommendation = self._recommend(alert)
        if len(key) > MAX_GROUP_KEY:
            raise InputError(f"group_key is longer than {MAX_GROUP_KEY}", field="group_key")
        if into is not None:
            return self._enqueue(into, alert, recommendation, key)
        with self._db.transaction() as store:
            repo = store.notifications
            return self._enqueue(repo, alert, recommendation, key)

    def _enqueue(
        self,
        repo: NotificationRepository,
        alert: Alert,
        recommendation: str | None,
        key: str,
    ) -> list[int]:
        targets = channels_for(alert, repo.list_channels(enabled_only=True))
        if not targets:
            return []
        payload = render_message(
            alert, recommendation=recommendation, dashboard_url=self._dashboard_url
        ).to_payload()
        rows = [
            NewNotification(
                dedup_key=dedup_key(alert.fingerprint, alert.state.value, c.channel_id, key),
                channel_id=c.channel_id,
                alert_fingerprint=alert.fingerprint,
                alert_state=alert.state.value,
                group_key=key,
                payload=payload,
            )
            for c in targets
        ]
        return repo.enqueue(rows, now=self._clock.now())

    def on_transition(self, store: TransitionStore, moved: AlertTransition) -> None:
        """The evaluator's hook: enqueue a firing or resolved alert in the evaluator's own
        transaction, unless a silence mutes it (``Evaluator(on_transition=...)``)."""
        state = _NEWS.get(moved.kind)
        alert = store.alerts.get(moved.fingerprint) if state else None
        if alert is None or alert.state is not state:
            return
        if any(s.mutes(alert.labels, moved.at) for s in store.silences.list(active_at=moved.at)):
            return
        self.enqueue(alert, into=store.notifications)

    def remind(self, store: TransitionStore, alerts: Iterable[Alert], now: datetime) -> int:
        """The evaluator's end-of-pass hook: a firing alert nobody has acknowledged is notified
        again every ``repeat_interval`` (``#repeat1``, ``#repeat2``... so each reminder is
        enqueued once). Silenced alerts are skipped. Returns how many rows were written."""
        if self._repeat is None:
            return 0
        silences = store.silences.list(active_at=now)
        written = 0
        for alert in alerts:
            if alert.state is not AlertState.FIRING or alert.acknowledged_at is not None:
                continue
            due = int((now - (alert.fired_at or alert.started_at)) / self._repeat)
            if due < 1 or any(s.mutes(alert.labels, now) for s in silences):
                continue
            key = f"{_episode(alert)}#repeat{due}"
            written += len(self.enqueue(alert, group_key=key, into=store.notifications))
        return written

    # -- delivering ------------------------------------------------------------------------

    def deliver_due(self, now: datetime | None = None) -> DeliveryReport:
        """Claim the rows due at ``now`` (default: the clock's), send each, record the outcome."""
        now = now or self._clock.now()
        token = f"{self._worker[:60]}:{uuid.uuid4().hex}"
        with self._db.transaction() as store:
            repo = store.notifications
            entries = repo.claim_due(
                now=now, lease_until=now + self._lease, token=token, limit=self._batch
            )
            channels = {c.channel_id: c for c in repo.list_channels()}
        counts = dict.fromkeys(("delivered", "retrying", "failed", "lease_lost"), 0)
        # Stop while the lease still covers a whole send: a row sent after its lease ran out could
        # be sent by another worker as well. The rest are given back for the next pass.
        deadline = now + self._lease - self._send_budget
        for index, entry in enumerate(entries):
            if self._clock.now() > deadline:
                with self._db.transaction() as store:
                    repo = store.notifications
                    left = [e.notification_id for e in entries[index:]]
                    released = repo.release(left, token=token)
                return DeliveryReport(claimed=len(entries), released=released, **counts)
            result = self._send(entry, channels.get(entry.channel_id))
            outcome = self._record(entry, result, token=token, now=now)
            counts[outcome] += 1
        return DeliveryReport(claimed=len(entries), **counts)

    def _send(self, entry: OutboxEntry, channel: Channel | None) -> DeliveryResult:
        if channel is None:
            return DeliveryResult(False, False, f"channel {entry.channel_id!r} no longer exists")
        if not channel.enabled:
            return DeliveryResult(False, False, f"channel {channel.name!r} is disabled")
        try:
            message = Message.from_payload(entry.payload)
            return self._sender.deliver(channel, message, dedup_key=entry.dedup_key)
        except Exception as exc:  # a sender must not raise; if one does, the row still lives
            # No traceback: an exception's text may quote the channel URL and its secrets.
            log.error(
                "notification %s: sender raised %s", entry.notification_id, type(exc).__name__
            )
            return DeliveryResult(False, True, f"internal error ({type(exc).__name__})")

    def _record(
        self, entry: OutboxEntry, result: DeliveryResult, *, token: str, now: datetime
    ) -> str:
        at = max(now, self._clock.now())
        number = entry.attempts + 1
        attempt = DeliveryAttempt(
            notification_id=entry.notification_id,
            attempt=number,
            at=at,
            ok=result.ok,
            retryable=result.retryable,
            reason=result.reason,
            status_code=result.status,
        )
        status, next_at, reason = self._next_step(result, number, at)
        with self._db.transaction() as store:
            repo = store.notifications
            kept = repo.finish_attempt(
                attempt, token=token, status=status, next_attempt_at=next_at, last_reason=reason
            )
        if not kept:
            log.warning("notification %s: lease lost before recording", entry.notification_id)
            return "lease_lost"
        if status is NotificationStatus.FAILED:
            log.warning("notification %s failed: %s", entry.notification_id, reason)
        if self._on_attempt is not None:
            self._on_attempt(_OUTCOMES[status])
        return "retrying" if status is NotificationStatus.PENDING else _OUTCOMES[status]

    def _next_step(
        self, result: DeliveryResult, number: int, at: datetime
    ) -> tuple[NotificationStatus, datetime, str]:
        if result.ok:
            return NotificationStatus.DELIVERED, at, result.reason
        if not result.retryable:
            return NotificationStatus.FAILED, at, result.reason
        if self._policy.exhausted(number):
            return (
                NotificationStatus.FAILED,
                at,
                f"gave up after {number} attempts: {result.reason}",
            )
        return NotificationStatus.PENDING, at + self._policy.delay(number, self._rng), result.reason

    def run(self, stop: threading.Event, *, interval: float = 5.0) -> None:
        """Deliver every ``interval`` seconds until ``stop`` is set (for a worker thread)."""
        while not stop.is_set():
            try:
                report = self.deliver_due()
            except Exception:  # a database outage must not end the worker; the rows wait
                log.exception("notification delivery pass failed")
                report = DeliveryReport()
            if report.claimed < self._batch:
                stop.wait(interval)

    # -- reading ---------------------------------------------------------------------------

    def list(
        self,
        *,
        status: NotificationStatus | None = None,
        alert_fingerprint: str | None = None,
        limit: int = 100,
    ) -> Sequence[OutboxEntry]:
        """Outbox rows, oldest first."""
        with self._db.transaction() as store:
            repo = store.notifications
            return repo.list(status=status, alert_fingerprint=alert_fingerprint, limit=limit)

    def attempts(self, notification_id: int) -> builtins.list[DeliveryAttempt]:
        """The delivery attempts of one outbox row."""
        with self._db.transaction() as store:
            repo = store.notifications
            return repo.attempts(notification_id)

    def counts(self) -> dict[NotificationStatus, int]:
        """Outbox rows per status."""
        with self._db.transaction() as store:
            repo = store.notifications
            return repo.count_by_status()

    def send_test(self, channel: Channel) -> DeliveryResult:
        """Send a test message to ``channel`` now, outside the outbox (nothing is stored)."""
        now = self._clock.now()
        probe = Alert(
            fingerprint=f"test-{uuid.uuid4().hex[:12]}",
            rule_id=None,
            workflow_id=None,
            state=AlertState.FIRING,
            severity=Severity.INFO,
            labels={"alertname": "flowdoctor_test_notification"},
            annotations={"summary": f"Test notification to channel {channel.name!r}."},
            value=None,
            started_at=now,
            updated_at=now,
            fired_at=now,
        )
        message = render_message(probe, dashboard_url=self._dashboard_url)
        return self._sender.deliver(channel, message, dedup_key=probe.fingerprint)

    def close(self) -> None:
        """Release the sender's connections if this service made the sender."""
        if self._owns_sender and isinstance(self._sender, Sender):
            self._sender.close()


def _episode(alert: Alert) -> str:
    return (alert.fired_at or alert.started_at).isoformat()
