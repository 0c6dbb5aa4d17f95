"""Repository of notification channels, the outbox and delivery attempts.

The caller owns the transaction. Claiming is the one subtle part: a claim sets a lease
(``claimed_until``) and a per-pass token with a single conditional ``UPDATE``, so two processes
never hold the same row; on PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED`` so
concurrent workers do not queue behind each other, and SQLite's single writer serialises claims.
A row whose lease ran out (its process died mid-delivery) is due again.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from flowdoctor.domain import Matcher, Severity
from flowdoctor.domain.notifications import (
    Channel,
    DeliveryAttempt,
    Grouping,
    NewNotification,
    NotificationStatus,
    OutboxEntry,
)
from flowdoctor.domain.paging import Key, Page
from flowdoctor.store import notify_tables as nt
from flowdoctor.store.paging import Keyset, SortColumn, fetch_page, time_window

_OUTBOX_ORDER = Keyset(SortColumn(nt.notifications.c.id, "int"))
"""Oldest first, as ``list`` orders them."""


class NotificationRepository:
    """Channels (add, get, list, update, delete), the outbox (enqueue, claim, finish) and the
    attempts log."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # -- channels ---------------------------------------------------------------------------

    def add_channel(self, channel: Channel, *, now: datetime) -> None:
        """Store a new channel (its id and name must be new)."""
        self._conn.execute(
            insert(nt.notification_channels),
            {**_channel_row(channel), "created_at": now, "updated_at": now},
        )

    def update_channel(self, channel: Channel, *, now: datetime) -> bool:
        """Replace a channel's settings; ``False`` when there is no such channel."""
        t = nt.notification_channels
        row = _channel_row(channel)
        del row["channel_id"]
        result = self._conn.execute(
            update(t).where(t.c.channel_id == channel.channel_id).values(**row, updated_at=now)
        )
        return result.rowcount == 1

    def delete_channel(self, channel_id: str) -> bool:
        """Remove a channel; ``False`` when there is none."""
        t = nt.notification_channels
        return self._conn.execute(delete(t).where(t.c.channel_id == channel_id)).rowcount == 1

    def get_channel(self, channel_id: str) -> Channel | None:
        """The channel with ``channel_id``, or ``None``."""
        t = nt.notification_channels
        row = self._conn.execute(select(t).where(t.c.channel_id == channel_id)).first()
        return None if row is None else _channel(row._mapping)

    def channel_by_name(self, name: str) -> Channel | None:
        """The channel called ``name``, or ``None``."""
        t = nt.notification_channels
        row = self._conn.execute(select(t).where(t.c.name == name)).first()
        return None if row is None else _channel(row._mapping)

    def list_channels(self, *, enabled_only: bool = False) -> builtins.list[Channel]:
        """Channels by name."""
        t = nt.notification_channels
        query = select(t).order_by(t.c.name)
        if enabled_only:
            query = query.where(t.c.enabled.is_(True))
        return [_channel(row._mapping) for row in self._conn.execute(query)]

    # -- outbox -----------------------------------------------------------------------------

    def enqueue(
        self, notifications: Sequence[NewNotification], *, now: datetime
    ) -> builtins.list[int]:
        """Write outbox rows due at their ``due_at`` (default ``now``); a ``dedup_key`` already
        stored is skipped.

        Returns the ids of the rows written (the skipped ones are not in it).
        """
        t = nt.notifications
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        written: builtins.list[int] = []
        for n in notifications:
            statement = (
                dialect.insert(t)
                .values(
                    dedup_key=n.dedup_key,
                    channel_id=n.channel_id,
                    alert_fingerprint=n.alert_fingerprint,
                    alert_state=n.alert_state,
                    group_key=n.group_key,
                    payload=n.payload,
                    status=NotificationStatus.PENDING.value,
                    attempts=0,
                    next_attempt_at=n.due_at or now,
                    created_at=now,
                    group_id=n.group_id,
                )
                .on_conflict_do_nothing(index_elements=["dedup_key"])
            )
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
            row_id = self._conn.execute(statement.returning(t.c.id)).scalar_one_or_none()
            if row_id is not None:
                written.append(int(row_id))
        return written

    def claim_due(
        self, *, now: datetime, lease_until: datetime, token: str, limit: int
    ) -> builtins.list[OutboxEntry]:
        """Claim up to ``limit`` due rows for the pass ``token`` until ``lease_until``.

        Due: pending, ``next_attempt_at`` passed, and no live lease. The ``UPDATE`` repeats the
        conditions, so a row another process claimed first is left alone even without row locks.
        """
        t = nt.notifications
        due = (
            (t.c.status == NotificationStatus.PENDING.value)
            & (t.c.next_attempt_at <= now)
            & or_(t.c.claimed_until.is_(None), t.c.claimed_until <= now)
        )
        pick = select(t.c.id).where(due).order_by(t.c.next_attempt_at, t.c.id).limit(limit)
        if self._conn.dialect.name == "postgresql":
            # Lock the picked rows first: inside UPDATE ... IN (subquery) PostgreSQL may run a
            # LIMITed subquery more than once and claim more than ``limit`` rows.
            ids = list(self._conn.execute(pick.with_for_update(skip_locked=True)).scalars())
            if not ids:
                return []
            chosen = t.c.id.in_(ids)
        else:
            # One statement: SQLite takes the write lock at once (a read first could meet a
            # stale snapshot when another process claims in between).
            chosen = t.c.id.in_(pick)
        self._conn.execute(
            update(t).where(chosen).where(due).values(claimed_until=lease_until, claimed_by=token)
        )
        rows = self._conn.execute(
            select(t).where(t.c.claimed_by == token).order_by(t.c.next_attempt_at, t.c.id)
        )
        return [_entry(row._mapping) for row in rows]

    def finish_attempt(
        self,
        attempt: DeliveryAttempt,
        *,
        token: str,
        status: NotificationStatus,
        next_attempt_at: datetime,
        last_reason: str | None = None,
    ) -> bool:
        """Record an attempt and the row's new state, releasing the claim.

        Only while ``token`` still holds the row: ``False`` (and nothing written) when the lease
        was lost to another process, whose own attempt then counts. ``last_reason`` (the
        attempt's reason by default) is what the row shows.
        """
        t = nt.notifications
        result = self._conn.execute(
            update(t)
            .where(t.c.id == attempt.notification_id)
            .where(t.c.claimed_by == token)
            .where(t.c.status == NotificationStatus.PENDING.value)
            .values(
                status=status.value,
                attempts=attempt.attempt,
                next_attempt_at=next_attempt_at,
                last_reason=attempt.reason if last_reason is None else last_reason,
                claimed_until=None,
                claimed_by=None,
                delivered_at=attempt.at if attempt.ok else None,
            )
        )
        if result.rowcount != 1:
            return False
        self._conn.execute(
            insert(nt.notification_attempts),
            {
                "notification_id": attempt.notification_id,
                "attempt": attempt.attempt,
                "at": attempt.at,
                "ok": attempt.ok,
                "retryable": attempt.retryable,
                "reason": attempt.reason,
                "status_code": attempt.status_code,
            },
        )
        return True

    def stored_keys(self, fingerprints: Sequence[str]) -> set[str]:
        """The dedup keys of every outbox row of these alerts (what was already enqueued)."""
        t = nt.notifications
        keys: set[str] = set()
        unique = sorted(set(fingerprints))
        for start in range(0, len(unique), 500):  # bounded IN lists
            chunk = unique[start : start + 500]
            query = select(t.c.dedup_key).where(t.c.alert_fingerprint.in_(chunk))
            keys.update(self._conn.execute(query).scalars())
        return keys

    def group_schedule(
        self, group_ids: Sequence[str]
    ) -> dict[str, tuple[datetime | None, datetime | None]]:
        """Per group: when its waiting rows are due (``None``: none waits) and when it last
        had a row delivered (``None``: never). Rows being sent right now do not wait: news that
        arrives during a send waits for the group's next interval."""
        t = nt.notifications
        schedule: dict[str, tuple[datetime | None, datetime | None]] = {}
        unique = sorted(set(group_ids))
        waiting = (t.c.status == NotificationStatus.PENDING.value) & t.c.claimed_by.is_(None)
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            query = (
                select(
                    t.c.group_id,
                    func.min(t.c.next_attempt_at).filter(waiting),
                    func.max(t.c.delivered_at),
                )
                .where(t.c.group_id.in_(chunk))
                .group_by(t.c.group_id)
            )
            for group_id, due, delivered in self._conn.execute(query):
                schedule[group_id] = (due, delivered)
        return schedule

    def requeue(self, notification_id: int, *, now: datetime, reason: str) -> bool:
        """Make a failed row due again at ``now``; ``False`` unless it stood failed."""
        t = nt.notifications
        result = self._conn.execute(
            update(t)
            .where(t.c.id == notification_id)
            .where(t.c.status == NotificationStatus.FAILED.value)
            .values(
                status=NotificationStatus.PENDING.value,
                next_attempt_at=now,
                last_reason=reason,
                claimed_until=None,
                claimed_by=None,
            )
        )
        return result.rowcount == 1

    def release(self, notification_ids: Sequence[int], *, token: str) -> int:
        """Give back claimed rows that were not tried, so the next pass may take them at once."""
        if not notification_ids:
            return 0
        t = nt.notifications
        result = self._conn.execute(
            update(t)
            .where(t.c.id.in_(list(notification_ids)))
            .where(t.c.claimed_by == token)
            .values(claimed_until=None, claimed_by=None)
        )
        return int(result.rowcount)

    def get(self, notification_id: int) -> OutboxEntry | None:
        """The outbox row ``notification_id``, or ``None``."""
        t = nt.notifications
        row = self._conn.execute(select(t).where(t.c.id == notification_id)).first()
        return None if row is None else _entry(row._mapping)

    def list(
        self,
        *,
        status: NotificationStatus | None = None,
        alert_fingerprint: str | None = None,
        channel_id: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[OutboxEntry]:
        """Outbox rows, oldest first."""
        t = nt.notifications
        query = select(t).order_by(t.c.id)
        if status is not None:
            query = query.where(t.c.status == status.value)
        if alert_fingerprint is not None:
            query = query.where(t.c.alert_fingerprint == alert_fingerprint)
        if channel_id is not None:
            query = query.where(t.c.channel_id == channel_id)
        if limit is not None:
            query = query.limit(limit)
        return [_entry(row._mapping) for row in self._conn.execute(query)]

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
        t = nt.notifications
        query = select(t).where(
            *time_window(t.c.created_at, t.c.created_at, since=since, until=until)
        )
        if status is not None:
            query = query.where(t.c.status == status.value)
        if alert_fingerprint is not None:
            query = query.where(t.c.alert_fingerprint == alert_fingerprint)
        if channel_id is not None:
            query = query.where(t.c.channel_id == channel_id)
        return fetch_page(
            self._conn, query, _OUTBOX_ORDER, after=after, limit=limit, convert=_entry
        )

    def count_by_status(self) -> dict[NotificationStatus, int]:
        """How many outbox rows stand in each status (every status present, zero included)."""
        t = nt.notifications
        counts = dict.fromkeys(NotificationStatus, 0)
        query = select(t.c.status, func.count()).group_by(t.c.status)
        for status, count in self._conn.execute(query):
            counts[NotificationStatus(status)] = int(count)
        return counts

    def attempts(self, notification_id: int) -> builtins.list[DeliveryAttempt]:
        """The attempts of one outbox row, in order."""
        t = nt.notification_attempts
        query = select(t).where(t.c.notification_id == notification_id).order_by(t.c.attempt)
        return [
            DeliveryAttempt(
                notification_id=int(r.notification_id),
                attempt=r.attempt,
                at=r.at,
                ok=r.ok,
                retryable=r.retryable,
                reason=r.reason,
                status_code=r.status_code,
            )
            for r in self._conn.execute(query)
        ]


def _channel_row(channel: Channel) -> dict[str, Any]:
    return {
        "channel_id": channel.channel_id,
        "name": channel.name,
        "url": channel.url,
        "severities": [s.value for s in channel.severities],
        "matchers": [
            {"name": m.name, "value": m.value, "negate": m.negate} for m in channel.matchers
        ],
        "enabled": channel.enabled,
        "grouping": None if channel.grouping is None else channel.grouping.as_dict(),
    }


def _grouping(value: Any) -> Grouping | None:
    if not value:
        return None
    return Grouping(
        by=tuple(value["by"]),
        wait=timedelta(seconds=value["wait_seconds"]),
        interval=timedelta(seconds=value["interval_seconds"]),
    )


def _channel(row: Any) -> Channel:
    return Channel(
        channel_id=row["channel_id"],
        name=row["name"],
        url=row["url"],
        severities=tuple(Severity(s) for s in row["severities"] or ()),
        matchers=tuple(
            Matcher(name=m["name"], value=m["value"], negate=bool(m.get("negate", False)))
            for m in row["matchers"] or ()
        ),
        enabled=bool(row["enabled"]),
        grouping=_grouping(row["grouping"]),
    )


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        notification_id=int(row["id"]),
        dedup_key=row["dedup_key"],
        channel_id=row["channel_id"],
        alert_fingerprint=row["alert_fingerprint"],
        alert_state=row["alert_state"],
        group_key=row["group_key"],
        payload=dict(row["payload"] or {}),
        status=NotificationStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        claimed_until=row["claimed_until"],
        last_reason=row["last_reason"],
        delivered_at=row["delivered_at"],
        group_id=row["group_id"],
    )
