"""Alerts for people: list and filter them, read an alert's history, acknowledge, resolve by
hand, and silence by matchers for a while. Every change is a recorded transition."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from flowdoctor.clock import Clock
from flowdoctor.domain import Alert, AlertState, AlertTransition, Matcher, Severity, Silence
from flowdoctor.domain.paging import Key, Page
from flowdoctor.errors import InputError, NotFoundError
from flowdoctor.monitor.alert_lifecycle import check
from flowdoctor.store import Database, Store

MAX_NOTE = 2000
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert with its history and the silences muting it now."""

    alert: Alert
    history: list[AlertTransition]
    silenced_by: list[str]


class AlertService:
    """Read and act on alerts; create and end silences."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def list(
        self,
        *,
        states: Sequence[AlertState] = (),
        severities: Sequence[Severity] = (),
        workflow_id: str | None = None,
        limit: int = 500,
    ) -> builtins.list[Alert]:
        """Alerts, most recently changed first."""
        with self._db.transaction() as store:
            return store.alerts.list(
                states=list(states) or None,
                severities=list(severities) or None,
                workflow_id=workflow_id,
                limit=limit,
            )

    def page(
        self,
        *,
        states: Sequence[AlertState] = (),
        severities: Sequence[Severity] = (),
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[Alert]:
        """A page of alerts, most recently changed first, changed in ``[since, until)``."""
        with self._db.transaction() as store:
            return store.alerts.page(
                states=states,
                severities=severities,
                workflow_id=workflow_id,
                since=since,
                until=until,
                after=after,
                limit=limit,
            )

    def get(self, fingerprint: str) -> AlertView:
        """One alert with its history; ``NotFoundError`` if unknown."""
        now = self._clock.now()
        with self._db.transaction() as store:
            alert = _load(store, fingerprint)
            silences = store.silences.list(active_at=now)
            return AlertView(
                alert,
                store.alerts.transitions(fingerprint),
                [s.silence_id for s in silences if s.mutes(alert.labels, now)],
            )

    def acknowledge(self, fingerprint: str, *, by: str, note: str = "") -> Alert:
        """Someone is on it: who, when and a note. Only a pending or firing alert."""

        def acknowledged(alert: Alert, now: datetime) -> Alert:
            if alert.state is AlertState.RESOLVED:
                raise InputError("a resolved alert cannot be acknowledged", field="fingerprint")
            return replace(
                alert, acknowledged_by=by, acknowledged_at=now, acknowledgement_note=note or None
            )

        return self._act(fingerprint, by, note, "acknowledged", acknowledged)

    def resolve(self, fingerprint: str, *, by: str, note: str = "") -> Alert:
        """Resolve by hand (the lifecycle table decides whether it may be)."""

        def resolved(alert: Alert, now: datetime) -> Alert:
            check(alert.state, AlertState.RESOLVED)
            return replace(alert, state=AlertState.RESOLVED, resolved_at=now)

        return self._act(fingerprint, by, note, "state_resolved", resolved)

    def _act(
        self,
        fingerprint: str,
        by: str,
        note: str,
        kind: str,
        change: Callable[[Alert, datetime], Alert],
    ) -> Alert:
        """Apply a person's ``change`` to the alert and record it, in one transaction."""
        _check_text(by, "by", MAX_NAME, required=True)
        _check_text(note, "note", MAX_NOTE)
        now = self._clock.now()
        with self._db.transaction() as store:
            alert = replace(change(_load(store, fingerprint), now), updated_at=now)
            store.alerts.save(alert)
            _record(store, fingerprint, now, kind, {"by": by, "note": note})
            return alert

    def silence(
        self,
        *,
        matchers: Sequence[Matcher],
        ends_at: datetime,
        reason: str,
        created_by: str,
        starts_at: datetime | None = None,
    ) -> Silence:
        """Mute notifications of matching alerts until ``ends_at``."""
        if not matchers:
            raise InputError("a silence needs at least one matcher", field="matchers")
        _check_text(reason, "reason", MAX_NOTE, required=True)
        _check_text(created_by, "created_by", MAX_NAME, required=True)
        now = self._clock.now()
        start = starts_at or now
        if start.tzinfo is None or ends_at.tzinfo is None:
            raise InputError("times need a timezone", field="ends_at")
        if ends_at <= max(start, now):
            raise InputError("ends_at must be later than the start and than now", field="ends_at")
        silence = Silence(uuid.uuid4().hex, tuple(matchers), start, ends_at, reason, created_by)
        with self._db.transaction() as store:
            store.silences.add(silence)
        return silence

    def silences(self, *, active_only: bool = False) -> builtins.list[Silence]:
        """Every silence, or those in force now."""
        with self._db.transaction() as store:
            return store.silences.list(active_at=self._clock.now() if active_only else None)

    def end_silence(self, silence_id: str) -> None:
        """End a silence now."""
        with self._db.transaction() as store:
            if store.silences.get(silence_id) is None:
                raise NotFoundError("silence", silence_id)
            if not store.silences.end(silence_id, at=self._clock.now()):
                raise InputError("the silence has already ended", field="silence_id")


def _load(store: Store, fingerprint: str) -> Alert:
    alert = store.alerts.get(fingerprint)
    if alert is None:
        raise NotFoundError("alert", fingerprint)
    return alert


def _record(
    store: Store, fingerprint: str, at: datetime, kind: str, detail: dict[str, object]
) -> None:
    store.alerts.add_transition(AlertTransition(fingerprint, at, kind, detail))


def _check_text(value: str, field: str, limit: int, *, required: bool = False) -> None:
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError("must be a non-empty string", field=field)
    if len(value) > limit:
        raise InputError(f"at most {limit} characters", field=field)
