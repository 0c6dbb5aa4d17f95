"""Notification groups, as Alertmanager's routes make them: which group an alert's news joins on
a channel, when that group is sent, and the one message its news becomes.

::

    news of alert A on channel C  ->  group = C + A's values of C.grouping.by
    a group with nothing waiting and nothing sent within ``interval``: sent after ``wait``
    a group that was sent within ``interval``: sent ``interval`` after its last send
    news joining a group that already waits: sent with it

A group's rows stay separate outbox rows (each written, tried and logged on its own, so nothing is
lost); only the send is shared. A group message lists what changed since the group's last send,
not every alert still firing in it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from flowdoctor.domain import Alert, Severity
from flowdoctor.domain.notifications import Channel, Grouping
from flowdoctor.notify.messages import Message
from flowdoctor.notify.routing import route_labels

MAX_LISTED = 20
"""Members listed by name in a group message's text; the rest are counted."""


def group_of(channel: Channel, alert: Alert) -> str | None:
    """The id of the group ``alert``'s news joins on ``channel`` (``None``: not grouped).

    >>> from datetime import UTC, datetime
    >>> from flowdoctor.domain import AlertState
    >>> t = datetime(2026, 11, 29, tzinfo=UTC)
    >>> c = Channel("c1", "ops", "json+http://127.0.0.1:9/x", grouping=Grouping(by=("team",)))
    >>> a = Alert("f1", "r1", "orders", AlertState.FIRING, Severity.HIGH, {"team": "crm"}, {},
    ...     1.0, t, t)
    >>> b = Alert("f2", "r2", "billing", AlertState.FIRING, Severity.LOW, {"team": "crm"}, {},
    ...     2.0, t, t)
    >>> group_of(c, a) == group_of(c, b)
    True
    """
    if channel.grouping is None:
        return None
    labels = route_labels(alert)
    values = [[name, labels.get(name, "")] for name in channel.grouping.by]
    body = json.dumps([channel.channel_id, values], separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def first_send(
    grouping: Grouping,
    *,
    waiting_due: datetime | None,
    last_sent: datetime | None,
    now: datetime,
) -> datetime:
    """When news joining a group is first sent.

    ``waiting_due``: when the group's waiting rows are due (``None``: nothing waits);
    ``last_sent``: the group's last delivery (``None``: never).
    """
    if waiting_due is not None:
        return max(waiting_due, now)
    if last_sent is not None and last_sent + grouping.interval > now:
        return last_sent + grouping.interval
    return now + grouping.wait


def group_labels(messages: Sequence[Message], by: Sequence[str]) -> dict[str, str]:
    """The labels a group is known by: the values its members share for each name in ``by``."""
    labels: dict[str, str] = {}
    for name in by:
        values = {_label(m, name) for m in messages}
        if len(values) == 1:
            labels[name] = values.pop()
    return labels


def group_message(messages: Sequence[Message], *, group_id: str, by: Sequence[str] = ()) -> Message:
    """One message telling of every member's news; a group of one is sent as that one."""
    if not messages:
        raise ValueError("a group message needs at least one member")
    if len(messages) == 1:
        return messages[0]
    firing = [m for m in messages if not m.resolved]
    resolved = [m for m in messages if m.resolved]
    ranked = sorted(firing or resolved, key=lambda m: _rank(m.severity))
    lead = ranked[0]
    counts = ", ".join(
        f"{word}:{len(group)}"
        for word, group in (("FIRING", firing), ("RESOLVED", resolved))
        if group
    )
    labels = group_labels(messages, by)
    named = ", ".join(f"{k}={v}" for k, v in labels.items()) or f"{len(messages)} alerts"
    lines = [f"- {m.title}: {m.what}" for m in [*firing, *resolved][:MAX_LISTED]]
    if len(messages) > MAX_LISTED:
        lines.append(f"... and {len(messages) - MAX_LISTED} more")
    workflows = {m.workflow_id for m in messages}
    dashboard = lead.dashboard_url
    ended = None if firing else max((m.ends_at for m in resolved if m.ends_at), default=None)
    return Message(
        title=f"[{counts}] {named}",
        what="\n".join(lines),
        why=f"{lead.alert_name}: {lead.why}",
        state=lead.state,
        severity=lead.severity,
        fingerprint=group_id,
        alert_name=labels.get("alertname") or lead.alert_name,
        starts_at=min(m.starts_at for m in messages),
        ends_at=ended,
        recommendation=lead.recommendation,
        link=f"{dashboard.rstrip('/')}/alerts" if dashboard else lead.link,
        runbook_url=lead.runbook_url,
        workflow_id=workflows.pop() if len(workflows) == 1 else None,
        labels=labels,
        dashboard_url=dashboard,
        members=[m.to_payload() for m in messages],
    )


def _label(message: Message, name: str) -> str:
    if name in message.labels:
        return message.labels[name]
    implicit = {"severity": message.severity, "workflow_id": message.workflow_id or ""}
    return implicit.get(name, "")


def _rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return len(Severity)
