"""The change log: users record what changed (an edit, a rotated credential, a deployment, a vendor
incident) so analysis can tell them "the error rate shifted 3 minutes after this".

A batch is all or nothing. Re-sending an event with the same ``event_id`` and the same content is
harmless (it is stored once), so a client may retry a batch whose answer it never saw; the same id
with different content is refused.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from flowdoctor.clock import Clock
from flowdoctor.domain import ChangeEvent, ChangeKind
from flowdoctor.domain.paging import Key, Page
from flowdoctor.errors import InputError, NotFoundError
from flowdoctor.store import Database

MAX_DESCRIPTION = 2000
MAX_ID = 64


@dataclass(frozen=True, slots=True)
class ChangeRecordResult:
    """What a batch did: the events as stored (ids filled in) and how many were new."""

    events: tuple[ChangeEvent, ...]
    created: int


class ChangeLogService:
    """Record and list change events."""

    def __init__(self, *, db: Database, clock: Clock, max_batch_items: int = 10_000) -> None:
        self._db = db
        self._clock = clock
        self._max = max_batch_items

    def record(
        self,
        *,
        kind: ChangeKind | str,
        description: str,
        occurred_at: datetime | None = None,
        workflow_id: str | None = None,
        platform: str | None = None,
        author: str | None = None,
        labels: Mapping[str, str] | None = None,
        event_id: str | None = None,
    ) -> ChangeEvent:
        """Record one change (``occurred_at`` defaults to now); returns it with its id."""
        event = ChangeEvent(
            event_id=event_id or "",
            occurred_at=occurred_at or self._clock.now(),
            kind=_kind(kind),
            description=description,
            workflow_id=workflow_id,
            platform=platform,
            author=author,
            labels=dict(labels or {}),
        )
        return self.record_many([event]).events[0]

    def record_many(self, events: Sequence[ChangeEvent]) -> ChangeRecordResult:
        """Record a batch; events without an ``event_id`` get a new one."""
        if not events:
            raise InputError("the batch is empty", field="events")
        if len(events) > self._max:
            raise InputError(
                f"the batch has {len(events)} items; at most {self._max} are accepted",
                field="events",
            )
        checked = [_checked(e, index) for index, e in enumerate(events)]
        _no_repeated_ids(checked)
        with self._db.transaction() as store:
            new = []
            for index, event in enumerate(checked):
                stored = store.changes.get(event.event_id)
                if stored is None:
                    new.append(event)
                elif stored != event:
                    raise InputError(
                        f"change event {event.event_id!r} is already recorded with other content",
                        field=f"events[{index}].event_id",
                    )
            store.changes.add_many(new, recorded_at=self._clock.now())
        return ChangeRecordResult(events=tuple(checked), created=len(new))

    def get(self, event_id: str) -> ChangeEvent:
        """The event with ``event_id``; ``NotFoundError`` if there is none."""
        with self._db.transaction() as store:
            event = store.changes.get(event_id)
        if event is None:
            raise NotFoundError("change event", event_id)
        return event

    def list(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: ChangeKind | None = None,
        limit: int = 500,
    ) -> builtins.list[ChangeEvent]:
        """Events in time order; with ``workflow_id``, its own and the fleet-wide ones."""
        if since is not None and until is not None and until <= since:
            raise InputError("until must be later than since", field="until")
        with self._db.transaction() as store:
            return store.changes.list(
                workflow_id=workflow_id, since=since, until=until, kind=kind, limit=limit
            )

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
        """A page of events in time order; with ``workflow_id``, its own and the fleet-wide
        ones."""
        with self._db.transaction() as store:
            return store.changes.page(
                workflow_id=workflow_id,
                since=since,
                until=until,
                kind=kind,
                platform=platform,
                after=after,
                limit=limit,
            )


def _kind(kind: ChangeKind | str) -> ChangeKind:
    try:
        return ChangeKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ChangeKind)
        raise InputError(f"unknown change kind {kind!r}; known: {known}", field="kind") from None


def _checked(event: ChangeEvent, index: int) -> ChangeEvent:
    where = f"events[{index}]"
    if not event.description.strip():
        raise InputError("the description is empty", field=f"{where}.description")
    if len(event.description) > MAX_DESCRIPTION:
        raise InputError(
            f"the description has {len(event.description)} characters; at most {MAX_DESCRIPTION}",
            field=f"{where}.description",
        )
    if event.occurred_at.tzinfo is None:
        raise InputError("occurred_at needs a timezone", field=f"{where}.occurred_at")
    if len(event.event_id) > MAX_ID or (event.event_id and not event.event_id.strip()):
        raise InputError(f"event_id must be 1-{MAX_ID} characters", field=f"{where}.event_id")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in event.labels.items()):
        raise InputError("labels must map strings to strings", field=f"{where}.labels")
    return event if event.event_id else replace(event, event_id=uuid.uuid4().hex)


def _no_repeated_ids(events: Sequence[ChangeEvent]) -> None:
    seen: set[str] = set()
    for index, event in enumerate(events):
        if event.event_id in seen:
            raise InputError(
                f"event_id {event.event_id!r} appears twice in the batch",
                field=f"events[{index}].event_id",
            )
        seen.add(event.event_id)
