"""Managing channels: create, get, list, update, delete. URLs are checked on the way in and never
come back out except redacted (``describe``)."""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from typing import Any, Literal

from flowdoctor.clock import Clock
from flowdoctor.domain import Matcher, Severity
from flowdoctor.domain.notifications import Channel, Grouping, OutboxEntry
from flowdoctor.errors import InputError, NotFoundError
from flowdoctor.notify.channels import parse_channel_url, redacted_url
from flowdoctor.store import Database

MAX_NAME = 200
MAX_GROUP_BY = 20
MAX_GROUP_WAIT = timedelta(hours=1)
MAX_GROUP_INTERVAL = timedelta(days=1)
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


def describe(channel: Channel) -> dict[str, Any]:
    """A channel as shown to people and APIs: its URL redacted, its kind spelled out."""
    return {
        "channel_id": channel.channel_id,
        "name": channel.name,
        "kind": parse_channel_url(channel.url).kind.value,
        "url": redacted_url(channel.url),
        "severities": [s.value for s in channel.severities],
        "matchers": [
            {"name": m.name, "value": m.value, "negate": m.negate} for m in channel.matchers
        ],
        "enabled": channel.enabled,
        "grouping": None if channel.grouping is None else channel.grouping.as_dict(),
    }


def describe_notification(entry: OutboxEntry) -> dict[str, Any]:
    """An outbox row as shown by the CLI and the API (not its payload: it may quote secrets)."""
    return {
        "id": entry.notification_id,
        "alert_fingerprint": entry.alert_fingerprint,
        "channel_id": entry.channel_id,
        "state": entry.alert_state,
        "status": entry.status.value,
        "attempts": entry.attempts,
        "group_id": entry.group_id,
        "created_at": entry.created_at,
        "next_attempt_at": entry.next_attempt_at,
        "delivered_at": entry.delivered_at,
        "last_reason": entry.last_reason,
    }


class ChannelService:
    """Channels in the database."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(
        self,
        *,
        name: str,
        url: str,
        severities: Iterable[Severity | str] = (),
        matchers: Iterable[Matcher] = (),
        enabled: bool = True,
        channel_id: str | None = None,
        grouping: Grouping | None = None,
    ) -> Channel:
        """Add a channel; ``InputError`` for a bad URL or a name already taken."""
        channel = _checked(
            Channel(
                channel_id=channel_id or uuid.uuid4().hex,
                name=name,
                url=url.strip(),
                severities=_severities(severities),
                matchers=tuple(matchers),
                enabled=enabled,
                grouping=grouping,
            )
        )
        with self._db.transaction() as store:
            repo = store.notifications
            if repo.channel_by_name(channel.name) is not None:
                raise InputError(f"a channel is already called {channel.name!r}", field="name")
            if repo.get_channel(channel.channel_id) is not None:
                raise InputError(f"channel id {channel.channel_id!r} is taken", field="channel_id")
            repo.add_channel(channel, now=self._clock.now())
        return channel

    def get(self, channel_id: str) -> Channel:
        """The channel ``channel_id``; ``NotFoundError`` if there is none."""
        with self._db.transaction() as store:
            repo = store.notifications
            channel = repo.get_channel(channel_id)
        if channel is None:
            raise NotFoundError("channel", channel_id)
        return channel

    def list(self) -> builtins.list[Channel]:
        """Every channel, by name."""
        with self._db.transaction() as store:
            repo = store.notifications
            return repo.list_channels()

    def update(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        url: str | None = None,
        severities: Iterable[Severity | str] | None = None,
        matchers: Iterable[Matcher] | None = None,
        enabled: bool | None = None,
        grouping: Grouping | Literal["unchanged"] | None = "unchanged",
    ) -> Channel:
        """Change some of a channel's settings (``None``: unchanged; for ``grouping``,
        ``None`` turns grouping off)."""
        with self._db.transaction() as store:
            repo = store.notifications
            current = repo.get_channel(channel_id)
            if current is None:
                raise NotFoundError("channel", channel_id)
            changed = _checked(
                replace(
                    current,
                    name=current.name if name is None else name,
                    url=current.url if url is None else url.strip(),
                    severities=(
                        current.severities if severities is None else _severities(severities)
                    ),
                    matchers=current.matchers if matchers is None else tuple(matchers),
                    enabled=current.enabled if enabled is None else enabled,
                    grouping=current.grouping if grouping == "unchanged" else grouping,
                )
            )
            other = repo.channel_by_name(changed.name)
            if other is not None and other.channel_id != channel_id:
                raise InputError(f"a channel is already called {changed.name!r}", field="name")
            repo.update_channel(changed, now=self._clock.now())
        return changed

    def delete(self, channel_id: str) -> None:
        """Remove a channel; its pending notifications then fail, saying so."""
        with self._db.transaction() as store:
            repo = store.notifications
            if not repo.delete_channel(channel_id):
                raise NotFoundError("channel", channel_id)


def _severities(values: Iterable[Severity | str]) -> tuple[Severity, ...]:
    try:
        return tuple(dict.fromkeys(Severity(v) for v in values))
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise InputError(f"unknown severity; known: {known}", field="severities") from None


def _checked(channel: Channel) -> Channel:
    if not channel.name.strip() or len(channel.name) > MAX_NAME:
        raise InputError(f"the name must be 1-{MAX_NAME} characters", field="name")
    if not channel.channel_id.strip() or len(channel.channel_id) > 64:
        raise InputError("channel_id must be 1-64 characters", field="channel_id")
    parse_channel_url(channel.url)  # raises InputError(field="url") naming the problem
    if channel.grouping is not None:
        _check_grouping(channel.grouping)
    return channel


def _check_grouping(grouping: Grouping) -> None:
    if len(grouping.by) > MAX_GROUP_BY:
        raise InputError(f"at most {MAX_GROUP_BY} label names", field="grouping.by")
    for index, name in enumerate(grouping.by):
        if not _LABEL_NAME.fullmatch(name):
            raise InputError(
                f"{name!r} is not a label name (letters, digits and _, not starting with a digit)",
                field=f"grouping.by[{index}]",
            )
    if len(set(grouping.by)) != len(grouping.by):
        raise InputError("a label name is listed twice", field="grouping.by")
    if not timedelta(0) <= grouping.wait <= MAX_GROUP_WAIT:
        raise InputError("the group wait must be 0 s to 1 h", field="grouping.wait_seconds")
    if not timedelta(seconds=1) <= grouping.interval <= MAX_GROUP_INTERVAL:
        raise InputError(
            "the group interval must be 1 s to 24 h", field="grouping.interval_seconds"
        )
