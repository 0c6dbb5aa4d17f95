"""Repository of recorded change events."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select

from flowdoctor.domain import ChangeEvent, ChangeKind
from flowdoctor.domain.paging import Key, Page
from flowdoctor.store import tables
from flowdoctor.store.paging import Keyset, SortColumn, fetch_page, time_window


class ChangeEventRepository:
    """Change events: add, get by id, list by workflow and time."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add_many(self, events: Sequence[ChangeEvent], *, recorded_at: datetime) -> int:
        """Store change events (their ids must be new); returns how many were written."""
        if not events:
            return 0
        rows = [
            {
                "event_id": e.event_id,
                "occurred_at": e.occurred_at,
                "kind": e.kind.value,
                "description": e.description,
                "workflow_id": e.workflow_id,
                "platform": e.platform,
                "author": e.author,
                "labels": dict(e.labels),
                "recorded_at": recorded_at,
            }
            for e in events
        ]
        self._conn.execute(insert(tables.change_events), rows)
        return len(rows)

    def get(self, event_id: str) -> ChangeEvent | None:
        """The event with ``event_id``, or ``None``."""
        t = tables.change_events
        row = self._conn.execute(select(t).where(t.c.event_id == event_id)).first()
        return None if row is None else _from_row(row._mapping)

    def list(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: ChangeKind | None = None,
        limit: int | None = None,
    ) -> builtins.list[ChangeEvent]:
        """Events in time order within ``[since, until)``.

        With ``workflow_id``, the workflow's own events and the fleet-wide ones (no workflow).
        """
        t = tables.change_events
        query = select(t).order_by(t.c.occurred_at, t.c.event_id)
        if workflow_id is not None:
            query = query.where(or_(t.c.workflow_id == workflow_id, t.c.workflow_id.is_(None)))
        if since is not None:
            query = query.where(t.c.occurred_at >= since)
        if until is not None:
            query = query.where(t.c.occurred_at < until)
        if kind is not None:
            query = query.where(t.c.kind == kind.value)
        if limit is not None:
            query = query.limit(limit)
        return [_from_row(row._mapping) for row in self._conn.execute(query)]

    def page(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: ChangeKind | None = None,
        platform: str | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[ChangeEvent]:
        """A page of events in time order within ``[since, until)``; with ``workflow_id``, the
        workflow's own events and the fleet-wide ones."""
        t = tables.change_events
        query = select(t).where(
            *time_window(t.c.occurred_at, t.c.occurred_at, since=since, until=until)
        )
        if workflow_id is not None:
            query = query.where(or_(t.c.workflow_id == workflow_id, t.c.workflow_id.is_(None)))
        if kind is not None:
            query = query.where(t.c.kind == kind.value)
        if platform is not None:
            query = query.where(t.c.platform == platform)
        return fetch_page(
            self._conn, query, _CHANGE_ORDER, after=after, limit=limit, convert=_from_row
        )


_CHANGE_ORDER = Keyset(
    SortColumn(tables.change_events.c.occurred_at, "time"),
    SortColumn(tables.change_events.c.event_id, "text"),
)
"""Oldest first, as ``list`` orders them."""


def _from_row(row: Any) -> ChangeEvent:
    return ChangeEvent(
        event_id=row["event_id"],
        occurred_at=row["occurred_at"],
        kind=ChangeKind(row["kind"]),
        description=row["description"],
        workflow_id=row["workflow_id"],
        platform=row["platform"],
        author=row["author"],
        labels=dict(row["labels"] or {}),
    )
