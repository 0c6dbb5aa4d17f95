"""Rules through the library and the API: create, update, list, delete, provision from YAML, and
backtest ("what would this rule have fired over the last N days")."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flowdoctor.clock import Clock
from flowdoctor.domain import Alert, AlertRule, AlertState
from flowdoctor.errors import InputError, NotFoundError
from flowdoctor.monitor.alert_lifecycle import next_state, transition
from flowdoctor.monitor.conditions import condition_holds
from flowdoctor.monitor.evaluator import EvaluationContext, lookback
from flowdoctor.monitor.rule_config import rule_from_mapping, rule_to_mapping, rules_from_yaml
from flowdoctor.store import Database

MAX_BACKTEST_DAYS = 31
MAX_BACKTEST_STEPS = 5000


@dataclass(frozen=True, slots=True)
class BacktestFiring:
    """One episode the rule would have fired for one scope."""

    labels: dict[str, str]
    fired_at: datetime
    resolved_at: datetime | None
    peak_value: float | None


class RuleService:
    """CRUD of alert rules, provisioning and backtests."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(self, data: Mapping[str, Any] | AlertRule) -> AlertRule:
        """Store a new rule (an id is made when none is given); returns it."""
        rule = data if isinstance(data, AlertRule) else rule_from_mapping(data)
        rule = replace(rule, rule_id=rule.rule_id or uuid.uuid4().hex)
        rule = rule_from_mapping(rule_to_mapping(rule))  # the same checks for both inputs
        with self._db.transaction() as store:
            if store.rules.get(rule.rule_id) is not None:
                raise InputError(f"rule {rule.rule_id!r} exists already", field="rule_id")
            store.rules.put(rule.rule_id, rule_to_mapping(rule), now=self._clock.now())
        return rule

    def update(self, rule_id: str, data: Mapping[str, Any]) -> AlertRule:
        """Replace a rule's definition."""
        rule = replace(rule_from_mapping(data), rule_id=rule_id)
        with self._db.transaction() as store:
            if store.rules.get(rule_id) is None:
                raise NotFoundError("rule", rule_id)
            store.rules.put(rule_id, rule_to_mapping(rule), now=self._clock.now())
        return rule

    def get(self, rule_id: str) -> AlertRule:
        """One rule; ``NotFoundError`` if unknown."""
        with self._db.transaction() as store:
            found = store.rules.get(rule_id)
        if found is None:
            raise NotFoundError("rule", rule_id)
        return rule_from_mapping(found)

    def list(self) -> builtins.list[AlertRule]:
        """Every rule."""
        with self._db.transaction() as store:
            return [rule_from_mapping(d) for d in store.rules.list()]

    def delete(self, rule_id: str) -> None:
        """Delete a rule (its alerts and their history stay)."""
        with self._db.transaction() as store:
            if not store.rules.delete(rule_id):
                raise NotFoundError("rule", rule_id)

    def provision(self, yaml_text: str) -> builtins.list[AlertRule]:
        """Create or replace the rules of a provisioning file, all or none.

        A rule without ``rule_id`` gets ``name`` as its id, so provisioning the same file again
        updates the rules instead of doubling them.
        """
        rules = rules_from_yaml(yaml_text)
        stored = []
        with self._db.transaction() as store:
            for index, rule in enumerate(rules):
                rule_id = rule.rule_id or rule.name
                if not rule_id:
                    raise InputError("a provisioned rule needs a name", field=f"rules[{index}]")
                rule = replace(rule, rule_id=rule_id[:64])
                store.rules.put(rule.rule_id, rule_to_mapping(rule), now=self._clock.now())
                stored.append(rule)
        return stored

    def backtest(
        self, rule: AlertRule, *, days: float, step: timedelta | None = None
    ) -> builtins.list[BacktestFiring]:
        """The episodes ``rule`` would have fired over the last ``days``, from stored runs and
        samples, judged every ``step`` (default: the rule's window, at least a minute)."""
        if not 0 < days <= MAX_BACKTEST_DAYS:
            raise InputError(f"days must be in (0, {MAX_BACKTEST_DAYS}]", field="days")
        step = step or max(rule.window, timedelta(minutes=1))
        span = timedelta(days=days)
        if span / step > MAX_BACKTEST_STEPS:
            raise InputError(
                f"more than {MAX_BACKTEST_STEPS} steps: use a longer step", field="step"
            )
        now = self._clock.now()
        start = now - span
        with self._db.transaction() as store:
            base = EvaluationContext.read(store, [replace(rule, window=rule.window + span)], now)
        return _replay(rule, base, start, now, step)


def _replay(
    rule: AlertRule, base: EvaluationContext, start: datetime, end: datetime, step: timedelta
) -> list[BacktestFiring]:
    """Step the lifecycle table the evaluator uses, on alerts kept in memory."""
    alerts: dict[tuple[tuple[str, str], ...], Alert] = {}
    peaks: dict[tuple[tuple[str, str], ...], float | None] = {}
    episodes: list[BacktestFiring] = []
    at = start + lookback(rule)
    while at <= end:
        context = EvaluationContext(at, base.runs, base.samples, base.last_seen)
        for scope in context.scopes(rule):
            key = tuple(sorted(scope.labels.items()))
            holds, value = condition_holds(rule, context.observe(rule, scope))
            current = alerts.get(key)
            target = next_state(current, holds, at, rule.for_duration)
            if target is not None:
                alerts[key] = transition(
                    current, target, rule=rule, labels=dict(key), value=value, now=at
                )
            state = alerts[key].state if key in alerts else None
            if state is AlertState.FIRING and value is not None:
                peak = peaks.get(key)
                peaks[key] = value if peak is None else max(peak, value)
            elif target is AlertState.RESOLVED and current is not None and current.fired_at:
                episodes.append(
                    BacktestFiring(dict(key), current.fired_at, at, peaks.pop(key, None))
                )
        at += step
    episodes += [
        BacktestFiring(dict(key), alert.fired_at, None, peaks.get(key))
        for key, alert in alerts.items()
        if alert.state is AlertState.FIRING and alert.fired_at is not None
    ]
    return sorted(episodes, key=lambda e: (e.fired_at, sorted(e.labels.items())))
