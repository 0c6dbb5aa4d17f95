"""Rule parsing and validation, conditions, the alert lifecycle table and derived metrics."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.analyze.derived_metrics import Scope, derive_metrics
from flowdoctor.domain import AlertRule, AlertState, Condition, RunEvent, RunStatus, Severity
from flowdoctor.errors import InputError, InvalidTransitionError
from flowdoctor.monitor.alert_lifecycle import check, fingerprint, next_state, transition
from flowdoctor.monitor.conditions import Observation, condition_holds
from flowdoctor.monitor.rule_config import rule_from_mapping, rule_to_mapping, rules_from_yaml

T0 = datetime(2026, 11, 27, 12, tzinfo=UTC)
GOOD = {
    "name": "sf failing",
    "workflow_id": "sf",
    "metric_name": "error_rate",
    "condition": "greater_than",
    "threshold": 0.1,
    "for": "5m",
    "severity": "high",
    "labels": {"team": "crm"},
    "runbook_url": "https://wiki.example.com/sf",
}


def test_a_rule_round_trips_through_plain_data() -> None:
    rule = rule_from_mapping(GOOD)
    assert rule.for_duration == timedelta(minutes=5) and rule.alert_type == "error_rate"
    assert rule_from_mapping(rule_to_mapping(rule)) == rule


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"condition": "bigger"}, "rule.condition"),
        ({"threshold": math.nan}, "rule.threshold"),
        ({"threshold": "high"}, "rule.threshold"),
        ({"condition": "anomaly", "threshold": 3}, "rule.threshold"),
        ({"condition": "absent", "threshold": 0}, "rule.threshold"),
        ({"for": "soon"}, "rule.for"),
        ({"for": "30d"}, "rule.for"),
        ({"severity": "urgent"}, "rule.severity"),
        ({"matchers": ["team=crm"]}, "rule.matchers"),
        ({"runbook_url": "ftp://x"}, "rule.runbook_url"),
        ({"labels": {"a": 1}}, "rule.labels"),
        ({"metric_name": ""}, "rule.metric_name"),
        ({"colour": "red"}, "rule.colour"),
    ],
)
def test_bad_rules_name_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        rule_from_mapping({**GOOD, **change})
    assert info.value.field == field


def test_provisioning_file_names_the_bad_rule() -> None:
    text = "rules:\n  - {metric_name: error_rate, condition: greater_than, threshold: 0.1}\n"
    text += "  - {metric_name: error_rate, condition: greater_than, threshold: x}\n"
    with pytest.raises(InputError) as info:
        rules_from_yaml(text)
    assert info.value.field == "rules[1].threshold"
    with pytest.raises(InputError, match="YAML"):
        rules_from_yaml("rules: [")
    fleet = rules_from_yaml(
        "rules:\n  - {metric_name: run_count, condition: absent, threshold: 60,"
        " matchers: ['team!=test']}\n"
    )
    assert fleet[0].workflow_id is None and fleet[0].matchers[0].negate


def _rule(condition: Condition, threshold: float) -> AlertRule:
    return AlertRule("wf", "error_rate", condition, threshold, "t", Severity.HIGH, rule_id="r")


def test_conditions() -> None:
    assert condition_holds(_rule(Condition.LESS_OR_EQUAL, 1), Observation(value=1.0))[0]
    assert not condition_holds(_rule(Condition.NOT_EQUAL, 1), Observation(value=1.0))[0]
    rate = _rule(Condition.RATE_OF_CHANGE, 0.5)
    assert condition_holds(rate, Observation(value=3.0, previous=2.0)) == (True, 0.5)
    assert not condition_holds(rate, Observation(value=3.0))[0]
    assert condition_holds(rate, Observation(value=1.0, previous=0.0))[0]
    absent = _rule(Condition.ABSENT, 30)
    assert condition_holds(absent, Observation(seconds_since_data=None)) == (True, None)
    assert not condition_holds(absent, Observation(seconds_since_data=600))[0]
    assert condition_holds(_rule(Condition.ANOMALY, 0.5), Observation(anomaly_score=0.7))[0]


def test_lifecycle_pending_firing_resolved_and_refusals() -> None:
    rule = AlertRule(
        "wf",
        "error_rate",
        Condition.GREATER_THAN,
        0.1,
        "t",
        Severity.HIGH,
        rule_id="r",
        for_duration=timedelta(minutes=5),
    )
    labels = {"workflow_id": "wf"}
    assert next_state(None, True, T0, rule.for_duration) is AlertState.PENDING
    pending = transition(None, AlertState.PENDING, rule=rule, labels=labels, value=0.2, now=T0)
    assert pending.fingerprint == fingerprint("r", labels)
    assert next_state(pending, True, T0 + timedelta(minutes=4), rule.for_duration) is None
    later = T0 + timedelta(minutes=5)
    assert next_state(pending, True, later, rule.for_duration) is AlertState.FIRING
    firing = transition(pending, AlertState.FIRING, rule=rule, labels=labels, value=0.3, now=later)
    assert firing.fired_at == later and firing.started_at == T0
    assert next_state(firing, False, later, rule.for_duration) is AlertState.RESOLVED
    resolved = transition(
        firing, AlertState.RESOLVED, rule=rule, labels=labels, value=None, now=later
    )
    assert resolved.resolved_at == later and resolved.value == 0.3
    again = transition(resolved, AlertState.PENDING, rule=rule, labels=labels, value=0.4, now=later)
    assert again.started_at == later and again.fired_at is None
    with pytest.raises(InvalidTransitionError):
        check(AlertState.FIRING, AlertState.PENDING)
    with pytest.raises(InvalidTransitionError):
        check(None, AlertState.RESOLVED)


def test_derived_metrics_per_scope() -> None:
    runs = [
        RunEvent(
            "wf",
            str(i),
            RunStatus.FAILURE if i < 2 else RunStatus.SUCCESS,
            T0 - timedelta(minutes=i),
            step="push",
            platform="hubspot",
            duration_ms=100.0 + i,
            attempt=2 if i == 0 else 1,
            records_processed=10,
        )
        for i in range(10)
    ]
    found = derive_metrics(runs, now=T0, window=timedelta(minutes=4, seconds=30))
    whole = found[Scope("wf")]
    assert whole["run_count"] == 5 and whole["error_rate"] == 0.4 and whole["retry_rate"] == 0.2
    assert whole["records_processed"] == 50 and whole["seconds_since_last_success"] == 120
    assert found[Scope("wf", platform="hubspot")]["p50_duration_ms"] == 102.0
    assert Scope("wf", step="push").labels == {"workflow_id": "wf", "step": "push"}
    old = derive_metrics(runs, now=T0 + timedelta(hours=1), window=timedelta(minutes=5))
    assert old[Scope("wf")]["run_count"] == 0 and "error_rate" not in old[Scope("wf")]
