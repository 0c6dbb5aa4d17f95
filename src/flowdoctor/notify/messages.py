"""What a notification says, rendered once from an alert and kept in the outbox row.

A ``Message`` answers four questions: what fired, why (the value against the threshold and the
rule's annotations), what to do first (the top recommendation) and where to look (a link). Each
channel's payload is drawn from it at send time, so the outbox stores one shape for every kind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from flowdoctor.domain import Alert, AlertState

ZERO_TIME = "0001-01-01T00:00:00Z"
"""Alertmanager's "no end yet" for a firing alert's ``endsAt``."""


@dataclass(frozen=True, slots=True)
class Message:
    """A rendered notification: plain fields, JSON-safe, stored as the outbox row's payload."""

    title: str
    what: str
    why: str
    state: str
    severity: str
    fingerprint: str
    alert_name: str
    starts_at: str
    ends_at: str | None = None
    recommendation: str | None = None
    link: str | None = None
    runbook_url: str | None = None
    rule_id: str | None = None
    workflow_id: str | None = None
    value: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    dashboard_url: str | None = None
    members: list[dict[str, Any]] = field(default_factory=list)
    """A group's message holds its members' messages (as payloads); empty for one alert."""

    @property
    def resolved(self) -> bool:
        """Whether this tells of the alert's end."""
        return self.state == AlertState.RESOLVED.value

    def text(self) -> str:
        """The message as plain text (the email body, the fallback of rich formats)."""
        lines = [self.title, "", self.what, f"Why: {self.why}"]
        if self.recommendation:
            lines.append(f"First thing to try: {self.recommendation}")
        if self.runbook_url:
            lines.append(f"Runbook: {self.runbook_url}")
        if self.link:
            lines.append(f"Details: {self.link}")
        return "\n".join(lines)

    def to_payload(self) -> dict[str, Any]:
        """The JSON the outbox keeps."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        """Back from the outbox's JSON; unknown keys (from a newer version) are ignored."""
        known = {k: v for k, v in payload.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def member_messages(self) -> list[Message]:
        """The alerts this message tells of: its members, or itself when it tells of one."""
        return [Message.from_payload(m) for m in self.members] or [self]


def render_message(
    alert: Alert, *, recommendation: str | None = None, dashboard_url: str | None = None
) -> Message:
    """Render ``alert`` as a notification.

    ``recommendation`` is the top remediation's text; ``dashboard_url`` the base URL of the web
    UI, from which the alert's link is made.

    >>> from datetime import UTC, datetime
    >>> from flowdoctor.domain import Severity
    >>> t = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    >>> alert = Alert("ab12", "r1", "orders", AlertState.FIRING, Severity.HIGH,
    ...     {"alertname": "HighErrorRate"}, {"threshold": "0.05"}, 0.31, t, t)
    >>> render_message(alert).title
    '[FIRING] HighErrorRate (high) on orders'
    """
    name = alert.labels.get("alertname") or alert.rule_id or "alert"
    where = f" on {alert.workflow_id}" if alert.workflow_id else ""
    state = alert.state.value
    what = alert.annotations.get("summary") or f"{name} is {state}{where}."
    link = None
    if dashboard_url:
        link = f"{dashboard_url.rstrip('/')}/alerts/{alert.fingerprint}"
    return Message(
        title=f"[{state.upper()}] {name} ({alert.severity.value}){where}",
        what=what,
        why=_why(alert),
        state=state,
        severity=alert.severity.value,
        fingerprint=alert.fingerprint,
        alert_name=name,
        starts_at=_iso(alert.fired_at or alert.started_at),
        ends_at=_iso(alert.resolved_at) if alert.resolved_at else None,
        recommendation=recommendation,
        link=link,
        runbook_url=alert.annotations.get("runbook_url"),
        rule_id=alert.rule_id,
        workflow_id=alert.workflow_id,
        value=alert.value,
        labels=dict(alert.labels),
        annotations=dict(alert.annotations),
        dashboard_url=dashboard_url,
    )


def _why(alert: Alert) -> str:
    parts = []
    threshold = alert.annotations.get("threshold") or alert.labels.get("threshold")
    if alert.value is not None:
        value = f"value {alert.value:g}"
        parts.append(f"{value} against threshold {threshold}" if threshold else value)
    description = alert.annotations.get("description")
    if description:
        parts.append(description)
    if alert.state is AlertState.RESOLVED:
        parts.append("the condition no longer holds")
    return "; ".join(parts) or "the rule's condition holds"


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
