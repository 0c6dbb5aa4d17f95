"""Repositories for what workflows emit: runs, log records, metric samples."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select

from flowdoctor.domain import LogLevel, LogRecord, MetricSample, RunEvent, RunStatus
from flowdoctor.store import tables
from flowdoctor.store.run_rows import PreparedInsert, prepare_runs

_CHUNK = 1000  # rows per INSERT: keeps statements under SQLite's variable limit


def _insert_chunked(conn: Connection, table: Any, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK:
            conn.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
        count += len(batch)
    return count


class RunRepository:
    """Run events: append, list by workflow and time, count."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add_many(self, events: Iterable[RunEvent], *, ingested_at: datetime | None = None) -> int:
        """Store run events; returns how many were written."""
        now = ingested_at or datetime.now(UTC)
        return self.add_prepared(prepare_runs(self._conn.dialect.name, events, now))

    def add_prepared(self, prepared: PreparedInsert) -> int:
        """Run INSERTs made by ``prepare_runs``; returns how many rows they wrote."""
        if prepared.dialect != self._conn.dialect.name:
            raise ValueError(f"rows prepared for {prepared.dialect}, not {self._conn.dialect.name}")
        for sql, params in prepared.statements:
            self._conn.exec_driver_sql(sql, params)
        return prepared.rows

    def list(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        platforms: Sequence[str] | None = None,
    ) -> builtins.list[RunEvent]:
        """Runs in time order, optionally for one workflow, on some platforms and within
        ``[since, until)``."""
        t = tables.runs
        query = select(*_RUN_FIELDS).order_by(t.c.started_at, t.c.id)
        if workflow_id is not None:
            query = query.where(t.c.workflow_id == workflow_id)
        if platforms is not None:
            query = query.where(t.c.platform.in_(list(platforms)))
        if since is not None:
            query = query.where(t.c.started_at >= since)
        if until is not None:
            query = query.where(t.c.started_at < until)
        if limit is not None:
            query = query.limit(limit)
        # Positional rows straight into the dataclass: the overview reads every run of the last
        # eight days of the fleet (24,000 for 1,000 workflows), where mapping access, the enum
        # call and an unused ingested_at column cost a third of the time.
        status = _STATUS_BY_VALUE
        return [RunEvent(w, r, status[s], *rest) for w, r, s, *rest in self._conn.execute(query)]

    def count(self, *, workflow_id: str | None = None) -> int:
        """How many run events are stored."""
        query = select(func.count()).select_from(tables.runs)
        if workflow_id is not None:
            query = query.where(tables.runs.c.workflow_id == workflow_id)
        return int(self._conn.execute(query).scalar_one())

    def workflow_ids(self) -> builtins.list[str]:
        """Every workflow that has runs, sorted."""
        query = select(tables.runs.c.workflow_id).distinct().order_by(tables.runs.c.workflow_id)
        return [str(v) for v in self._conn.execute(query).scalars()]

    def last_run_times(self) -> dict[str, datetime]:
        """When each workflow last started a run."""
        t = tables.runs
        query = select(t.c.workflow_id, func.max(t.c.started_at)).group_by(t.c.workflow_id)
        return {str(w): at for w, at in self._conn.execute(query)}


_RUN_FIELDS = tuple(
    tables.runs.c[name]
    for name in (
        "workflow_id",
        "run_id",
        "status",
        "started_at",
        "step",
        "platform",
        "duration_ms",
        "error_message",
        "error_code",
        "http_status",
        "records_processed",
        "attempt",
    )
)
"""The columns of a ``RunEvent``, in the order of its fields."""
_STATUS_BY_VALUE = {s.value: s for s in RunStatus}


class LogRepository:
    """Log records: append and list."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add_many(
        self,
        records: Iterable[LogRecord],
        *,
        workflow_id: str | None = None,
        ingested_at: datetime | None = None,
    ) -> int:
        """Store log records; ``workflow_id`` fills records that name none."""
        now = ingested_at or datetime.now(UTC)
        rows = (
            {
                "workflow_id": r.workflow_id or workflow_id,
                "run_id": r.run_id,
                "step": r.step,
                "platform": r.platform,
                "level": r.level.value if r.level else None,
                "logged_at": r.timestamp,
                "message": r.message,
                "raw": r.raw,
                "error_code": r.error_code,
                "http_status": r.http_status,
                "ingested_at": now,
            }
            for r in records
        )
        return _insert_chunked(self._conn, tables.log_records, rows)

    def list(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> builtins.list[LogRecord]:
        """Log records in the order they were stored; ``since`` keeps undated records too."""
        t = tables.log_records
        query = select(t).order_by(t.c.id)
        if workflow_id is not None:
            query = query.where(t.c.workflow_id == workflow_id)
        if since is not None:
            query = query.where(or_(t.c.logged_at >= since, t.c.logged_at.is_(None)))
        if limit is not None:
            query = query.limit(limit)
        return [_log_from_row(row._mapping) for row in self._conn.execute(query)]

    def count(self) -> int:
        """How many log records are stored."""
        query = select(func.count()).select_from(tables.log_records)
        return int(self._conn.execute(query).scalar_one())


def _log_from_row(row: Any) -> LogRecord:
    return LogRecord(
        message=row["message"],
        raw=row["raw"],
        timestamp=row["logged_at"],
        level=LogLevel(row["level"]) if row["level"] else None,
        workflow_id=row["workflow_id"],
        run_id=row["run_id"],
        step=row["step"],
        platform=row["platform"],
        error_code=row["error_code"],
        http_status=row["http_status"],
    )


class MetricRepository:
    """Metric samples: append and list."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add_many(self, samples: Sequence[MetricSample]) -> int:
        """Store metric samples."""
        rows = (
            {
                "workflow_id": s.workflow_id,
                "name": s.name,
                "value": s.value,
                "observed_at": s.timestamp,
                "step": s.step,
                "labels": dict(s.labels),
            }
            for s in samples
        )
        return _insert_chunked(self._conn, tables.metric_samples, rows)

    def list(
        self,
        *,
        workflow_id: str | None,
        name: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> builtins.list[MetricSample]:
        """Samples in time order, of one workflow (or, with ``None``, of all)."""
        t = tables.metric_samples
        query = select(t).order_by(t.c.observed_at, t.c.id)
        if workflow_id is not None:
            query = query.where(t.c.workflow_id == workflow_id)
        if name is not None:
            query = query.where(t.c.name == name)
        if since is not None:
            query = query.where(t.c.observed_at >= since)
        if until is not None:
            query = query.where(t.c.observed_at < until)
        return [
            MetricSample(
                workflow_id=row.workflow_id,
                name=row.name,
                value=row.value,
                timestamp=row.observed_at,
                step=row.step,
                labels=dict(row.labels or {}),
            )
            for row in self._conn.execute(query)
        ]

    def count(self) -> int:
        """How many samples are stored."""
        query = select(func.count()).select_from(tables.metric_samples)
        return int(self._conn.execute(query).scalar_one())
