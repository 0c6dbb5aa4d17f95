"""Channel URLs: what each means, what is refused and why, and how they are shown (redacted)."""

from __future__ import annotations

import pytest

from flowdoctor.errors import InputError
from flowdoctor.notify.channels import (
    ChannelKind,
    EmailTarget,
    HttpTarget,
    PagerDutyTarget,
    parse_channel_url,
    redacted_url,
)


@pytest.mark.parametrize(
    ("url", "kind", "post_to"),
    [
        (
            "slack://T000/B000/XXXX",
            ChannelKind.SLACK,
            "https://hooks.slack.com/services/T000/B000/XXXX",
        ),
        (
            "https://hooks.slack.com/services/T000/B000/XXXX",
            ChannelKind.SLACK,
            "https://hooks.slack.com/services/T000/B000/XXXX",
        ),
        ("slack+http://127.0.0.1:8080/s", ChannelKind.SLACK, "http://127.0.0.1:8080/s"),
        (
            "msteams://acme.webhook.office.com/webhookb2/abc",
            ChannelKind.MSTEAMS,
            "https://acme.webhook.office.com/webhookb2/abc",
        ),
        (
            "https://prod-01.westeurope.logic.azure.com/workflows/w/triggers/manual/run?sig=S",
            ChannelKind.MSTEAMS,
            "https://prod-01.westeurope.logic.azure.com/workflows/w/triggers/manual/run?sig=S",
        ),
        ("discord://123/tok", ChannelKind.DISCORD, "https://discord.com/api/webhooks/123/tok"),
        (
            "https://discord.com/api/webhooks/123/tok",
            ChannelKind.DISCORD,
            "https://discord.com/api/webhooks/123/tok",
        ),
        ("json+https://example.com/in?x=1", ChannelKind.WEBHOOK, "https://example.com/in?x=1"),
        ("webhook+http://127.0.0.1:9/in", ChannelKind.WEBHOOK, "http://127.0.0.1:9/in"),
        ("alertmanager+http://127.0.0.1:9/am", ChannelKind.ALERTMANAGER, "http://127.0.0.1:9/am"),
    ],
)
def test_http_channel_urls(url: str, kind: ChannelKind, post_to: str) -> None:
    target = parse_channel_url(url)
    assert isinstance(target, HttpTarget)
    assert (target.kind, target.url) == (kind, post_to)


def test_teams_card_format_follows_the_host_unless_named() -> None:
    classic = parse_channel_url("https://acme.webhook.office.com/webhookb2/abc")
    workflows = parse_channel_url("https://x.logic.azure.com/workflows/w?sig=S")
    named = parse_channel_url("msteams+http://127.0.0.1:9/t?format=adaptive&keep=1")
    assert isinstance(classic, HttpTarget) and not classic.adaptive
    assert isinstance(workflows, HttpTarget) and workflows.adaptive
    assert isinstance(named, HttpTarget) and named.adaptive
    assert named.url == "http://127.0.0.1:9/t?keep=1"  # flowdoctor's parameter is taken out


def test_pagerduty_url() -> None:
    default = parse_channel_url("pagerduty://R0UT1NG")
    local = parse_channel_url("pagerduty://R0UT1NG?events_url=http://127.0.0.1:9/v2/enqueue")
    assert default == PagerDutyTarget("R0UT1NG", "https://events.pagerduty.com/v2/enqueue")
    assert isinstance(local, PagerDutyTarget)
    assert local.events_url == "http://127.0.0.1:9/v2/enqueue"


