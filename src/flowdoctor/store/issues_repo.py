"""Repository of issues across sessions: what identification found, with the session it belongs
to, filtered and paged (a session's own issues come with ``SessionRepository.get``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from flowdoctor.domain import IssueCategory, Severity, WorkflowIssue
from flowdoctor.domain.paging import Key, Page
from flowdoctor.store import tables
from flowdoctor.store.paging import Keyset, SortColumn, fetch_page, time_window
from flowdoctor.store.session_rows import issue_from_row

_ISSUE_ORDER = Keyset(SortColumn(tables.session_issues.c.id, "int", descending=True))
"""Most recently recorded first: issue rows are written once, at identification, so the walk is
stable."""


@dataclass(frozen=True, slots=True)
class StoredIssue:
    """An issue a session's identification found, with its id and its session."""

    issue_id: int
    session_id: str
    issue: WorkflowIssue


class IssueRepository:
    """Issues of every session: one by id, or a filtered page."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def get(self, issue_id: int) -> StoredIssue | None:
        """The issue with ``issue_id``, or ``None``."""
        i = tables.session_issues
        row = self._conn.execute(select(i).where(i.c.id == issue_id)).first()
        return None if row is None else _stored(row._mapping)

    def page(
        self,
        *,
        workflow_id: str | None = None,
        categories: Sequence[IssueCategory] = (),
        severities: Sequence[Severity] = (),
        platform: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[StoredIssue]:
        """A page of issues, most recently recorded first.

        ``workflow_id`` is the session's workflow. ``since``/``until`` keep issues seen at some
        time in ``[since, until)``: last seen at or after ``since`` and first seen before
        ``until`` (an issue whose lines had no time counts as seen when its session was created).
        """
        i, s = tables.session_issues, tables.sessions
        query = select(i).join(s, s.c.session_id == i.c.session_id)
        query = query.where(
            *time_window(
                func.coalesce(i.c.last_seen, s.c.created_at),
                func.coalesce(i.c.first_seen, s.c.created_at),
                since=since,
                until=until,
            )
        )
        if workflow_id is not None:
            query = query.where(s.c.workflow_id == workflow_id)
        if categories:
            query = query.where(i.c.category.in_([c.value for c in categories]))
        if severities:
            query = query.where(i.c.severity.in_([v.value for v in severities]))
        if platform is not None:
            query = query.where(i.c.platform == platform)
        return fetch_page(
            self._conn, query, _ISSUE_ORDER, after=after, limit=limit, convert=_stored
        )

    def tally(self, *, since: datetime, until: datetime | None = None) -> IssueTally:
        """Occurrences of the issues seen in ``[since, until)``, summed by category, platform
        and severity (an issue without a platform counts under ``""``)."""
        i, s = tables.session_issues, tables.sessions
        window = time_window(
            func.coalesce(i.c.last_seen, s.c.created_at),
            func.coalesce(i.c.first_seen, s.c.created_at),
            since=since,
            until=until,
        )
        tally = IssueTally()
        for column, into in (
            (i.c.category, tally.by_category),
            (i.c.platform, tally.by_platform),
            (i.c.severity, tally.by_severity),
        ):
            query = (
                select(column, func.sum(i.c.occurrences))
                .select_from(i.join(s, s.c.session_id == i.c.session_id))
                .where(*window)
                .group_by(column)
            )
            for key, total in self._conn.execute(query):
                into[key or ""] = int(total or 0)
        return tally

    def by_session(self, session_ids: Sequence[str]) -> dict[str, dict[str, tuple[int, int]]]:
        """For each of ``session_ids`` with issues: per category, (issues, occurrences)."""
        i = tables.session_issues
        if not session_ids:
            return {}
        query = (
            select(i.c.session_id, i.c.category, func.count(), func.sum(i.c.occurrences))
            .where(i.c.session_id.in_(list(session_ids)))
            .group_by(i.c.session_id, i.c.category)
        )
        found: dict[str, dict[str, tuple[int, int]]] = {}
        for session_id, category, issues, occurrences in self._conn.execute(query):
            found.setdefault(session_id, {})[category] = (int(issues), int(occurrences or 0))
        return found


@dataclass(frozen=True, slots=True)
class IssueTally:
    """How often issues were seen, summed three ways."""

    by_category: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)


def _stored(row: Mapping[Any, Any]) -> StoredIssue:
    return StoredIssue(
        issue_id=int(row["id"]), session_id=row["session_id"], issue=issue_from_row(row)
    )
