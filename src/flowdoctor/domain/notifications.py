"""Notifications: the channels alerts are sent to, the outbox rows and their delivery attempts.

Plain data; parsing channel URLs, rendering and sending live in ``flowdoctor.notify``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flowdoctor.domain.enums import Severity
from flowdoctor.domain.monitoring import Matcher


@dataclass(frozen=True, slots=True)
class Grouping:
    """How a channel batches notifications, as Alertmanager's route does.

    Alerts whose labels agree on every name in ``by`` share a group (``by`` empty: one group for
    the whole channel). A new group waits ``wait`` before its first notification, so alerts that
    start together arrive as one message; after that the group is notified at most once every
    ``interval``, with every change since its last notification.
    """

    by: tuple[str, ...] = ("alertname",)
    wait: timedelta = timedelta(seconds=30)
    interval: timedelta = timedelta(minutes=5)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe settings, as stored and shown: ``by``, ``wait_seconds``,
        ``interval_seconds``."""
        return {
            "by": list(self.by),
            "wait_seconds": self.wait.total_seconds(),
            "interval_seconds": self.interval.total_seconds(),
        }


@dataclass(frozen=True, slots=True)
class Channel:
    """Where notifications go, configured by URL (``slack://...``, ``smtp://...``).

    The route: an alert goes here when its severity is in ``severities`` (empty: every severity)
    and every one of ``matchers`` matches its labels. ``url`` carries secrets: show
    ``flowdoctor.notify.channels.redacted_url(channel.url)`` instead. ``grouping`` batches
    notifications (``None``: each alert's news is sent on its own, at once).
    """

    channel_id: str
    name: str
    url: str
    severities: tuple[Severity, ...] = ()
    matchers: tuple[Matcher, ...] = ()
    enabled: bool = True
    grouping: Grouping | None = None

    def __repr__(self) -> str:
        # The URL holds tokens and passwords; a repr ends up in logs and tracebacks.
        return f"Channel(channel_id={self.channel_id!r}, name={self.name!r}, url='<redacted>')"


class NotificationStatus(StrEnum):
    """Where an outbox row stands. A row being sent is ``pending`` with a live lease."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One notification of one alert state change to one channel, written before any send."""

    notification_id: int
    dedup_key: str
    channel_id: str
    alert_fingerprint: str
    alert_state: str
    group_key: str
    payload: dict[str, Any]
    status: NotificationStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    claimed_until: datetime | None = None
    last_reason: str | None = None
    delivered_at: datetime | None = None
    group_id: str | None = None
    """The notification group it is sent with (``None``: sent on its own)."""


@dataclass(frozen=True, slots=True)
class NewNotification:
    """An outbox row to write; ``dedup_key`` is unique, a second write of it is ignored."""

    dedup_key: str
    channel_id: str
    alert_fingerprint: str
    alert_state: str
    group_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    group_id: str | None = None
    due_at: datetime | None = None
    """When to send it first (``None``: at once)."""


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One try at sending an outbox row, kept whatever its outcome."""

    notification_id: int
    attempt: int
    at: datetime
    ok: bool
    retryable: bool
    reason: str
    status_code: int | None = None
