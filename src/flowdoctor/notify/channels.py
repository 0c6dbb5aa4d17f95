"""Channels, configured by URL, and what each URL means.

::

    slack://T000/B000/XXXX                   Slack incoming webhook (hooks.slack.com)
    https://hooks.slack.com/services/...     the same, as Slack hands it out
    msteams://host/path, https://*.webhook.office.com/...   Teams (MessageCard;
        ?format=adaptive, the default on Power Automate hosts, sends an Adaptive Card)
    discord://<webhook_id>/<token>, https://discord.com/api/webhooks/...
    pagerduty://<routing_key>[?events_url=http://...]        Events API v2
    mailto:ops@example.com[,..][?from=..&host=..&port=..&starttls=true]
    smtp[s]://user:pass@host:port/?from=..&to=..[&starttls=true]
    json+http(s)://..., webhook+http(s)://...                generic JSON webhook
    alertmanager+http(s)://...                               Alertmanager v4 webhook payload

``slack+http(s)://``, ``msteams+http(s)://`` and ``discord+http(s)://`` post a service's format to
any URL (a proxy, or a test receiver). URLs carry tokens and passwords: only ``redacted_url`` is
ever shown or logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from flowdoctor.domain.notifications import Channel
from flowdoctor.errors import InputError

__all__ = [
    "Channel",
    "ChannelKind",
    "EmailTarget",
    "HttpTarget",
    "PagerDutyTarget",
    "Target",
    "parse_channel_url",
    "redacted_url",
]

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SLACK_HOOKS = "https://hooks.slack.com/services/"
DISCORD_HOOKS = "https://discord.com/api/webhooks/"
_SAFE_QUERY_KEYS = frozenset({"from", "to", "starttls", "format", "host", "port"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class ChannelKind(StrEnum):
    """The service a channel speaks to, which fixes the payload shape."""

    SLACK = "slack"
    MSTEAMS = "msteams"
    DISCORD = "discord"
    PAGERDUTY = "pagerduty"
    EMAIL = "email"
    WEBHOOK = "webhook"
    ALERTMANAGER = "alertmanager"


@dataclass(frozen=True, slots=True)
class HttpTarget:
    """A JSON ``POST`` to ``url`` in ``kind``'s format (``adaptive``: Teams Adaptive Card)."""

    kind: ChannelKind
    url: str
    adaptive: bool = False

    def __repr__(self) -> str:
        return f"HttpTarget(kind={self.kind.value!r}, url='<redacted>')"


@dataclass(frozen=True, slots=True)
class PagerDutyTarget:
    """A PagerDuty Events API v2 integration."""

    routing_key: str
    events_url: str = PAGERDUTY_EVENTS_URL
    kind: ChannelKind = ChannelKind.PAGERDUTY

    def __repr__(self) -> str:
        return "PagerDutyTarget(routing_key='<redacted>')"


