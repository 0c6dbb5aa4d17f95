"""The alert lifecycle as a transition table.

::

    (new) ──condition holds──▶ pending ──held for the rule's ``for``──▶ firing
                                  │                                       │
                                  └──condition gone──▶ resolved ◀─────────┘
    resolved ──condition holds again──▶ pending (a new episode of the same fingerprint)

A rule with ``for`` = 0 goes straight to firing. ``step`` computes the next state from the
current alert and whether the condition holds; ``transition`` refuses any move the table does not
allow with ``InvalidTransitionError``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime, timedelta

from flowdoctor.domain import Alert, AlertRule, AlertState
from flowdoctor.errors import InvalidTransitionError

_S = AlertState
ALLOWED: dict[AlertState | None, frozenset[AlertState]] = {
    None: frozenset({_S.PENDING, _S.FIRING}),
    _S.PENDING: frozenset({_S.FIRING, _S.RESOLVED}),
    _S.FIRING: frozenset({_S.RESOLVED}),
    _S.RESOLVED: frozenset({_S.PENDING, _S.FIRING}),
}


def fingerprint(rule_id: str | None, labels: dict[str, str]) -> str:
    """A stable id for the alert a rule raises on these labels.

    >>> fingerprint("r1", {"workflow_id": "wf"}) == fingerprint("r1", {"workflow_id": "wf"})
    True
    """
    body = json.dumps([rule_id, sorted(labels.items())], separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def check(current: AlertState | None, requested: AlertState) -> None:
    """Raise ``InvalidTransitionError`` unless the table allows ``current`` → ``requested``."""
    allowed = ALLOWED[current]
    if requested not in allowed:
        raise InvalidTransitionError(
            "alert",
            current.value if current else "new",
            requested.value,
            sorted(s.value for s in allowed),
        )


def next_state(
    current: Alert | None, holds: bool, now: datetime, for_duration: timedelta
) -> AlertState | None:
    """The state to move to, or ``None`` to stay where it is."""
    state = current.state if current else None
    if holds:
        if state in (None, _S.RESOLVED):
            return _S.FIRING if for_duration <= timedelta(0) else _S.PENDING
        if state is _S.PENDING and current is not None:
            return _S.FIRING if now - current.started_at >= for_duration else None
        return None
    return _S.RESOLVED if state in (_S.PENDING, _S.FIRING) else None


def transition(
    current: Alert | None,
    requested: AlertState,
    *,
    rule: AlertRule,
    labels: dict[str, str],
    value: float | None,
    now: datetime,
) -> Alert:
    """The alert after the move; a new episode (from nothing or resolved) starts afresh."""
    check(current.state if current else None, requested)
    annotations = dict(rule.annotations)
    if rule.runbook_url:
        annotations.setdefault("runbook_url", rule.runbook_url)
    # Say why, so a notification carries it even when the rule's author wrote no summary.
    seen = "no data" if value is None else f"{value:.4g}"
    annotations.setdefault(
        "condition", f"{rule.metric_name} {rule.condition.value} {rule.threshold:g} (seen: {seen})"
    )
    if current is None or current.state is _S.RESOLVED:
        return Alert(
            fingerprint=fingerprint(rule.rule_id, labels),
            rule_id=rule.rule_id,
            workflow_id=labels.get("workflow_id"),
            state=requested,
            severity=rule.severity,
            labels=labels,
            annotations=annotations,
            value=value,
            started_at=now,
            updated_at=now,
            fired_at=now if requested is _S.FIRING else None,
        )
    return replace(
        current,
        state=requested,
        value=value if value is not None else current.value,
        updated_at=now,
        fired_at=now if requested is _S.FIRING else current.fired_at,
        resolved_at=now if requested is _S.RESOLVED else None,
    )
