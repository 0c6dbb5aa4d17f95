"""Which channels an alert goes to.

A channel takes an alert when it is enabled, the alert's severity is one of its severities (none
listed: all) and every label matcher matches. Matchers see the alert's labels plus ``severity``
and ``workflow_id`` (unless the labels already have them), so a route can say
``workflow_id=orders`` without the rule copying it into a label. Pending alerts go nowhere:
like Alertmanager, only firing and resolved are news.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowdoctor.domain import Alert, AlertState
from flowdoctor.domain.notifications import Channel

NOTIFIED_STATES = frozenset({AlertState.FIRING, AlertState.RESOLVED})


def route_labels(alert: Alert) -> dict[str, str]:
    """The labels routes match on."""
    implicit = {"severity": alert.severity.value}
    if alert.workflow_id:
        implicit["workflow_id"] = alert.workflow_id
    return {**implicit, **alert.labels}


def routes_to(channel: Channel, alert: Alert) -> bool:
    """Whether ``alert`` goes to ``channel``."""
    if not channel.enabled or alert.state not in NOTIFIED_STATES:
        return False
    if channel.severities and alert.severity not in channel.severities:
        return False
    labels = route_labels(alert)
    return all(m.matches(labels) for m in channel.matchers)


def channels_for(alert: Alert, channels: Iterable[Channel]) -> list[Channel]:
    """The channels ``alert`` goes to, in the order given."""
    return [c for c in channels if routes_to(c, alert)]
