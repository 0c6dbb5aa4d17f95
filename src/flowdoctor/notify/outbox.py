"""The outbox: notifications are written to the database before anything is sent, then a
delivery pass sends what is due, records every attempt and retries what may succeed later.

::

    on_pass(alerts) ->  news owed (news.py) -> render -> one outbox row per alert and channel
                        (dedup key unique; a grouped channel's row is due when its group is)
    deliver_due()   ->  claim due rows (lease) -> one send per row or per group -> record an
                        attempt per row -> delivered | retry later (backoff) | failed
    retry(id)       ->  a failed row is due again, by hand

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
from flowdoctor.domain import Alert, AlertState, Severity
from flowdoctor.domain.notifications import (
    Channel,
    DeliveryAttempt,
    NewNotification,
    NotificationStatus,
    OutboxEntry,
)
from flowdoctor.domain.paging import Key, Page
from flowdoctor.errors import ConfigurationError, InputError, InvalidTransitionError, NotFoundError
from flowdoctor.notify.delivery import Deliverer, DeliveryResult, Sender
from flowdoctor.notify.grouping import first_send, group_message, group_of
from flowdoctor.notify.messages import Message, render_message
from flowdoctor.notify.news import News, episode, news_of_pass
from flowdoctor.notify.retry import RetryPolicy
from flowdoctor.notify.routing import channels_for
from flowdoctor.store import Database
from flowdoctor.store.alerts_repo import SilenceRepository
from flowdoctor.store.notify_repo import NotificationRepository

log = logging.getLogger(__name__)

MAX_GROUP_KEY = 200
_OUTCOMES = {
    NotificationStatus.DELIVERED: "delivered",
    NotificationStatus.PENDING: "retry",
    NotificationStatus.FAILED: "failed",
}


class PassStore(Protocol):
    """What ``on_pass`` needs of the evaluator's open ``Store``."""

    silences: SilenceRepository
    notifications: NotificationRepository


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
        episode, i.e. when the alert started firing), so re-enqueueing an unchanged alert writes
        nothing new. Pass ``into`` (``store.notifications``) to write in the caller's
        transaction, so the alert's state change and its notifications commit together.
        """
        key = group_key if group_key is not None else episode(alert)
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
        news = [News(alert, channel, key) for channel in targets]
        return self._write(repo, news, {alert.fingerprint: recommendation})

    def on_pass(self, store: PassStore, alerts: Iterable[Alert], now: datetime) -> int:
        """The evaluator's end-of-pass hook, in the pass's own transaction: enqueue the news the
        open alerts owe (``news.news_of_pass``: new firing and resolved alerts, alerts whose
        silence ended, reminders every repeat interval). Returns how many rows were written."""
        repo = store.notifications
        channels = repo.list_channels(enabled_only=True)
        alerts = [a for a in alerts if a.state in (AlertState.FIRING, AlertState.RESOLVED)]
        if not channels or not alerts:
            return 0
        owed = news_of_pass(
            alerts,
            channels=channels,
            silences=store.silences.list(active_at=now),
            stored=repo.stored_keys([a.fingerprint for a in alerts]),
            now=now,
            repeat=self._repeat,
        )
        return len(self._write(repo, owed, {}))

    def _write(
        self,
        repo: NotificationRepository,
        owed: Sequence[News],
        recommendations: dict[str, str | None],
    ) -> list[int]:
        if not owed:
            return []
        now = self._clock.now()
        payloads: dict[str, dict[str, object]] = {}
        groups = {n.dedup_key: group_of(n.channel, n.alert) for n in owed}
        schedule = repo.group_schedule([g for g in groups.values() if g is not None])
        rows = []
        for news in owed:
            alert, channel = news.alert, news.channel
            if alert.fingerprint not in payloads:
                advice = recommendations.get(alert.fingerprint)
                if advice is None and self._recommend is not None:
                    advice = self._recommend(alert)
                message = render_message(
                    alert, recommendation=advice, dashboard_url=self._dashboard_url
                )
                payloads[alert.fingerprint] = message.to_payload()
            group = groups[news.dedup_key]
            due = None
            if group is not None and channel.grouping is not None:
                waiting, last = schedule.get(group, (None, None))
                due = first_send(channel.grouping, waiting_due=waiting, last_sent=last, now=now)
                schedule[group] = (due, last)  # later news of this pass joins the same send
            rows.append(
                NewNotification(
                    dedup_key=news.dedup_key,
                    channel_id=channel.channel_id,
                    alert_fingerprint=alert.fingerprint,
                    alert_state=alert.state.value,
                    group_key=news.key,
                    payload=dict(payloads[alert.fingerprint]),
                    group_id=group,
                    due_at=due,
                )
            )
        return repo.enqueue(rows, now=now)

    def retry(self, notification_id: int, *, by: str | None = None) -> OutboxEntry:
        """Send a failed row again at the next delivery pass (one more attempt, logged like
        the others); ``NotFoundError`` for an unknown id, ``InvalidTransitionError`` unless the
        row stands failed."""
        now = self._clock.now()
        with self._db.transaction() as store:
            repo = store.notifications
            entry = repo.get(notification_id)
            if entry is None:
                raise NotFoundError("notification", str(notification_id))
            reason = f"retry requested by {by}" if by else "retry requested"
            if not repo.requeue(notification_id, now=now, reason=reason):
                raise InvalidTransitionError("notification", entry.status.value, "pending", [])
            requeued = repo.get(notification_id)
        assert requeued is not None  # it was just updated in this transaction
        return requeued

    # -- delivering ------------------------------------------------------------------------

    def deliver_due(self, now: datetime | None = None) -> DeliveryReport:
        """Claim the rows due at ``now`` (default: the clock's), send each row (a group's rows
        in one message), and record every row's outcome."""
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
        sends = _sends(entries)
        for index, batch in enumerate(sends):
            if self._clock.now() > deadline:
                left = [e.notification_id for rest in sends[index:] for e in rest]
                with self._db.transaction() as store:
                    released = store.notifications.release(left, token=token)
                return DeliveryReport(claimed=len(entries), released=released, **counts)
            channel = channels.get(batch[0].channel_id)
            result = self._send(batch, channel)
            # One backoff for the whole batch, so a group's rows are retried together; drawn only
            # when there is something to retry.
            retry_at = None if result.ok or not result.retryable else self._retry_at(batch)
            for entry in batch:
                outcome = self._record(entry, result, token=token, now=now, retry_at=retry_at)
                counts[outcome] += 1
        return DeliveryReport(claimed=len(entries), **counts)

    def _send(self, batch: Sequence[OutboxEntry], channel: Channel | None) -> DeliveryResult:
        first = batch[0]
        if channel is None:
            return DeliveryResult(False, False, f"channel {first.channel_id!r} no longer exists")
        if not channel.enabled:
            return DeliveryResult(False, False, f"channel {channel.name!r} is disabled")
        try:
            if len(batch) == 1:
                message, key = Message.from_payload(first.payload), first.dedup_key
            else:
                by = channel.grouping.by if channel.grouping else ()
                members = [Message.from_payload(e.payload) for e in batch]
                message = group_message(members, group_id=first.group_id or "", by=by)
                key = _batch_key(batch)
            return self._sender.deliver(channel, message, dedup_key=key)
        except Exception as exc:  # a sender must not raise; if one does, the rows still live
            # No traceback: an exception's text may quote the channel URL and its secrets.
            log.error(
                "notification %s: sender raised %s", first.notification_id, type(exc).__name__
            )
            return DeliveryResult(False, True, f"internal error ({type(exc).__name__})")

    def _retry_at(self, batch: Sequence[OutboxEntry]) -> datetime:
        number = max(e.attempts for e in batch) + 1
        return self._clock.now() + self._policy.delay(number, self._rng)

    def _record(
        self,
        entry: OutboxEntry,
        result: DeliveryResult,
        *,
        token: str,
        now: datetime,
        retry_at: datetime | None,
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
        status, next_at, reason = self._next_step(result, number, at, retry_at)
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
        self, result: DeliveryResult, number: int, at: datetime, retry_at: datetime | None
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
        assert retry_at is not None  # drawn for every retryable failure
        return NotificationStatus.PENDING, max(retry_at, at), result.reason

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

    def page(
        self,
        *,
        status: NotificationStatus | None = None,
        alert_fingerprint: str | None = None,
        channel_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[OutboxEntry]:
        """A page of outbox rows, oldest first, created in ``[since, until)``."""
        with self._db.transaction() as store:
            return store.notifications.page(
                status=status,
                alert_fingerprint=alert_fingerprint,
                channel_id=channel_id,
                since=since,
                until=until,
                after=after,
                limit=limit,
            )

    def get(self, notification_id: int) -> OutboxEntry:
        """One outbox row; ``NotFoundError`` if there is none."""
        with self._db.transaction() as store:
            entry = store.notifications.get(notification_id)
        if entry is None:
            raise NotFoundError("notification", str(notification_id))
        return entry

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


def _sends(entries: Sequence[OutboxEntry]) -> list[list[OutboxEntry]]:
    """The claimed rows as sends: a row on its own, or the claimed rows of one group together."""
    sends: list[list[OutboxEntry]] = []
    by_group: dict[str, list[OutboxEntry]] = {}
    for entry in entries:
        if entry.group_id is None:
            sends.append([entry])
        elif entry.group_id in by_group:
            by_group[entry.group_id].append(entry)
        else:
            by_group[entry.group_id] = [entry]
            sends.append(by_group[entry.group_id])
    return sends


def _batch_key(batch: Sequence[OutboxEntry]) -> str:
    """A group send's dedup key: the same rows sent again carry the same key."""
    text = "\x1f".join(sorted(e.dedup_key for e in batch))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
