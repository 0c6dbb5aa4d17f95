"""Each service's JSON, drawn from a ``Message``: Slack blocks, a Teams MessageCard or Adaptive
Card, a Discord embed, a PagerDuty Events API v2 event, flowdoctor's own webhook document and the
Alertmanager v4 webhook document (so any Alertmanager receiver works unchanged).
"""

from __future__ import annotations

from typing import Any

from flowdoctor.notify.channels import ChannelKind, HttpTarget, PagerDutyTarget
from flowdoctor.notify.messages import ZERO_TIME, Message

_COLOURS = {"critical": 0xD32F2F, "high": 0xF57C00, "medium": 0xFBC02D, "low": 0x1976D2}
_RESOLVED_COLOUR = 0x388E3C
_PAGERDUTY_SEVERITY = {
    "critical": "critical",
    "high": "error",
    "medium": "warning",
    "low": "info",
    "info": "info",
}


def http_payload(
    target: HttpTarget | PagerDutyTarget, message: Message, *, dedup_key: str, receiver: str
) -> dict[str, Any]:
    """The JSON body for ``target``; ``receiver`` is the channel's name."""
    if isinstance(target, PagerDutyTarget):
        return pagerduty_event(message, routing_key=target.routing_key)
    if target.kind is ChannelKind.SLACK:
        return slack_message(message)
    if target.kind is ChannelKind.MSTEAMS:
        return teams_adaptive_card(message) if target.adaptive else teams_message_card(message)
    if target.kind is ChannelKind.DISCORD:
        return discord_message(message)
    if target.kind is ChannelKind.ALERTMANAGER:
        return alertmanager_v4(message, receiver=receiver, group_key=dedup_key)
    return webhook_document(message, dedup_key=dedup_key)


def _colour(message: Message) -> int:
    return _RESOLVED_COLOUR if message.resolved else _COLOURS.get(message.severity, 0x607D8B)


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats &, < and > as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(message: Message) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``text`` for notifications, ``blocks`` for the body."""
    body = f"*{_slack_escape(message.what)}*\n{_slack_escape(message.why)}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}},
    ]
    if message.recommendation:
        tip = f"*First thing to try:* {_slack_escape(message.recommendation)}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": tip[:3000]}})
    if message.link:
        link = f"<{message.link}|Open in flowdoctor>"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": link}]})
    return {"text": message.title, "blocks": blocks}


def _facts(message: Message) -> list[tuple[str, str]]:
    facts = [("Severity", message.severity), ("State", message.state)]
    if message.workflow_id:
        facts.append(("Workflow", message.workflow_id))
    if message.value is not None:
        facts.append(("Value", f"{message.value:g}"))
    facts.append(("Since", message.starts_at))
    return facts


def teams_message_card(message: Message) -> dict[str, Any]:
    """A Teams connector MessageCard."""
    section: dict[str, Any] = {
        "activityTitle": message.what,
        "text": message.why,
        "facts": [{"name": n, "value": v} for n, v in _facts(message)],
    }
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": message.title,
        "title": message.title,
        "themeColor": f"{_colour(message):06X}",
        "sections": [section],
    }
    if message.recommendation:
        card["sections"].append({"title": "First thing to try", "text": message.recommendation})
    if message.link:
        target = [{"os": "default", "uri": message.link}]
        card["potentialAction"] = [
            {"@type": "OpenUri", "name": "Open in flowdoctor", "targets": target}
        ]
    return card


def teams_adaptive_card(message: Message) -> dict[str, Any]:
    """A Teams Workflows (Power Automate) message carrying an Adaptive Card."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Medium"},
        {"type": "TextBlock", "text": message.what, "wrap": True},
        {"type": "TextBlock", "text": f"Why: {message.why}", "wrap": True},
        {"type": "FactSet", "facts": [{"title": n, "value": v} for n, v in _facts(message)]},
    ]
    if message.recommendation:
        tip = f"First thing to try: {message.recommendation}"
        body.append({"type": "TextBlock", "text": tip, "wrap": True})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link:
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open in flowdoctor", "url": message.link}
        ]
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": content,
    }
    return {"type": "message", "attachments": [attachment]}


