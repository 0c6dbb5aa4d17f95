"""Rendering: what fired, why, the first thing to try, a link; and each service's JSON."""

from __future__ import annotations

from dataclasses import replace

from flowdoctor.domain import AlertState, Severity
from flowdoctor.notify.channels import ChannelKind, HttpTarget, PagerDutyTarget
from flowdoctor.notify.messages import Message, render_message
from flowdoctor.notify.payloads import (
    alertmanager_v4,
    discord_message,
    http_payload,
    slack_message,
    teams_message_card,
)
from support.notify import make_alert


def test_message_says_what_why_what_to_do_and_where() -> None:
    message = render_message(
        make_alert(),
        recommendation="Reconnect the Salesforce credential",
        dashboard_url="http://127.0.0.1:8000/",
    )
    assert message.title == "[FIRING] HighErrorRate (high) on orders"
    assert message.what == "Orders sync fails often"
    assert message.why == "value 0.31 against threshold 0.05; error rate over 15 minutes"
    assert message.link == "http://127.0.0.1:8000/alerts/fp-orders-errors"
    text = message.text()
    assert "First thing to try: Reconnect the Salesforce credential" in text
    assert text.endswith("Details: http://127.0.0.1:8000/alerts/fp-orders-errors")
    assert Message.from_payload({**message.to_payload(), "from_the_future": 1}) == message


def test_message_without_annotations_or_value_still_explains() -> None:
    bare = replace(make_alert(value=None, workflow_id=None), annotations={}, labels={})
    message = render_message(bare)
    assert message.title == "[FIRING] rule-error-rate (high)"
    assert message.what == "rule-error-rate is firing."
    assert message.why == "the rule's condition holds"
    assert message.link is None and "Details" not in message.text()
    resolved = render_message(make_alert(state=AlertState.RESOLVED))
    assert resolved.why.endswith("the condition no longer holds")
    assert resolved.resolved and resolved.ends_at == "2026-11-27T12:30:00Z"


def test_slack_escapes_its_control_characters() -> None:
    alert = replace(make_alert(), annotations={"summary": "a <b> & c"})
    blocks = slack_message(render_message(alert))["blocks"]
    assert blocks[1]["text"]["text"].startswith("*a &lt;b&gt; &amp; c*")


def test_payloads_choose_by_kind_and_colour_by_state() -> None:
    firing = render_message(make_alert(severity=Severity.CRITICAL))
    resolved = render_message(make_alert(state=AlertState.RESOLVED))
    assert teams_message_card(firing)["themeColor"] == "D32F2F"
    assert teams_message_card(resolved)["themeColor"] == "388E3C"
    assert discord_message(firing)["embeds"][0]["color"] == 0xD32F2F
    pd = http_payload(PagerDutyTarget("K"), resolved, dedup_key="d", receiver="r")
    assert pd == {
        "routing_key": "K",
        "event_action": "resolve",
        "dedup_key": "fp-orders-errors",
        "client": "flowdoctor",
    }
    hook = http_payload(HttpTarget(ChannelKind.WEBHOOK, "u"), firing, dedup_key="d", receiver="r")
    assert hook["dedup_key"] == "d" and hook["alert"]["severity"] == "critical"
    am = alertmanager_v4(firing, receiver="ops", group_key="g")
    assert am["groupKey"] == '{}:{fingerprint="fp-orders-errors",key="g"}'
    assert am["commonLabels"]["workflow_id"] == "orders"
    assert am["alerts"][0]["generatorURL"] == ""
