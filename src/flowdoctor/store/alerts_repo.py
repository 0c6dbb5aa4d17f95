"""Repositories of monitoring: rules (as plain data), alerts and their transitions, silences, and
the lease that keeps one evaluator running at a time."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from flowdoctor.domain import (
    Alert,
    AlertSource,
    AlertState,
    AlertTransition,
    Matcher,
    Severity,
    Silence,
)
from flowdoctor.domain.paging import Key, Page
from flowdoctor.store.monitor_tables import alert_rules, alert_transitions, alerts, leases, silences
from flowdoctor.store.paging import Keyset, SortColumn, fetch_page, time_window

_ALERT_ORDER = Keyset(
    SortColumn(alerts.c.updated_at, "time", descending=True),
    SortColumn(alerts.c.fingerprint, "text"),
)
"""Most recently changed first, as ``list`` orders them."""


class RuleRepository:
    """Rules stored as their plain-data definition (the monitor package converts)."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def put(self, rule_id: str, definition: Mapping[str, Any], *, now: datetime) -> bool:
        """Insert or replace a rule; True when it is new."""
        row = {
            "name": definition.get("name") or "",
            "workflow_id": definition.get("workflow_id"),
            "enabled": bool(definition.get("enabled", True)),
            "definition": dict(definition),
            "updated_at": now,
        }
        done = self._conn.execute(
            update(alert_rules).where(alert_rules.c.rule_id == rule_id).values(**row)
        )
        if done.rowcount:
            return False
        self._conn.execute(insert(alert_rules).values(rule_id=rule_id, created_at=now, **row))
        return True

    def get(self, rule_id: str) -> dict[str, Any] | None:
        """The rule's definition, or None."""
        query = select(alert_rules.c.definition).where(alert_rules.c.rule_id == rule_id)
        found = self._conn.execute(query).scalar_one_or_none()
        return None if found is None else dict(found)

    def list(self, *, enabled_only: bool = False) -> builtins.list[dict[str, Any]]:
        """Every rule's definition, by rule id."""
        query = select(alert_rules.c.definition).order_by(alert_rules.c.rule_id)
        if enabled_only:
            query = query.where(alert_rules.c.enabled.is_(True))
        return [dict(d) for d in self._conn.execute(query).scalars()]

    def delete(self, rule_id: str) -> bool:
        """Delete a rule; True when there was one."""
        done = self._conn.execute(delete(alert_rules).where(alert_rules.c.rule_id == rule_id))
        return bool(done.rowcount)


class AlertRepository:
    """Alerts by fingerprint, and their append-only transitions."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def get(self, fingerprint: str) -> Alert | None:
        """The alert, or None."""
        row = self._conn.execute(select(alerts).where(alerts.c.fingerprint == fingerprint)).first()
        return None if row is None else _alert(row._mapping)

    def save(self, alert: Alert) -> None:
        """Insert or update the alert."""
        row = _alert_row(alert)
        done = self._conn.execute(
            update(alerts).where(alerts.c.fingerprint == alert.fingerprint).values(**row)
        )
        if not done.rowcount:
            self._conn.execute(insert(alerts).values(fingerprint=alert.fingerprint, **row))

    def list(
        self,
        *,
        states: builtins.list[AlertState] | None = None,
        severities: builtins.list[Severity] | None = None,
        workflow_id: str | None = None,
        rule_id: str | None = None,
        limit: int | None = 500,
    ) -> builtins.list[Alert]:
        """Alerts, most recently updated first (all of them with ``limit=None``)."""
        query = select(alerts).order_by(alerts.c.updated_at.desc(), alerts.c.fingerprint)
        if states:
            query = query.where(alerts.c.state.in_([s.value for s in states]))
        if severities:
            query = query.where(alerts.c.severity.in_([s.value for s in severities]))
        if workflow_id is not None:
            query = query.where(alerts.c.workflow_id == workflow_id)
        if rule_id is not None:
            query = query.where(alerts.c.rule_id == rule_id)
        if limit is not None:
            query = query.limit(limit)
        return [_alert(r._mapping) for r in self._conn.execute(query)]

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
        """A page of alerts, most recently changed first, changed in ``[since, until)``.

        An alert that changes while a client pages moves to the first page: it is never listed
        twice, and one not yet reached may be passed over until the next walk.
        """
        query = select(alerts).where(
            *time_window(alerts.c.updated_at, alerts.c.updated_at, since=since, until=until)
        )
        if states:
            query = query.where(alerts.c.state.in_([s.value for s in states]))
        if severities:
            query = query.where(alerts.c.severity.in_([s.value for s in severities]))
        if workflow_id is not None:
            query = query.where(alerts.c.workflow_id == workflow_id)
        return fetch_page(self._conn, query, _ALERT_ORDER, after=after, limit=limit, convert=_alert)

    def counts(self) -> dict[tuple[str, str], int]:
        """How many alerts there are per (state, severity)."""
        query = select(alerts.c.state, alerts.c.severity, func.count()).group_by(
            alerts.c.state, alerts.c.severity
        )
        return {(s, v): int(n) for s, v, n in self._conn.execute(query)}

    def add_transition(self, transition: AlertTransition) -> None:
        """Record one line of an alert's history."""
        self._conn.execute(
            insert(alert_transitions).values(
                fingerprint=transition.fingerprint,
                at=transition.at,
                kind=transition.kind,
                detail=dict(transition.detail),
            )
        )

    def transitions(self, fingerprint: str) -> builtins.list[AlertTransition]:
        """An alert's history, oldest first."""
        t = alert_transitions
        query = select(t).where(t.c.fingerprint == fingerprint).order_by(t.c.at, t.c.id)
        return [
            AlertTransition(r.fingerprint, r.at, r.kind, dict(r.detail))
            for r in self._conn.execute(query)
        ]


