"""Issues across sessions, and the recurring error templates identification counts: read-only,
filtered and page by page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flowdoctor.domain import IssueCategory, Severity
from flowdoctor.domain.paging import Key, Page
from flowdoctor.errors import NotFoundError
from flowdoctor.store import Database
from flowdoctor.store.issues_repo import StoredIssue
from flowdoctor.store.templates_repo import StoredTemplate


@dataclass(frozen=True, slots=True)
class SessionIssues:
    """A session's issues in two figures, for lists of sessions."""

    issues: int
    top_category: str


class IssueService:
    """Read the issues every session found and the templates of every workflow."""

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def get(self, issue_id: int) -> StoredIssue:
        """One issue with its session; ``NotFoundError`` if there is none."""
        with self._db.transaction() as store:
            found = store.issues.get(issue_id)
        if found is None:
            raise NotFoundError("issue", str(issue_id))
        return found

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
        """A page of issues of every session, most recently recorded first; ``since``/``until``
        keep those seen at some time in ``[since, until)``."""
        with self._db.transaction() as store:
            return store.issues.page(
                workflow_id=workflow_id,
                categories=categories,
                severities=severities,
                platform=platform,
                since=since,
                until=until,
                after=after,
                limit=limit,
            )

    def session_summaries(self, session_ids: Sequence[str]) -> dict[str, SessionIssues]:
        """How many issues each session found and its top category (most occurrences; ties by
        name); a session without issues is absent."""
        with self._db.transaction() as store:
            found = store.issues.by_session(session_ids)
        return {
            sid: SessionIssues(
                issues=sum(n for n, _ in per.values()),
                top_category=min(per.items(), key=lambda kv: (-kv[1][1], kv[0]))[0],
            )
            for sid, per in found.items()
        }

    def templates(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[StoredTemplate]:
        """A page of recurring error templates with their counts over every session, most
        frequent first; ``since``/``until`` keep those seen at some time in ``[since, until)``."""
        with self._db.transaction() as store:
            return store.templates.page(
                workflow_id=workflow_id, since=since, until=until, after=after, limit=limit
            )
