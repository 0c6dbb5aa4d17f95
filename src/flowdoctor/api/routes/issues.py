"""Issues across sessions: every issue identification found, filtered and a page at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.pagination import (
    DEFAULT_LIMIT,
    NO_NUL,
    Cursor,
    Limit,
    decode_cursor,
    render_page,
)
from flowdoctor.api.problems import problems
from flowdoctor.api.schemas import IssuePage, IssueRecordOut
from flowdoctor.domain import IssueCategory, Severity

router = APIRouter(prefix="/issues", tags=["issues"])
LIST = "issues"


@router.get("", response_model=IssuePage, responses=problems(422))
def list_issues(
    runtime: RuntimeDep,
    workflow_id: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="The session's workflow.")
    ] = None,
    category: Annotated[
        list[IssueCategory] | None, Query(description="Any of these categories.")
    ] = None,
    severity: Annotated[
        list[Severity] | None, Query(description="Any of these severities.")
    ] = None,
    platform: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    since: Annotated[AwareDatetime | None, Query(description="Last seen at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="First seen before.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> IssuePage:
    """Issues of every session, most recently recorded first, each with its session; ``since``
    and ``until`` keep issues seen at some time in ``[since, until)`` (an issue whose lines had no
    time counts as seen when its session was created)."""
    page = runtime.issues.page(
        workflow_id=workflow_id,
        categories=category or (),
        severities=severity or (),
        platform=platform,
        since=since,
        until=until,
        after=decode_cursor(LIST, cursor),
        limit=limit,
    )
    return render_page(IssuePage, LIST, page, IssueRecordOut.of)


@router.get("/{issue_id}", response_model=IssueRecordOut, responses=problems(404, 422))
def get_issue(
    issue_id: Annotated[int, Path(ge=1, lt=2**63)], runtime: RuntimeDep
) -> IssueRecordOut:
    """One issue with its session."""
    return IssueRecordOut.of(runtime.issues.get(issue_id))
