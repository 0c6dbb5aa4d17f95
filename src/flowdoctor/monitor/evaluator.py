"""The rule evaluator: one pass over every enabled rule, moving alerts through their lifecycle.

A pass reads the runs and samples of the longest rule window (twice, for rate-of-change rules)
in one query each, derives the metrics of every scope (``analyze.derived_metrics``), judges each
rule's condition per selected scope, and writes each alert move with its transition in the same
transaction. Only one process evaluates at a time: the pass holds the ``evaluator`` lease
(a row with an expiry, renewed every pass), and another process takes over once a dead holder's
lease runs out.

Which scopes a rule looks at: its ``workflow_id`` (or every workflow); with a matcher on
``step`` or ``platform`` the per-step or per-platform scopes, else the workflow as a whole;
every matcher must match the scope's labels.
"""

from __future__ import annotations

import math
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flowdoctor.analyze.derived_metrics import DERIVED_METRICS, Scope, derive_metrics
from flowdoctor.analyze.detectors import SeasonalZScore
from flowdoctor.clock import Clock
from flowdoctor.domain import Alert, AlertRule, AlertState, AlertTransition, Condition, RunEvent
from flowdoctor.monitor.alert_lifecycle import fingerprint, next_state, transition
from flowdoctor.monitor.conditions import Observation, condition_holds
from flowdoctor.monitor.prometheus import Instruments
from flowdoctor.monitor.rule_config import rule_from_mapping
from flowdoctor.store import Database, Store

LEASE = "evaluator"
ANOMALY_HISTORY = 12
"""Earlier windows an anomaly rule's detector learns from before scoring the current one."""


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """What one pass did."""

    evaluated: bool
    """False when another process holds the lease."""
    rules: int = 0
    checks: int = 0
    moves: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class Evaluator:
    """Evaluates the rules; ``evaluate_once`` is one pass, ``holder`` names this process."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        holder: str | None = None,
        lease_for: timedelta = timedelta(seconds=60),
        on_transition: Callable[[Store, AlertTransition], None] | None = None,
        instruments: Instruments | None = None,
        on_pass: Callable[[Store, list[Alert], datetime], object] | None = None,
    ) -> None:
        """``on_transition`` hears every alert move and ``on_pass`` gets the open alerts at the
        end of each pass, both inside the pass's transaction (notifications use them)."""
        self._db = db
        self._clock = clock
        # host and pid first: whoever reads the lease row can tell which process evaluates
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lease_for = lease_for
        self._on_transition = on_transition
        self._instruments = instruments or Instruments()
        self._on_pass = on_pass

    def evaluate_once(self) -> EvaluationReport:
        """One pass over the enabled rules (nothing when another process holds the lease)."""
        started = time.perf_counter()
        now = self._clock.now()
        with self._db.transaction() as store:
            if not store.leases.acquire(LEASE, self.holder, now=now, until=now + self._lease_for):
                return EvaluationReport(evaluated=False)
            rules = [rule_from_mapping(d) for d in store.rules.list(enabled_only=True)]
            moves: dict[str, int] = defaultdict(int)
            checks = 0
            if rules:
                context = EvaluationContext.read(store, rules, now)
                # Only open alerts can move without their condition holding: read them all at
                # once instead of one query per rule and scope.
                open_alerts = {
                    a.fingerprint: a
                    for a in store.alerts.list(
                        states=[AlertState.PENDING, AlertState.FIRING], limit=None
                    )
                }
                for rule in rules:
                    for scope in context.scopes(rule):
                        checks += 1
                        moved = self._judge(store, rule, scope, context, now, open_alerts)
                        if moved is not None:
                            moves[moved.value] += 1
                if self._on_pass is not None:
                    self._on_pass(store, list(open_alerts.values()), now)
        seconds = time.perf_counter() - started
        self._instruments.observe_evaluation(len(rules), seconds)
        return EvaluationReport(True, len(rules), checks, dict(moves), seconds)

    def release(self) -> None:
        """Give the lease up (on shutdown), so another process need not wait for it to expire."""
        with self._db.transaction() as store:
            store.leases.release(LEASE, self.holder)

    def _judge(
        self,
        store: Store,
        rule: AlertRule,
        scope: Scope,
        context: EvaluationContext,
        now: datetime,
        open_alerts: dict[str, Alert],
    ) -> AlertState | None:
        labels = {**scope.labels, **rule.labels, "alertname": rule.name or rule.alert_type}
        labels["severity"] = rule.severity.value
        holds, value = condition_holds(rule, context.observe(rule, scope))
        if value is not None and not math.isfinite(value):
            value = None  # a rise from zero is an infinite relative change; JSON has no infinity
        # A resolved alert of the same fingerprint starts a new episode, as a new one would.
        current = open_alerts.get(fingerprint(rule.rule_id, labels))
        target = next_state(current, holds, now, rule.for_duration)
        if target is None:
            return None
        alert = transition(current, target, rule=rule, labels=labels, value=value, now=now)
        store.alerts.save(alert)
        open_alerts[alert.fingerprint] = alert
        moved = AlertTransition(
            alert.fingerprint,
            now,
            f"state_{target.value}",
            {"from": current.state.value if current else None, "value": value},
        )
        store.alerts.add_transition(moved)
        if self._on_transition is not None:
            self._on_transition(store, moved)
        return target


