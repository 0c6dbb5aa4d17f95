"""Repository of recorded health scores."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from flowdoctor.store.monitor_tables import health_history


class HealthHistoryRepository:
    """Append health snapshots; read a workflow's history."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add_many(self, rows: Iterable[tuple[str, datetime, float, list[dict[str, Any]]]]) -> int:
        """Store ``(workflow_id, computed_at, score, components)`` rows."""
        batch = [
            {"workflow_id": w, "computed_at": at, "score": score, "components": components}
            for w, at, score, components in rows
        ]
        if batch:
            self._conn.execute(insert(health_history), batch)
        return len(batch)

    def last_recorded(self) -> datetime | None:
        """When health was last recorded for any workflow."""
        return self._conn.execute(select(func.max(health_history.c.computed_at))).scalar()

    def list(
        self, workflow_id: str, *, since: datetime | None = None, limit: int = 1000
    ) -> builtins.list[tuple[datetime, float, list[dict[str, Any]]]]:
        """``(computed_at, score, components)``, oldest first."""
        t = health_history
        query = select(t.c.computed_at, t.c.score, t.c.components).where(
            t.c.workflow_id == workflow_id
        )
        if since is not None:
            query = query.where(t.c.computed_at >= since)
        query = query.order_by(t.c.computed_at.desc()).limit(limit)
        rows = [(at, float(score), list(parts)) for at, score, parts in self._conn.execute(query)]
        return rows[::-1]
