"""Change events: record what changed, list what changed around a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.schemas import ChangeEventOut, RecordChangesIn, RecordChangesOut
from flowdoctor.domain import ChangeEvent, ChangeKind

router = APIRouter(prefix="/change-events", tags=["change events"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RecordChangesOut)
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


@router.get("", response_model=list[ChangeEventOut])
def list_changes(
    runtime: RuntimeDep,
    workflow_id: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
    kind: Annotated[ChangeKind | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ChangeEventOut]:
    """Change events in time order; with ``workflow_id``, its own and the fleet-wide ones."""
    found = runtime.changes.list(
        workflow_id=workflow_id, since=since, until=until, kind=kind, limit=limit
    )
    return [ChangeEventOut.of(e) for e in found]


@router.get("/{event_id}", response_model=ChangeEventOut)
def get_change(event_id: str, runtime: RuntimeDep) -> ChangeEventOut:
    """One change event."""
    return ChangeEventOut.of(runtime.changes.get(event_id))
