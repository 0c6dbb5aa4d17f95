"""Rules, evaluation, the alert lifecycle, acknowledgements, silences, the evaluator lease and
backtests, on SQLite and PostgreSQL, with a fixed clock moved by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flowdoctor.clock import FixedClock
from flowdoctor.domain import AlertState, Matcher, MetricSample, RunEvent, RunStatus
from flowdoctor.errors import InputError, InvalidTransitionError, NotFoundError
from flowdoctor.monitor.evaluator import Evaluator
from flowdoctor.runtime import Runtime

RULE = {
    "name": "sf failing",
    "workflow_id": "sf_sync",
    "metric_name": "error_rate",
    "condition": "greater_than",
    "threshold": 0.3,
    "for": "10m",
    "window": "15m",
    "severity": "high",
    "labels": {"team": "crm"},
}


def _runs(runtime: Runtime, clock: FixedClock, *, failing: bool, wf: str = "sf_sync") -> None:
    now = clock.now()
    status = RunStatus.FAILURE if failing else RunStatus.SUCCESS
    runtime.intake.add_runs(
        [
            RunEvent(
                wf,
                f"{wf}-{now.isoformat()}-{i}",
                status,
                now - timedelta(minutes=i),
                platform="salesforce",
                duration_ms=200.0,
            )
            for i in range(5)
        ]
    )


def test_pending_then_firing_then_resolved_with_history(
    runtime: Runtime, clock: FixedClock
) -> None:
    rule = runtime.rules.create(RULE)
    _runs(runtime, clock, failing=True)
    report = runtime.evaluator.evaluate_once()
    assert report.evaluated and report.moves == {"pending": 1}
    (alert,) = runtime.alerts.list()
    assert alert.state is AlertState.PENDING and alert.labels["team"] == "crm"
    clock.advance(minutes=5)
    _runs(runtime, clock, failing=True)
    assert runtime.evaluator.evaluate_once().moves == {}
    clock.advance(minutes=6)
    _runs(runtime, clock, failing=True)
    assert runtime.evaluator.evaluate_once().moves == {"firing": 1}
    # Deduplicated by fingerprint: firing again changes nothing, adds no alert.
    assert runtime.evaluator.evaluate_once().moves == {}
    assert len(runtime.alerts.list()) == 1
    acked = runtime.alerts.acknowledge(alert.fingerprint, by="ana", note="looking")
    assert acked.acknowledged_by == "ana" and acked.acknowledged_at == clock.now()
    clock.advance(minutes=20)
    _runs(runtime, clock, failing=False)
    assert runtime.evaluator.evaluate_once().moves == {"resolved": 1}
    view = runtime.alerts.get(alert.fingerprint)
    assert view.alert.state is AlertState.RESOLVED
    assert [t.kind for t in view.history] == [
        "state_pending",
        "state_firing",
        "acknowledged",
        "state_resolved",
    ]
    assert rule.rule_id and runtime.rules.get(rule.rule_id).name == "sf failing"


def test_absent_rule_catches_the_silent_failure(runtime: Runtime, clock: FixedClock) -> None:
    runtime.rules.create(
        {
            "metric_name": "run_count",
            "condition": "absent",
            "threshold": 60,
            "severity": "critical",
            "name": "silent",
        }
    )
    _runs(runtime, clock, failing=False, wf="quiet_one")
    _runs(runtime, clock, failing=False, wf="busy_one")
    assert runtime.evaluator.evaluate_once().moves == {}
    clock.advance(minutes=90)
    _runs(runtime, clock, failing=False, wf="busy_one")
    assert runtime.evaluator.evaluate_once().moves == {"firing": 1}
    (alert,) = runtime.alerts.list(states=[AlertState.FIRING])
    assert alert.workflow_id == "quiet_one" and alert.value == pytest.approx(90, abs=5)


def test_rate_of_change_and_samples(runtime: Runtime, clock: FixedClock) -> None:
    runtime.rules.create(
        {
            "workflow_id": "wf",
            "metric_name": "queue_depth",
            "condition": "rate_of_change",
            "threshold": 1.0,
            "window": "10m",
        }
    )
    now = clock.now()
    runtime.intake.add_metrics(
        [
            MetricSample("wf", "queue_depth", 10.0, now - timedelta(minutes=15)),
            MetricSample("wf", "queue_depth", 35.0, now - timedelta(minutes=2)),
        ]
    )
    assert runtime.evaluator.evaluate_once().moves == {"firing": 1}
    assert runtime.alerts.list()[0].value == pytest.approx(2.5)


def test_silences_acknowledge_and_manual_resolve(runtime: Runtime, clock: FixedClock) -> None:
    runtime.rules.create({**RULE, "for": 0})
    _runs(runtime, clock, failing=True)
    runtime.evaluator.evaluate_once()
    (alert,) = runtime.alerts.list()
    silence = runtime.alerts.silence(
        matchers=[Matcher("team", "crm")],
        ends_at=clock.now() + timedelta(hours=1),
        reason="maintenance",
        created_by="ops",
    )
    assert runtime.alerts.get(alert.fingerprint).silenced_by == [silence.silence_id]
    runtime.alerts.end_silence(silence.silence_id)
    assert runtime.alerts.get(alert.fingerprint).silenced_by == []
    with pytest.raises(InputError, match="already ended"):
        runtime.alerts.end_silence(silence.silence_id)
    with pytest.raises(InputError, match="ends_at"):
        runtime.alerts.silence(
            matchers=[Matcher("a", "b")], ends_at=clock.now(), reason="x", created_by="y"
        )
    resolved = runtime.alerts.resolve(alert.fingerprint, by="ana", note="fixed the token")
    assert resolved.state is AlertState.RESOLVED
    with pytest.raises(InvalidTransitionError):
        runtime.alerts.resolve(alert.fingerprint, by="ana")
    with pytest.raises(InputError):
        runtime.alerts.acknowledge(alert.fingerprint, by="ana")
    with pytest.raises(NotFoundError):
        runtime.alerts.get("nope")


def test_one_evaluator_at_a_time_and_takeover(runtime: Runtime, clock: FixedClock) -> None:
    runtime.rules.create(RULE)
    first = Evaluator(db=runtime.db, clock=clock, holder="a", lease_for=timedelta(seconds=30))
    second = Evaluator(db=runtime.db, clock=clock, holder="b", lease_for=timedelta(seconds=30))
    assert first.evaluate_once().evaluated
    assert not second.evaluate_once().evaluated
    clock.advance(seconds=10)
    assert first.evaluate_once().evaluated  # renews its own lease
    clock.advance(seconds=31)  # "a" died: its lease ran out
    assert second.evaluate_once().evaluated
    assert not first.evaluate_once().evaluated
    second.release()
    assert first.evaluate_once().evaluated


def test_provisioning_is_idempotent_and_backtest_finds_past_episodes(
    runtime: Runtime, clock: FixedClock
) -> None:
    text = (
        "rules:\n"
        "  - {name: sf-errors, workflow_id: sf_sync, metric_name: error_rate,"
        " condition: greater_than, threshold: 0.3, window: 15m, severity: high}\n"
    )
    assert [r.rule_id for r in runtime.rules.provision(text)] == ["sf-errors"]
    assert len(runtime.rules.provision(text)) == 1 and len(runtime.rules.list()) == 1
    now = clock.now()
    runs = []
    for minute in range(0, 6 * 60, 5):  # six hours of runs; failing from 2 h ago to 1 h ago
        at = now - timedelta(minutes=minute)
        bad = timedelta(hours=1) <= now - at < timedelta(hours=2)
        runs.append(
            RunEvent(
                "sf_sync",
                f"b{minute}",
                RunStatus.FAILURE if bad else RunStatus.SUCCESS,
                at,
                duration_ms=100.0,
            )
        )
    runtime.intake.add_runs(runs)
    rule = runtime.rules.get("sf-errors")
    episodes = runtime.rules.backtest(rule, days=0.5)
    assert len(episodes) == 1
    (episode,) = episodes
    assert episode.labels["workflow_id"] == "sf_sync" and episode.peak_value == 1.0
    assert (
        timedelta(hours=1, minutes=40) <= now - episode.fired_at <= timedelta(hours=2, minutes=15)
    )
    assert episode.resolved_at is not None
    with pytest.raises(InputError):
        runtime.rules.backtest(rule, days=90)
