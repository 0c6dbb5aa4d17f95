"""What news an evaluation pass owes each channel, decided from the open alerts, the channels, the
silences and what the outbox already holds. Pure: the outbox service reads and writes.

For each alert a channel takes, and no silence mutes now:

- firing, and this episode never enqueued for the channel: its firing news. This also covers an
  alert that fired while silenced (or before the channel existed) once the silence ends;
- firing, episode already sent, nobody acknowledged it: a reminder every ``repeat`` interval
  (``#repeat1``, ``#repeat2``..., each enqueued once);
- resolved, and its firing news went to the channel: its resolved news (so nobody hears of the
  end of an alert they never heard of).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from flowdoctor.domain import Alert, AlertState, Silence
from flowdoctor.domain.notifications import Channel
from flowdoctor.notify.routing import channels_for


@dataclass(frozen=True, slots=True)
class News:
    """One notification owed: ``alert``'s current state to ``channel``, told apart by ``key``."""

    alert: Alert
    channel: Channel
    key: str

    @property
    def dedup_key(self) -> str:
        """The outbox row's unique key."""
        alert = self.alert
        return dedup_key(alert.fingerprint, alert.state.value, self.channel.channel_id, self.key)


def dedup_key(fingerprint: str, state: str, channel_id: str, group_key: str) -> str:
    """The outbox's unique key: one notification per alert, state, channel and group key.

    >>> len(dedup_key("ab12", "firing", "ops", "2026-11-27T12:00:00Z"))
    64
    """
    text = "\x1f".join((fingerprint, state, channel_id, group_key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def episode(alert: Alert) -> str:
    """The key of an alert's episode: when it (last) started firing."""
    return (alert.fired_at or alert.started_at).isoformat()


def news_of_pass(
    alerts: Iterable[Alert],
    *,
    channels: Iterable[Channel],
    silences: Iterable[Silence],
    stored: Set[str],
    now: datetime,
    repeat: timedelta | None,
) -> list[News]:
    """The news owed after a pass; ``stored`` holds the dedup keys the outbox already has."""
    channels = list(channels)
    silences = [s for s in silences if s.active(now)]
    owed: list[News] = []
    for alert in alerts:
        if alert.state not in (AlertState.FIRING, AlertState.RESOLVED):
            continue
        if any(s.mutes(alert.labels, now) for s in silences):
            continue
        key = episode(alert)
        for channel in channels_for(alert, channels):
            fired = dedup_key(alert.fingerprint, "firing", channel.channel_id, key)
            if alert.state is AlertState.RESOLVED:
                news = News(alert, channel, key)
                if fired in stored and news.dedup_key not in stored:
                    owed.append(news)
            elif fired not in stored:
                owed.append(News(alert, channel, key))
            elif (reminder := _reminder(alert, now, repeat)) is not None:
                news = News(alert, channel, f"{key}#{reminder}")
                if news.dedup_key not in stored:
                    owed.append(news)
    return owed


def _reminder(alert: Alert, now: datetime, repeat: timedelta | None) -> str | None:
    if repeat is None or alert.acknowledged_at is not None:
        return None
    due = int((now - (alert.fired_at or alert.started_at)) / repeat)
    return f"repeat{due}" if due >= 1 else None
