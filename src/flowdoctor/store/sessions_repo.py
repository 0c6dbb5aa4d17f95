"""Repository for troubleshooting sessions, their stage outputs and their audit trail."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from flowdoctor.domain import (
    DiagnosticFinding,
    Recommendation,
    SessionEvent,
    SessionStatus,
    Stage,
    StageRecord,
    TroubleshootingSession,
    WorkflowIssue,
)
from flowdoctor.domain.paging import Key, Page
from flowdoctor.store import tables
from flowdoctor.store.paging import Keyset, SortColumn, fetch_page, time_window
from flowdoctor.store.session_rows import (
    finding_from_row,
    finding_row,
    issue_from_row,
    issue_row,
    recommendation_from_row,
    recommendation_row,
    session_from_row,
    verification_to_json,
)

_SESSION_ORDER = Keyset(
    SortColumn(tables.sessions.c.created_at, "time", descending=True),
    SortColumn(tables.sessions.c.session_id, "text"),
)
"""Newest first, as ``list`` orders them."""


class SessionRepository:
    """Sessions and everything hanging off them. Reads return fully loaded domain objects."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def create(self, session: TroubleshootingSession) -> None:
        """Insert a new session row (children are added with the other methods)."""
        self._conn.execute(
            insert(tables.sessions).values(
                session_id=session.session_id,
                workflow_id=session.workflow_id,
                stage=session.stage.value if session.stage else None,
                status=session.status.value,
                created_at=session.created_at,
                updated_at=session.updated_at,
                metrics=dict(session.metrics),
                verification=None,
            )
        )

    def save_state(self, session: TroubleshootingSession) -> None:
        """Write the session's stage, status, metrics and verification."""
        self._conn.execute(
            update(tables.sessions)
            .where(tables.sessions.c.session_id == session.session_id)
            .values(
                stage=session.stage.value if session.stage else None,
                status=session.status.value,
                updated_at=session.updated_at,
                metrics=dict(session.metrics),
                verification=verification_to_json(session.verification),
            )
        )

    def add_stage(self, session_id: str, record: StageRecord) -> None:
        """Record one completed stage."""
        self._conn.execute(
            insert(tables.session_stages).values(
                session_id=session_id,
                stage=record.stage.value,
                started_at=record.started_at,
                finished_at=record.finished_at,
                output=record.output,
            )
        )

    def append_event(
        self, session_id: str, *, at: datetime, kind: str, detail: dict[str, Any]
    ) -> SessionEvent:
        """Append to the audit trail; events are never changed or removed."""
        t = tables.session_events
        last = self._conn.execute(
            select(func.max(t.c.sequence)).where(t.c.session_id == session_id)
        ).scalar_one()
        sequence = int(last or 0) + 1
        self._conn.execute(
            insert(t).values(
                session_id=session_id, sequence=sequence, at=at, kind=kind, detail=detail
            )
        )
        return SessionEvent(at=at, kind=kind, detail=detail, sequence=sequence)

    def replace_issues(self, session_id: str, issues: Sequence[WorkflowIssue]) -> None:
        """Set the session's issues (identification's output)."""
        t = tables.session_issues
        self._conn.execute(delete(t).where(t.c.session_id == session_id))
        if issues:
            self._conn.execute(insert(t), [issue_row(session_id, i) for i in issues])

    def replace_findings(
        self, session_id: str, stage: Stage, findings: Sequence[DiagnosticFinding]
    ) -> None:
        """Set the findings of one stage, leaving other stages' findings alone."""
        t = tables.session_findings
        self._conn.execute(delete(t).where(t.c.session_id == session_id, t.c.stage == stage.value))
        if findings:
            self._conn.execute(insert(t), [finding_row(session_id, f) for f in findings])

    def replace_recommendations(
        self, session_id: str, recommendations: Sequence[Recommendation]
    ) -> None:
        """Set the session's recommendations (resolution's output)."""
        t = tables.session_recommendations
        self._conn.execute(delete(t).where(t.c.session_id == session_id))
        if recommendations:
            rows = [recommendation_row(session_id, r) for r in recommendations]
            self._conn.execute(insert(t), rows)

    def get(self, session_id: str) -> TroubleshootingSession | None:
        """The session with all its children, or ``None``."""
        row = self._conn.execute(
            select(tables.sessions).where(tables.sessions.c.session_id == session_id)
        ).first()
        if row is None:
            return None
        session = session_from_row(row._mapping)
        session.issues = self._issues(session_id)
        session.findings = self._findings(session_id)
        session.recommendations = self._recommendations(session_id)
        session.stages = self._stages(session_id)
        session.events = self._events(session_id)
        return session

    def list(
        self, *, workflow_id: str | None = None, limit: int = 50
    ) -> builtins.list[TroubleshootingSession]:
        """Newest sessions first, without their children (use ``get`` for one in full)."""
        return self.page(workflow_id=workflow_id, limit=limit).items

    def page(
        self,
        *,
        workflow_id: str | None = None,
        statuses: Sequence[SessionStatus] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[TroubleshootingSession]:
        """A page of sessions, newest first (without their children), created in
        ``[since, until)``; ``after`` is the previous page's ``next_key``."""
        t = tables.sessions
        query = select(t).where(
            *time_window(t.c.created_at, t.c.created_at, since=since, until=until)
        )
        if workflow_id is not None:
            query = query.where(t.c.workflow_id == workflow_id)
        if statuses:
            query = query.where(t.c.status.in_([s.value for s in statuses]))
        return fetch_page(
            self._conn, query, _SESSION_ORDER, after=after, limit=limit, convert=session_from_row
        )

    def issue_counts(self) -> dict[tuple[str, str, str], int]:
        """Issues of open sessions per (category, severity, platform); no platform is ``""``."""
        t, s = tables.session_issues, tables.sessions
        query = (
            select(t.c.category, t.c.severity, t.c.platform, func.count())
            .join(s, s.c.session_id == t.c.session_id)
            .where(s.c.status == "open")
            .group_by(t.c.category, t.c.severity, t.c.platform)
        )
        return {(c, v, p or ""): int(n) for c, v, p, n in self._conn.execute(query)}

    def count(self) -> int:
        """How many sessions exist."""
        return int(
            self._conn.execute(select(func.count()).select_from(tables.sessions)).scalar_one()
        )

    def resolved(
        self,
        *,
        exclude: str | None = None,
        created_before: datetime | None = None,
        limit: int = 50,
        max_issues: int = 5_000,
    ) -> builtins.list[TroubleshootingSession]:
        """Sessions whose verification ran, newest first: the candidates for similar past issues.

        Each comes with its issues, recommendations and verification (not findings, stages or
        events). Bounded both ways: at most ``limit`` sessions and ``max_issues`` issues in all,
        those of the newest sessions first. ``exclude`` leaves one session out (the current one);
        ``created_before`` keeps sessions created at or before that time.
        """
        t = tables.sessions
        stages = tables.session_stages
        # "Resolved" is "verification ran", not a status: a session closed after verification
        # keeps its verdict, and it is as good a precedent as one left open.
        verified = (
            select(stages.c.id)
            .where(
                stages.c.session_id == t.c.session_id, stages.c.stage == Stage.VERIFICATION.value
            )
            .exists()
        )
        query = (
            select(t).where(verified).order_by(t.c.created_at.desc(), t.c.session_id).limit(limit)
        )
        if exclude is not None:
            query = query.where(t.c.session_id != exclude)
        if created_before is not None:
            query = query.where(t.c.created_at <= created_before)
        found = [session_from_row(row._mapping) for row in self._conn.execute(query)]
        if not found:
            return []
        by_id = {session.session_id: session for session in found}
        for session_id, issue in self._issues_of(builtins.list(by_id), max_issues):
            by_id[session_id].issues.append(issue)
        recs = tables.session_recommendations
        rec_query = (
            select(recs)
            .where(recs.c.session_id.in_(builtins.list(by_id)))
            .order_by(recs.c.session_id, recs.c.priority, recs.c.id)
        )
        for row in self._conn.execute(rec_query):
            by_id[row.session_id].recommendations.append(recommendation_from_row(row._mapping))
        return found

    def _issues_of(
        self, session_ids: builtins.list[str], limit: int
    ) -> builtins.list[tuple[str, WorkflowIssue]]:
        issues, t = tables.session_issues, tables.sessions
        query = (
            select(issues)
            .join(t, t.c.session_id == issues.c.session_id)
            .where(issues.c.session_id.in_(session_ids))
            .order_by(t.c.created_at.desc(), issues.c.id)
            .limit(limit)
        )
        return [(r.session_id, issue_from_row(r._mapping)) for r in self._conn.execute(query)]

    def _issues(self, session_id: str) -> builtins.list[WorkflowIssue]:
        t = tables.session_issues
        query = select(t).where(t.c.session_id == session_id).order_by(t.c.id)
        return [issue_from_row(r._mapping) for r in self._conn.execute(query)]

    def _findings(self, session_id: str) -> builtins.list[DiagnosticFinding]:
        t = tables.session_findings
        query = select(t).where(t.c.session_id == session_id).order_by(t.c.id)
        return [finding_from_row(r._mapping) for r in self._conn.execute(query)]

    def _recommendations(self, session_id: str) -> builtins.list[Recommendation]:
        t = tables.session_recommendations
        query = select(t).where(t.c.session_id == session_id).order_by(t.c.priority, t.c.id)
        return [recommendation_from_row(r._mapping) for r in self._conn.execute(query)]

    def _stages(self, session_id: str) -> builtins.list[StageRecord]:
        t = tables.session_stages
        query = select(t).where(t.c.session_id == session_id).order_by(t.c.id)
        return [
            StageRecord(
                stage=Stage(r.stage),
                started_at=r.started_at,
                finished_at=r.finished_at,
                output=dict(r.output),
            )
            for r in self._conn.execute(query)
        ]

    def _events(self, session_id: str) -> builtins.list[SessionEvent]:
        t = tables.session_events
        query = select(t).where(t.c.session_id == session_id).order_by(t.c.sequence)
        return [
            SessionEvent(at=r.at, kind=r.kind, detail=dict(r.detail), sequence=r.sequence)
            for r in self._conn.execute(query)
        ]
