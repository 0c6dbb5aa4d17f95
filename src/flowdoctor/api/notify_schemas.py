"""Response bodies of the channel and outbox endpoints: what ``notify.channel_service.describe``
and ``describe_notification`` show (a channel's URL only redacted, an outbox row without its
payload, which may quote secrets)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from flowdoctor.api.pagination import Page
from flowdoctor.domain import Severity
from flowdoctor.domain.notifications import NotificationStatus


class MatcherOut(BaseModel):
    name: str
    value: str
    negate: bool


class GroupingOut(BaseModel):
    by: list[str]
    wait_seconds: float
    interval_seconds: float


class ChannelOut(BaseModel):
    """A channel, its URL redacted."""

    channel_id: str
    name: str
    kind: str
    url: str
    severities: list[Severity]
    matchers: list[MatcherOut]
    enabled: bool
    grouping: GroupingOut | None


class NotificationOut(BaseModel):
    """An outbox row: one alert state change to one channel."""

    id: int
    alert_fingerprint: str
    channel_id: str
    state: str
    status: NotificationStatus
    attempts: int
    group_id: str | None
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_reason: str | None


class AttemptOut(BaseModel):
    """One delivery attempt of an outbox row."""

    notification_id: int
    attempt: int
    at: datetime
    ok: bool
    retryable: bool
    reason: str
    status_code: int | None


class NotificationDetailOut(NotificationOut):
    """An outbox row with every delivery attempt."""

    attempt_log: list[AttemptOut]


class NotificationPage(Page[NotificationOut]):
    """A page of the outbox, oldest first."""
