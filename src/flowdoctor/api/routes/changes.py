"""Change events: record what changed, list what changed around a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
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
from flowdoctor.api.schemas import (
    ChangeEventOut,
    ChangeEventPage,
    RecordChangesIn,
    RecordChangesOut,
)
from flowdoctor.domain import ChangeEvent, ChangeKind

router = APIRouter(prefix="/change-events", tags=["change events"])
LIST = "change-events"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RecordChangesOut,
    responses=problems(413, 422),
)
def record_changes(body: RecordChangesIn, runtime: RuntimeDep) -> RecordChangesOut:
    """Record a batch of change events (``occurred_at`` defaults to now)."""
    now = runtime.clock.now()
    events = [
        ChangeEvent(
            event_id=e.event_id or "",
            occurred_at=e.occurred_at or now,
            kind=e.kind,
            description=e.description,
            workflow_id=e.workflow_id,
            platform=e.platform,
            author=e.author,
            labels=dict(e.labels),
        )
        for e in body.events
    ]
    result = runtime.changes.record_many(events)
    return RecordChangesOut(
        created=result.created, events=[ChangeEventOut.of(e) for e in result.events]
    )


@router.get("", response_model=ChangeEventPage, responses=problems(422))
def list_changes(
    runtime: RuntimeDep,
    workflow_id: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NO_NUL,
            description="This workflow's events and the fleet-wide ones.",
        ),
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="Occurred at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Occurred before.")] = None,
    kind: Annotated[ChangeKind | None, Query()] = None,
    platform: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> ChangeEventPage:
    """Change events in time order, oldest first, a page at a time."""
    page = runtime.changes.page(
        workflow_id=workflow_id,
        since=since,
        until=until,
        kind=kind,
        platform=platform,
        after=decode_cursor(LIST, cursor),
        limit=limit,
    )
    return render_page(ChangeEventPage, LIST, page, ChangeEventOut.of)


@router.get("/{event_id}", response_model=ChangeEventOut, responses=problems(404, 422))
def get_change(event_id: str, runtime: RuntimeDep) -> ChangeEventOut:
    """One change event."""
    return ChangeEventOut.of(runtime.changes.get(event_id))