class SilenceRepository:
    """Silences: add, list, end."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add(self, silence: Silence) -> None:
        """Store a new silence."""
        self._conn.execute(
            insert(silences).values(
                silence_id=silence.silence_id,
                matchers=[[m.name, m.value, m.negate] for m in silence.matchers],
                starts_at=silence.starts_at,
                ends_at=silence.ends_at,
                reason=silence.reason,
                created_by=silence.created_by,
            )
        )

    def get(self, silence_id: str) -> Silence | None:
        """The silence, or None."""
        row = self._conn.execute(
            select(silences).where(silences.c.silence_id == silence_id)
        ).first()
        return None if row is None else _silence(row._mapping)

    def list(self, *, active_at: datetime | None = None) -> builtins.list[Silence]:
        """Silences by start; with ``active_at``, only those in force then."""
        query = select(silences).order_by(silences.c.starts_at, silences.c.silence_id)
        if active_at is not None:
            query = query.where(
                and_(silences.c.starts_at <= active_at, silences.c.ends_at > active_at)
            )
        return [_silence(r._mapping) for r in self._conn.execute(query)]

    def end(self, silence_id: str, *, at: datetime) -> bool:
        """End a silence now (its history stays); True when it was still running."""
        done = self._conn.execute(
            update(silences)
            .where(and_(silences.c.silence_id == silence_id, silences.c.ends_at > at))
            .values(ends_at=at)
        )
        return bool(done.rowcount)


class LeaseRepository:
    """A named lease: one holder at a time, taken over once it has expired."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def acquire(self, name: str, holder: str, *, now: datetime, until: datetime) -> bool:
        """Take or renew the lease; False when another holder's lease is still running."""
        done = self._conn.execute(
            update(leases)
            .where(
                and_(
                    leases.c.name == name,
                    or_(leases.c.holder == holder, leases.c.expires_at <= now),
                )
            )
            .values(holder=holder, expires_at=until)
        )
        if done.rowcount:
            return True
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(leases).values(name=name, holder=holder, expires_at=until)
                )
        except IntegrityError:
            return False  # someone else holds it (or took it a moment ago)
        return True

    def holder(self, name: str, *, now: datetime) -> str | None:
        """Who holds the lease at ``now`` (``None``: nobody, or it has expired)."""
        query = select(leases.c.holder).where(
            and_(leases.c.name == name, leases.c.expires_at > now)
        )
        found = self._conn.execute(query).scalar_one_or_none()
        return None if found is None else str(found)

    def release(self, name: str, holder: str) -> None:
        """Give the lease up, if ``holder`` has it."""
        self._conn.execute(
            delete(leases).where(and_(leases.c.name == name, leases.c.holder == holder))
        )


def _alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "rule_id": alert.rule_id,
        "workflow_id": alert.workflow_id,
        "state": alert.state.value,
        "severity": alert.severity.value,
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "value": alert.value,
        "started_at": alert.started_at,
        "updated_at": alert.updated_at,
        "fired_at": alert.fired_at,
        "resolved_at": alert.resolved_at,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledgement_note": alert.acknowledgement_note,
        "source": alert.source.value,
    }


def _alert(row: Any) -> Alert:
    return Alert(
        fingerprint=row["fingerprint"],
        rule_id=row["rule_id"],
        workflow_id=row["workflow_id"],
        state=AlertState(row["state"]),
        severity=Severity(row["severity"]),
        labels=dict(row["labels"]),
        annotations=dict(row["annotations"]),
        value=row["value"],
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        fired_at=row["fired_at"],
        resolved_at=row["resolved_at"],
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=row["acknowledged_at"],
        acknowledgement_note=row["acknowledgement_note"],
        source=AlertSource(row["source"]),
    )


def _silence(row: Any) -> Silence:
    return Silence(
        silence_id=row["silence_id"],
        matchers=tuple(Matcher(n, v, bool(neg)) for n, v, neg in row["matchers"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        reason=row["reason"],
        created_by=row["created_by"],
    )