def test_email_urls() -> None:
    smtp = parse_channel_url(
        "smtp://ops:p%40ss@127.0.0.1:2525/?from=fd@example.com&to=a@example.com,b@example.com"
        "&starttls=true"
    )
    assert smtp == EmailTarget(
        host="127.0.0.1",
        port=2525,
        sender="fd@example.com",
        recipients=("a@example.com", "b@example.com"),
        username="ops",
        password="p@ss",
        starttls=True,
    )
    smtps = parse_channel_url("smtps://mail.example.com/?to=a@example.com")
    assert isinstance(smtps, EmailTarget) and (smtps.port, smtps.ssl) == (465, True)
    mailto = parse_channel_url("mailto:a@example.com?host=127.0.0.1&port=2525&from=x@example.com")
    assert isinstance(mailto, EmailTarget)
    assert (mailto.host, mailto.port, mailto.recipients) == ("127.0.0.1", 2525, ("a@example.com",))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "empty"),
        ("ftp://example.com/x", "unknown channel URL scheme 'ftp'"),
        ("foo+http://example.com/x", "unknown channel URL scheme"),
        ("json+ftp://example.com/x", "unknown channel URL scheme"),
        ("https://example.com/hook", "not a known Slack, Teams or Discord webhook host"),
        ("http://hooks.slack.com/services/a/b/c", "needs its format named"),
        ("https://discord.com/other", "/api/webhooks/"),
        ("slack://T000/B000", "three tokens"),
        ("discord://123", "discord://<webhook_id>/<token>"),
        ("msteams://nohost", "webhook host"),
        ("pagerduty://", "routing key"),
        ("pagerduty://K?events_url=ftp://x", "events_url"),
        ("smtp:///?to=a@example.com", "no host"),
        ("smtp://127.0.0.1:99999/?to=a@example.com", "port"),
        ("smtp://127.0.0.1/", "no recipient"),
        ("smtp://127.0.0.1/?to=not-an-address", "not an email address"),
        ("mailto:a@example.com?port=abc", "port"),
        ("mailto:a@example.com?starttls=maybe", "starttls"),
        ("mailto:a@example.com%0D%0ABcc:x@example.com", "not an email address"),
        ("json+http:///nohost", "no host"),
        ("json+http://127.0.0.1/ x", "whitespace"),
        ("msteams+http://127.0.0.1/t?format=html", "format must be"),
    ],
)
def test_bad_urls_are_refused_saying_what_is_wrong(url: str, says: str) -> None:
    with pytest.raises(InputError, match=says) as refused:
        parse_channel_url(url)
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("slack://T000/B000/XXXX", "slack://***"),
        ("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/***"),
        ("discord://123/tok", "discord://***"),
        ("pagerduty://R0UT1NG", "pagerduty://***"),
        ("pagerduty://R0UT1NG?events_url=http://127.0.0.1:9/v2", "pagerduty://***?events_url=***"),
        (
            "smtp://ops:hunter2@mail.example.com:587/?to=a@example.com&starttls=1",
            "smtp://ops:***@mail.example.com:587/?to=a@example.com&starttls=1",
        ),
        ("mailto:a@example.com?host=h&password=pw", "mailto:a@example.com?host=h&password=***"),
        (
            "json+https://example.com/in/SECRET?token=T&x=1",
            "json+https://example.com/***?token=***&x=***",
        ),
        ("alertmanager+http://127.0.0.1:9093/", "alertmanager+http://127.0.0.1:9093/"),
        ("https://x.logic.azure.com/w/run?sig=SIG", "https://x.logic.azure.com/***?sig=***"),
        ("smtp://u:p@[::1", "smtp://***"),
    ],
)
def test_redaction_keeps_no_secret(url: str, shown: str) -> None:
    assert redacted_url(url) == shown
    for secret in ("XXXX", "/tok", "R0UT1NG", "hunter2", "SECRET", "SIG", "=pw", "=T&"):
        assert secret not in redacted_url(url)


def test_targets_do_not_show_secrets_in_repr() -> None:
    for url in (
        "slack://T000/B000/XXXX",
        "pagerduty://R0UT1NG",
        "smtp://ops:hunter2@127.0.0.1/?to=a@example.com",
    ):
        shown = repr(parse_channel_url(url))
        assert "XXXX" not in shown and "R0UT1NG" not in shown and "hunter2" not in shown
