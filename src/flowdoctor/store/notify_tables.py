"""Tables of notification channels, the notification outbox and its delivery attempts, on the
shared ``metadata`` (migrations 0004 and 0007 make them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from flowdoctor.store.tables import Id, metadata
from flowdoctor.store.types import UTCDateTime

notification_channels = Table(
    "notification_channels",
    metadata,
    Column("channel_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("url", Text, nullable=False),
    Column("severities", JSON, nullable=False),
    Column("matchers", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False),
    # {"by": [...], "wait_seconds": n, "interval_seconds": n}; NULL: no grouping (0007)
    Column("grouping", JSON),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("name"),
)
"""Channels by URL. The URL holds secrets; nothing reads it back out except the sender."""

notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # sha256 of fingerprint, state, channel and group key: the same notification is stored once.
    Column("dedup_key", String(64), nullable=False),
    # No foreign key: a row outlives its channel's deletion and then fails with a reason.
    Column("channel_id", String(64), nullable=False),
    Column("alert_fingerprint", String(64), nullable=False),
    Column("alert_state", String(20), nullable=False),
    Column("group_key", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime()),
    Column("claimed_by", String(100)),
    Column("last_reason", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime()),
    # Rows of one group are sent together in one message (0007); NULL: sent alone.
    Column("group_id", String(64)),
    UniqueConstraint("dedup_key"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "alert_fingerprint"),
    Index(None, "group_id", "status"),
    Index(None, "channel_id", "id"),  # GET /notifications?channel_id= pages (0009)
)
"""The outbox: every notification is written here before it is sent."""

notification_attempts = Table(
    "notification_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "notification_id",
        Id,
        ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("attempt", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("retryable", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status_code", Integer),
    UniqueConstraint("notification_id", "attempt"),
)
"""Every delivery attempt of an outbox row, kept whatever its outcome."""
