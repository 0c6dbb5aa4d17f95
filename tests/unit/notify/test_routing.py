"""Routing: severities, label matchers (with the implicit severity and workflow labels), and
which states are news."""

from __future__ import annotations

from flowdoctor.domain import AlertState, Matcher, Severity
from flowdoctor.domain.notifications import Channel
from flowdoctor.notify.routing import channels_for, route_labels, routes_to
from support.notify import make_alert


def channel(name: str, **kwargs: object) -> Channel:
    return Channel(channel_id=name, name=name, url="json+http://127.0.0.1:9/x", **kwargs)  # type: ignore[arg-type]


def test_severities_and_matchers_select_channels() -> None:
    everything = channel("all")
    critical = channel("critical", severities=(Severity.CRITICAL,))
    data_team = channel("data", matchers=(Matcher("team", "data"),))
    not_orders = channel("not-orders", matchers=(Matcher("workflow_id", "orders", negate=True),))
    off = channel("off", enabled=False)
    found = channels_for(make_alert(), [everything, critical, data_team, not_orders, off])
    assert [c.name for c in found] == ["all", "data"]
    found = channels_for(
        make_alert(severity=Severity.CRITICAL, workflow_id="billing", labels={"team": "web"}),
        [everything, critical, data_team, not_orders, off],
    )
    assert [c.name for c in found] == ["all", "critical", "not-orders"]


def test_matchers_see_severity_and_workflow_but_labels_win() -> None:
    labels = route_labels(make_alert(labels={"severity": "page"}))
    assert labels["severity"] == "page" and labels["workflow_id"] == "orders"
    assert "workflow_id" not in route_labels(make_alert(workflow_id=None))
    assert routes_to(channel("c", matchers=(Matcher("missing", ""),)), make_alert())


def test_only_firing_and_resolved_are_sent() -> None:
    c = channel("all")
    assert routes_to(c, make_alert(state=AlertState.FIRING))
    assert routes_to(c, make_alert(state=AlertState.RESOLVED))
    assert not routes_to(c, make_alert(state=AlertState.PENDING))
