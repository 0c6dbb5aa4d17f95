"""Notification groups: which group an alert joins, when a group is sent, its one message."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from flowdoctor.domain import AlertState, Severity
from flowdoctor.domain.notifications import Channel, Grouping
from flowdoctor.notify.grouping import MAX_LISTED, first_send, group_message, group_of
from flowdoctor.notify.messages import render_message
from flowdoctor.notify.payloads import alertmanager_v4, webhook_document
from support.notify import T0, make_alert

BY_NAME = Grouping(by=("alertname",), wait=timedelta(seconds=30), interval=timedelta(minutes=5))
URL = "json+http://127.0.0.1:9/x"


def test_alerts_agreeing_on_the_grouping_labels_share_a_group() -> None:
    ops = Channel("ops", "ops", URL, grouping=BY_NAME)
    a = make_alert("a", workflow_id="orders")
    b = make_alert("b", workflow_id="billing")
    other = make_alert("c", labels={"alertname": "Absent"})
    assert group_of(ops, a) == group_of(ops, b) != group_of(ops, other)
    by_workflow = replace(ops, grouping=Grouping(by=("workflow_id",)))
    assert group_of(by_workflow, a) != group_of(by_workflow, b)  # implicit route label
    everything = replace(ops, grouping=Grouping(by=()))
    assert group_of(everything, a) == group_of(everything, other)
    assert group_of(replace(ops, grouping=None), a) is None


def test_the_same_labels_on_another_channel_are_another_group() -> None:
    alert = make_alert()
    one = Channel("one", "one", URL, grouping=BY_NAME)
    two = Channel("two", "two", URL, grouping=BY_NAME)
    assert group_of(one, alert) != group_of(two, alert)


def test_a_new_group_waits_and_a_sent_group_waits_for_its_interval() -> None:
    assert first_send(BY_NAME, waiting_due=None, last_sent=None, now=T0) == T0 + BY_NAME.wait
    later = T0 + timedelta(seconds=10)
    # news joining rows that wait goes with them; rows already due take it at once
    assert first_send(BY_NAME, waiting_due=later, last_sent=None, now=T0) == later
    assert first_send(BY_NAME, waiting_due=T0, last_sent=None, now=later) == later
    sent = T0 - timedelta(minutes=1)
    assert first_send(BY_NAME, waiting_due=None, last_sent=sent, now=T0) == sent + BY_NAME.interval
    # quiet for longer than the interval: a fresh start, with the group wait
    long_ago = T0 - timedelta(hours=1)
    got = first_send(BY_NAME, waiting_due=None, last_sent=long_ago, now=T0)
    assert got == T0 + BY_NAME.wait


def test_a_group_message_counts_its_news_and_leads_with_the_worst() -> None:
    low = render_message(make_alert("low", severity=Severity.LOW, workflow_id="billing"))
    worst = render_message(
        make_alert("crit", severity=Severity.CRITICAL), recommendation="rotate the token"
    )
    gone = render_message(make_alert("gone", state=AlertState.RESOLVED))
    message = group_message([low, worst, gone], group_id="g1", by=("alertname", "team"))
    assert message.title == "[FIRING:2, RESOLVED:1] alertname=HighErrorRate, team=data"
    assert message.severity == "critical" and message.state == "firing"
    assert message.recommendation == "rotate the token"
    assert message.fingerprint == "g1" and message.workflow_id is None
    assert [m.fingerprint for m in message.member_messages()] == ["low", "crit", "gone"]
    assert message.what.count("\n- ") == 2 and "[RESOLVED]" in message.what


def test_a_group_of_one_is_sent_as_that_alert_and_an_empty_one_is_refused() -> None:
    only = render_message(make_alert())
    assert group_message([only], group_id="g1") is only
    with pytest.raises(ValueError, match="at least one"):
        group_message([], group_id="g1")


def test_a_resolved_group_ends_when_its_last_member_ended() -> None:
    first = render_message(make_alert("a", state=AlertState.RESOLVED))
    last = render_message(make_alert("b", state=AlertState.RESOLVED, at=T0 + timedelta(minutes=10)))
    message = group_message([first, last], group_id="g", by=("alertname",))
    assert message.resolved and message.ends_at == last.ends_at


def test_a_big_group_lists_the_first_ones_and_counts_the_rest() -> None:
    members = [render_message(make_alert(f"a{i}")) for i in range(MAX_LISTED + 5)]
    message = group_message(members, group_id="g", by=("alertname",))
    assert message.title.startswith(f"[FIRING:{MAX_LISTED + 5}]")
    assert message.what.endswith("... and 5 more")
    assert len(message.what.splitlines()) == MAX_LISTED + 1


def test_receivers_get_every_member_of_a_group() -> None:
    members = [
        render_message(make_alert("a", workflow_id="orders")),
        render_message(make_alert("b", workflow_id="billing", state=AlertState.RESOLVED)),
    ]
    message = group_message(members, group_id="g", by=("alertname",))
    am = alertmanager_v4(message, receiver="ops", group_key="k")
    assert [a["fingerprint"] for a in am["alerts"]] == ["a", "b"]
    assert [a["status"] for a in am["alerts"]] == ["firing", "resolved"]
    assert am["groupLabels"] == {"alertname": "HighErrorRate"}
    assert am["commonLabels"]["team"] == "data" and "workflow_id" not in am["commonLabels"]
    doc = webhook_document(message, dedup_key="k")
    assert [a["fingerprint"] for a in doc["alerts"]] == ["a", "b"]
    assert doc["alert"]["fingerprint"] == "a" and doc["group_labels"] == am["groupLabels"]
    single = webhook_document(members[0], dedup_key="k")
    assert single["alerts"] == [single["alert"]] and single["group_labels"] == {}
