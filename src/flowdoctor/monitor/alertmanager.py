"""Alerts that Prometheus' Alertmanager sends (webhook payload version 4), kept as flowdoctor
alerts: listed, acknowledged and silenced like flowdoctor's own, with their history.

Alertmanager resends an alert on every group interval; the fingerprint it gives keeps that one
alert (a firing alert seen again only refreshes ``updated_at``; a resolved one is resolved once).
``severity`` comes from the ``severity`` label (``warning`` reads as medium, ``page`` as critical;
anything unknown as medium) and ``workflow_id`` from the label of that name, when present.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from flowdoctor.clock import Clock
from flowdoctor.domain import Alert, AlertSource, AlertState, AlertTransition, Severity
from flowdoctor.store import Database

SEVERITY_WORDS = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "error": Severity.HIGH,
    "high": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "warn": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
    "none": Severity.INFO,
}


@dataclass(frozen=True, slots=True)
class IncomingAlert:
    """One alert of an Alertmanager notification."""

    status: str
    """``firing`` or ``resolved``."""
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str | None


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """What one notification changed."""

    created: int
    updated: int
    resolved: int


class AlertmanagerReceiver:
    """Stores the alerts of Alertmanager webhook notifications."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def receive(self, alerts: Sequence[IncomingAlert]) -> ReceiveResult:
        """Store one notification's alerts, all in one transaction."""
        now = self._clock.now()
        created = updated = resolved = 0
        with self._db.transaction() as store:
            for incoming in alerts:
                key = "am-" + (incoming.fingerprint or _fingerprint(incoming.labels))
                current = store.alerts.get(key)
                firing = incoming.status == "firing"
                if current is None or (current.state is AlertState.RESOLVED and firing):
                    alert = _new(key, incoming, now)
                    created += 1
                    kind = f"state_{alert.state.value}"
                elif not firing and current.state is not AlertState.RESOLVED:
                    alert = replace(
                        current,
                        state=AlertState.RESOLVED,
                        resolved_at=incoming.ends_at or now,
                        updated_at=now,
                    )
                    resolved += 1
                    kind = "state_resolved"
                else:
                    store.alerts.save(replace(current, updated_at=now))
                    updated += 1
                    continue
                store.alerts.save(alert)
                store.alerts.add_transition(
                    AlertTransition(key, now, kind, {"source": "alertmanager"})
                )
        return ReceiveResult(created, updated, resolved)


def _new(key: str, incoming: IncomingAlert, now: datetime) -> Alert:
    firing = incoming.status == "firing"
    return Alert(
        fingerprint=key,
        rule_id=None,
        workflow_id=incoming.labels.get("workflow_id"),
        state=AlertState.FIRING if firing else AlertState.RESOLVED,
        severity=SEVERITY_WORDS.get(incoming.labels.get("severity", "").lower(), Severity.MEDIUM),
        labels=dict(incoming.labels),
        annotations=dict(incoming.annotations),
        value=None,
        started_at=incoming.starts_at,
        updated_at=now,
        fired_at=incoming.starts_at if firing else None,
        resolved_at=None if firing else (incoming.ends_at or now),
        source=AlertSource.ALERTMANAGER,
    )


def _fingerprint(labels: dict[str, str]) -> str:
    body = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