@dataclass(frozen=True, slots=True)
class EmailTarget:
    """Mail over SMTP; ``ssl`` is implicit TLS (``smtps://``), ``starttls`` upgrades in-band."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    kind: ChannelKind = ChannelKind.EMAIL

    def __repr__(self) -> str:
        return f"EmailTarget(host={self.host!r}, port={self.port}, password='<redacted>')"


Target = HttpTarget | PagerDutyTarget | EmailTarget


def parse_channel_url(url: str) -> Target:
    """What a channel URL means; ``InputError`` (``field="url"``) naming what is wrong.

    >>> parse_channel_url("pagerduty://R0UT1NGKEY").kind.value
    'pagerduty'
    """
    text = url.strip()
    if not text:
        raise InputError("the channel URL is empty", field="url")
    if any(c in text for c in "\r\n\t "):
        raise InputError("the channel URL contains whitespace", field="url")
    try:
        return _parse(text)
    except InputError:
        raise
    except ValueError:  # urllib's: a bad IPv6 bracket, a port, a host invalid under NFKC
        # Not its message: that may quote the URL, and the URL may hold a password.
        raise InputError("the channel URL is not a valid URL", field="url") from None


def _parse(text: str) -> Target:
    scheme = text.partition(":")[0].lower()
    if scheme == "mailto":
        return _mailto(text)
    parts = urlsplit(text)
    base, _, transport = scheme.partition("+")
    if transport:
        return _explicit(base, transport, parts)
    if scheme in ("http", "https"):
        return _known_host(parts)
    if scheme in ("smtp", "smtps"):
        return _smtp(parts)
    if scheme == "pagerduty":
        return _pagerduty(parts)
    if scheme in ("slack", "discord", "msteams"):
        return _shorthand(ChannelKind(scheme), parts)
    raise InputError(f"unknown channel URL scheme {scheme!r}; {_KNOWN}", field="url")


_KNOWN = (
    "known: slack://, msteams://, discord://, pagerduty://, mailto:, smtp://, smtps://, "
    "json+http(s)://, webhook+http(s)://, alertmanager+http(s)://, or a Slack, Teams or "
    "Discord https webhook URL"
)
_EXPLICIT = {
    "json": ChannelKind.WEBHOOK,
    "webhook": ChannelKind.WEBHOOK,
    "alertmanager": ChannelKind.ALERTMANAGER,
    "slack": ChannelKind.SLACK,
    "msteams": ChannelKind.MSTEAMS,
    "discord": ChannelKind.DISCORD,
}


def _explicit(base: str, transport: str, split: SplitResult) -> HttpTarget:
    kind = _EXPLICIT.get(base)
    if kind is None or transport not in ("http", "https"):
        raise InputError(f"unknown channel URL scheme {base}+{transport!r}; {_KNOWN}", field="url")
    if not split.hostname:
        raise InputError("the webhook URL has no host", field="url")
    query, adaptive = split.query, False
    if kind is ChannelKind.MSTEAMS:
        query, adaptive = _teams_format(split.query, default=False)
    target = urlunsplit((transport, split.netloc, split.path or "/", query, ""))
    return HttpTarget(kind, target, adaptive=adaptive)


def _known_host(split: SplitResult) -> HttpTarget:
    host = (split.hostname or "").lower()
    if split.scheme != "https":
        raise InputError(
            "a plain http URL needs its format named, e.g. json+http:// or slack+http://",
            field="url",
        )
    if host == "hooks.slack.com":
        return HttpTarget(ChannelKind.SLACK, urlunsplit(split))
    if host in ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"):
        if not split.path.startswith("/api/webhooks/"):
            raise InputError("a Discord webhook URL has /api/webhooks/ in its path", field="url")
        return HttpTarget(ChannelKind.DISCORD, urlunsplit(split))
    if _is_teams_host(host):
        default = not (host.endswith(".webhook.office.com") or host == "outlook.office.com")
        query, adaptive = _teams_format(split.query, default=default)
        url = urlunsplit((split.scheme, split.netloc, split.path, query, ""))
        return HttpTarget(ChannelKind.MSTEAMS, url, adaptive=adaptive)
    raise InputError(
        f"{host or 'the URL'} is not a known Slack, Teams or Discord webhook host; "
        "use json+https:// for a generic JSON webhook",
        field="url",
    )


def _is_teams_host(host: str) -> bool:
    suffixes = (".webhook.office.com", ".logic.azure.com", ".powerplatform.com")
    return host == "outlook.office.com" or host.endswith(suffixes)


def _teams_format(query: str, *, default: bool) -> tuple[str, bool]:
    """Take flowdoctor's own ``format`` parameter out of a query; the rest is the service's."""
    pairs = parse_qsl(query, keep_blank_values=True)
    formats = [v.lower() for k, v in pairs if k == "format"]
    rest = urlencode([(k, v) for k, v in pairs if k != "format"])
    if not formats:
        return rest, default
    if formats[-1] not in ("adaptive", "messagecard"):
        raise InputError("format must be adaptive or messagecard", field="url")
    return rest, formats[-1] == "adaptive"


def _shorthand(kind: ChannelKind, split: SplitResult) -> HttpTarget:
    tokens = [p for p in (split.netloc + split.path).split("/") if p]
    if kind is ChannelKind.MSTEAMS or "." in split.netloc:
        if "." not in split.netloc:
            raise InputError("msteams:// needs the webhook host and path", field="url")
        query, adaptive = _teams_format(split.query, default=kind is ChannelKind.MSTEAMS)
        url = urlunsplit(("https", split.netloc, split.path, query, ""))
        if kind is ChannelKind.MSTEAMS:
            return HttpTarget(kind, url, adaptive=adaptive and _is_teams_adaptive(split.netloc))
        return HttpTarget(kind, url)
    if kind is ChannelKind.SLACK:
        if len(tokens) != 3:
            raise InputError("slack:// needs three tokens: slack://T000/B000/XXXX", field="url")
        return HttpTarget(kind, SLACK_HOOKS + "/".join(tokens))
    if len(tokens) != 2:
        raise InputError("discord:// needs discord://<webhook_id>/<token>", field="url")
    return HttpTarget(kind, DISCORD_HOOKS + "/".join(tokens))


def _is_teams_adaptive(netloc: str) -> bool:
    host = netloc.rsplit("@", 1)[-1].split(":")[0].lower()
    return not (host.endswith(".webhook.office.com") or host == "outlook.office.com")


def _pagerduty(split: SplitResult) -> PagerDutyTarget:
    key = unquote(split.netloc)
    if not key or split.path not in ("", "/"):
        raise InputError("pagerduty:// needs the routing key: pagerduty://<key>", field="url")
    query = dict(parse_qsl(split.query))
    events_url = query.get("events_url", PAGERDUTY_EVENTS_URL)
    if urlsplit(events_url).scheme not in ("http", "https") or not urlsplit(events_url).hostname:
        raise InputError("events_url must be an http(s) URL", field="url")
    return PagerDutyTarget(routing_key=key, events_url=events_url)


def _smtp(split: SplitResult) -> EmailTarget:
    if not split.hostname:
        raise InputError("the SMTP URL has no host: smtp://user:pass@host:port/", field="url")
    query = dict(parse_qsl(split.query))
    ssl = split.scheme == "smtps"
    try:
        port = split.port or (465 if ssl else 25)
    except ValueError:
        raise InputError("the SMTP port is not a number from 1 to 65535", field="url") from None
    return EmailTarget(
        host=split.hostname,
        port=port,
        sender=_address(query.get("from", "flowdoctor@localhost"), "from"),
        recipients=_addresses(query.get("to", "")),
        username=unquote(split.username) if split.username else None,
        password=unquote(split.password) if split.password else None,
        starttls=_flag(query.get("starttls", "false")),
        ssl=ssl,
    )


def _mailto(text: str) -> EmailTarget:
    to, _, query_text = text[len("mailto:") :].partition("?")
    query = dict(parse_qsl(query_text))
    port_text = query.get("port", "25")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError("the SMTP port is not a number from 1 to 65535", field="url")
    return EmailTarget(
        host=query.get("host", "localhost"),
        port=int(port_text),
        sender=_address(query.get("from", "flowdoctor@localhost"), "from"),
        recipients=_addresses(unquote(to)),
        starttls=_flag(query.get("starttls", "false")),
    )


def _addresses(text: str) -> tuple[str, ...]:
    found = tuple(_address(a.strip(), "to") for a in text.split(",") if a.strip())
    if not found:
        raise InputError("the email channel names no recipient (to=...)", field="url")
    return found


def _address(text: str, role: str) -> str:
    local, at, domain = text.partition("@")
    if not (local and at and domain) or any(c in text for c in "<>\r\n,;"):
        raise InputError(f"{role} address {text!r} is not an email address", field="url")
    return text


def _flag(text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise InputError(f"starttls must be true or false, not {text!r}", field="url")


def redacted_url(url: str) -> str:
    """The URL with every token, key and password replaced by ``***``: safe to show and log.

    Scheme, host, port, user name and the harmless parameters (from, to, starttls, format,
    host, port) stay, so people can tell their channels apart.

    >>> redacted_url("smtp://ops:hunter2@mail.example.com:587/?to=a@example.com&starttls=1")
    'smtp://ops:***@mail.example.com:587/?to=a@example.com&starttls=1'
    >>> redacted_url("slack://T000/B000/XXXX")
    'slack://***'
    """
    text = url.strip()
    scheme = text.partition(":")[0].lower()
    try:
        if scheme == "mailto":
            to, _, query = text.partition("?")
            return to + (f"?{_safe_query(query)}" if query else "")
        split = urlsplit(text)
        host = split.hostname or ""
        token_host = scheme in ("pagerduty", "slack", "discord") and "." not in host
        if token_host:
            return f"{scheme}://***" + (f"?{_safe_query(split.query)}" if split.query else "")
        netloc = host + (f":{split.port}" if split.port else "")
        if split.username:
            netloc = f"{split.username}{':***' if split.password else ''}@{netloc}"
        path = "/***" if split.path.strip("/") else split.path
        return urlunsplit((split.scheme, netloc, path, _safe_query(split.query), ""))
    except ValueError:
        return f"{scheme}://***" if scheme.isalnum() else "***"


def _safe_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, v if k in _SAFE_QUERY_KEYS else "***") for k, v in pairs], safe="*@,/:")
