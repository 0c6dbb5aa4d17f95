"""What an evaluation pass owes each channel: firing news once per episode, reminders, resolved
news only where the firing went, nothing while silenced, and the news a silence held back once
it ends."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import replace
from datetime import datetime, timedelta

from flowdoctor.domain import Alert, AlertState, Matcher, Severity, Silence
from flowdoctor.domain.notifications import Channel
from flowdoctor.notify.news import News, episode, news_of_pass
from support.notify import T0, make_alert

OPS = Channel("ops", "ops", "json+http://127.0.0.1:9/x")
PAGER = Channel("pager", "pager", "json+http://127.0.0.1:9/y", severities=(Severity.CRITICAL,))
HOUR = timedelta(hours=1)


def owed(
    alerts: Sequence[Alert],
    *,
    stored: Set[str] = frozenset(),
    silences: Sequence[Silence] = (),
    now: datetime = T0,
    repeat: timedelta | None = 4 * HOUR,
) -> list[News]:
    return news_of_pass(
        alerts, channels=[OPS, PAGER], silences=silences, stored=stored, now=now, repeat=repeat
    )


def test_a_firing_alert_is_owed_once_per_routed_channel() -> None:
    alert = make_alert()
    (news,) = owed([alert])
    assert news.channel is OPS and news.key == episode(alert)
    assert owed([alert], stored={news.dedup_key}) == []
    assert owed([make_alert(state=AlertState.PENDING)]) == []


def test_reminders_follow_the_repeat_interval_until_acknowledged() -> None:
    alert = make_alert()
    sent = {n.dedup_key for n in owed([alert])}
    assert owed([alert], stored=sent, now=T0 + 3 * HOUR) == []
    (reminder,) = owed([alert], stored=sent, now=T0 + 9 * HOUR)
    assert reminder.key == f"{episode(alert)}#repeat2"
    acknowledged = replace(alert, acknowledged_at=T0 + HOUR)
    assert owed([acknowledged], stored=sent, now=T0 + 9 * HOUR) == []
    assert owed([alert], stored=sent, now=T0 + 9 * HOUR, repeat=None) == []


def test_resolved_news_goes_only_where_the_firing_went() -> None:
    firing = make_alert()
    resolved = make_alert(state=AlertState.RESOLVED)
    assert owed([resolved]) == []  # nobody heard it fire
    sent = {n.dedup_key for n in owed([firing])}
    (news,) = owed([resolved], stored=sent)
    assert news.alert.state is AlertState.RESOLVED and news.channel is OPS
    assert owed([resolved], stored=sent | {news.dedup_key}) == []


def test_a_silenced_alert_is_owed_once_its_silence_ends() -> None:
    alert = make_alert()
    silence = Silence("s1", (Matcher("team", "data"),), T0 - HOUR, T0 + HOUR, "deploy", "me")
    assert owed([alert], silences=[silence]) == []
    (news,) = owed([alert], silences=[silence], now=T0 + 2 * HOUR)
    assert news.key == episode(alert)  # the episode's firing news, not a reminder


def test_a_critical_alert_also_goes_to_the_critical_only_channel() -> None:
    alert = make_alert(severity=Severity.CRITICAL)
    assert sorted(n.channel.channel_id for n in owed([alert])) == ["ops", "pager"]