@dataclass(slots=True)
class EvaluationContext:
    """Everything a pass reads, read once; ``now`` may be moved back for a backtest."""

    now: datetime
    runs: list[RunEvent]
    samples: dict[tuple[str, str], list[tuple[datetime, float]]]
    last_seen: dict[str, datetime]
    _derived: dict[tuple[timedelta, int], dict[Scope, dict[str, float]]] = field(
        default_factory=dict
    )
    _scopes: dict[tuple[timedelta, bool], dict[str | None, list[Scope]]] = field(
        default_factory=dict
    )

    @classmethod
    def read(cls, store: Store, rules: Sequence[AlertRule], now: datetime) -> EvaluationContext:
        reach = max(lookback(rule) for rule in rules)
        runs = store.runs.list(since=now - reach, until=now + timedelta(seconds=1))
        samples: dict[tuple[str, str], list[tuple[datetime, float]]] = defaultdict(list)
        for s in store.metrics.list(workflow_id=None, since=now - reach):
            samples[(s.workflow_id, s.name)].append((s.timestamp, s.value))
        last_seen = store.runs.last_run_times()
        for (workflow, _), points in samples.items():
            newest = max(at for at, _ in points)
            last_seen[workflow] = max(last_seen.get(workflow, newest), newest)
        return cls(now, runs, samples, last_seen)

    def derived(self, window: timedelta, back: int) -> dict[Scope, dict[str, float]]:
        """Derived metrics of the window ending ``back`` windows before now (cached)."""
        key = (window, back)
        if key not in self._derived:
            self._derived[key] = derive_metrics(
                self.runs, now=self.now - window * back, window=window
            )
        return self._derived[key]

    def scopes(self, rule: AlertRule) -> list[Scope]:
        """The scopes ``rule`` judges (see the module docstring)."""
        wants = {m.name for m in rule.matchers}
        candidates = self._known(rule).get(rule.workflow_id) if rule.workflow_id else None
        if rule.workflow_id is None:
            candidates = [s for group in self._known(rule).values() for s in group]
        chosen = []
        for scope in candidates or [Scope(str(rule.workflow_id))]:
            if (scope.step is not None) != ("step" in wants):
                continue
            if (scope.platform is not None) != ("platform" in wants):
                continue
            if all(m.matches(scope.labels) for m in rule.matchers):
                chosen.append(scope)
        return sorted(chosen)

    def _known(self, rule: AlertRule) -> dict[str | None, list[Scope]]:
        """Every scope seen, by workflow (cached per window and kind of rule)."""
        key = (rule.window, rule.condition is Condition.ABSENT)
        if key not in self._scopes:
            known = set(self.derived(rule.window, 0)) | {Scope(w) for w, _ in self.samples}
            if rule.condition is Condition.ABSENT:
                known |= {Scope(w) for w in self.last_seen}
            grouped: dict[str | None, list[Scope]] = defaultdict(list)
            for scope in known:
                grouped[scope.workflow_id].append(scope)
            self._scopes[key] = grouped
        return self._scopes[key]

    def value(self, rule: AlertRule, scope: Scope, back: int = 0) -> float | None:
        if rule.metric_name in DERIVED_METRICS:
            return self.derived(rule.window, back).get(scope, {}).get(rule.metric_name)
        end = self.now - rule.window * back
        points = [
            v
            for at, v in self.samples.get((scope.workflow_id, rule.metric_name), [])
            if end - rule.window <= at <= end
        ]
        return sum(points) / len(points) if points else None

    def observe(self, rule: AlertRule, scope: Scope) -> Observation:
        if rule.condition is Condition.ABSENT:
            seen = self.last_seen.get(scope.workflow_id)
            return Observation(
                seconds_since_data=None if seen is None else (self.now - seen).total_seconds()
            )
        current = self.value(rule, scope)
        if rule.condition is Condition.RATE_OF_CHANGE:
            return Observation(value=current, previous=self.value(rule, scope, back=1))
        if rule.condition is Condition.ANOMALY:
            return Observation(value=current, anomaly_score=self._anomaly(rule, scope, current))
        return Observation(value=current)

    def _anomaly(self, rule: AlertRule, scope: Scope, current: float | None) -> float | None:
        """A detector learns the ``ANOMALY_HISTORY`` windows before this one, then scores it."""
        if current is None:
            return None
        detector = SeasonalZScore(warmup=ANOMALY_HISTORY // 2)
        for back in range(ANOMALY_HISTORY, 0, -1):
            past = self.value(rule, scope, back)
            if past is not None:
                detector.learn_one(past)
        return detector.score_one(current)


def lookback(rule: AlertRule) -> timedelta:
    """How much history judging ``rule`` once needs."""
    if rule.condition is Condition.ANOMALY:
        return rule.window * (ANOMALY_HISTORY + 1)
    if rule.condition is Condition.RATE_OF_CHANGE:
        return rule.window * 2
    return rule.window