def discord_message(message: Message) -> dict[str, Any]:
    """A Discord webhook message with one embed (within Discord's length limits)."""
    fields = [{"name": n, "value": v[:1024], "inline": True} for n, v in _facts(message)]
    if message.recommendation:
        fields.append(
            {"name": "First thing to try", "value": message.recommendation[:1024], "inline": False}
        )
    embed: dict[str, Any] = {
        "title": message.title[:256],
        "description": f"{message.what}\n{message.why}"[:4096],
        "color": _colour(message),
        "fields": fields,
        "timestamp": message.starts_at,
    }
    if message.link:
        embed["url"] = message.link
    # No mentions: alert text must never ping @everyone.
    return {"username": "flowdoctor", "embeds": [embed], "allowed_mentions": {"parse": []}}


def pagerduty_event(message: Message, *, routing_key: str) -> dict[str, Any]:
    """A PagerDuty Events API v2 event; the alert fingerprint pairs trigger and resolve."""
    event: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "resolve" if message.resolved else "trigger",
        "dedup_key": message.fingerprint,
        "client": "flowdoctor",
    }
    if message.resolved:
        return event
    details: dict[str, Any] = {"why": message.why, **message.labels}
    if message.recommendation:
        details["recommendation"] = message.recommendation
    event["payload"] = {
        "summary": f"{message.title}: {message.what}"[:1024],
        "source": message.workflow_id or "flowdoctor",
        "severity": _PAGERDUTY_SEVERITY.get(message.severity, "error"),
        "timestamp": message.starts_at,
        "component": message.workflow_id,
        "class": message.alert_name,
        "custom_details": details,
    }
    if message.link:
        event["links"] = [{"href": message.link, "text": "Open in flowdoctor"}]
        event["client_url"] = message.dashboard_url
    return event


def webhook_document(message: Message, *, dedup_key: str) -> dict[str, Any]:
    """flowdoctor's own webhook JSON; ``dedup_key`` lets a receiver drop a repeated delivery.

    ``alert`` is the one alert told of (for a group: its most severe); ``alerts`` lists every
    alert the message tells of (one, or a group's members).
    """
    lead = message.member_messages()[0] if message.members else message
    return {
        "version": "1",
        "source": "flowdoctor",
        "dedup_key": dedup_key,
        "status": message.state,
        "title": message.title,
        "what": message.what,
        "why": message.why,
        "recommendation": message.recommendation,
        "link": message.link,
        "group_labels": message.labels if message.members else {},
        "alert": _webhook_alert(lead),
        "alerts": [_webhook_alert(m) for m in message.member_messages()],
    }


def _webhook_alert(message: Message) -> dict[str, Any]:
    return {
        "fingerprint": message.fingerprint,
        "name": message.alert_name,
        "status": message.state,
        "severity": message.severity,
        "rule_id": message.rule_id,
        "workflow_id": message.workflow_id,
        "value": message.value,
        "labels": message.labels,
        "annotations": message.annotations,
        "starts_at": message.starts_at,
        "ends_at": message.ends_at,
    }


def alertmanager_v4(message: Message, *, receiver: str, group_key: str) -> dict[str, Any]:
    """The Alertmanager webhook document, version 4, holding this alert or a group's alerts."""
    alerts = [_am_alert(m) for m in message.member_messages()]
    common = dict(alerts[0]["labels"])
    for alert in alerts[1:]:
        common = {k: v for k, v in common.items() if alert["labels"].get(k) == v}
    annotations = [a["annotations"] for a in alerts]
    shared = {k: v for k, v in annotations[0].items() if all(x.get(k) == v for x in annotations)}
    grouped = dict(message.labels) if message.members else {"alertname": message.alert_name}
    return {
        "version": "4",
        "groupKey": f'{{}}:{{fingerprint="{message.fingerprint}",key="{group_key}"}}',
        "truncatedAlerts": 0,
        "status": "resolved" if message.resolved else "firing",
        "receiver": receiver,
        "groupLabels": grouped,
        "commonLabels": common,
        "commonAnnotations": shared,
        "externalURL": message.dashboard_url or "",
        "alerts": alerts,
    }


def _am_alert(message: Message) -> dict[str, Any]:
    labels = {"alertname": message.alert_name, "severity": message.severity, **message.labels}
    if message.workflow_id:
        labels.setdefault("workflow_id", message.workflow_id)
    return {
        "status": "resolved" if message.resolved else "firing",
        "labels": labels,
        "annotations": dict(message.annotations),
        "startsAt": message.starts_at,
        "endsAt": message.ends_at or ZERO_TIME,
        "generatorURL": message.link or "",
        "fingerprint": message.fingerprint,
    }
