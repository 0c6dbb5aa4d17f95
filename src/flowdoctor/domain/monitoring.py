"""Monitoring: alert rules, the alerts they raise, silences. Plain data; the lifecycle tables
live in ``flowdoctor.monitor``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from flowdoctor.domain.enums import Severity


class Condition(StrEnum):
    """How a rule compares a metric with its threshold."""

    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    GREATER_OR_EQUAL = "greater_or_equal"
    LESS_OR_EQUAL = "less_or_equal"
    EQUAL = "equal"
    NOT_EQUAL = "not_equal"
    RATE_OF_CHANGE = "rate_of_change"
    """The relative change against the previous window exceeds ``threshold`` (0.5 = +/-50 %)."""
    ANOMALY = "anomaly"
    """A streaming detector's score, in [0, 1], reaches ``threshold``."""
    ABSENT = "absent"
    """No data (no run, no sample) for ``threshold`` minutes: the silent failure."""


class AlertState(StrEnum):
    """Where an alert stands. ``pending`` waits out the rule's ``for`` duration."""

    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


class AlertSource(StrEnum):
    """Who raised the alert: flowdoctor's evaluator or an Alertmanager webhook."""

    FLOWDOCTOR = "flowdoctor"
    ALERTMANAGER = "alertmanager"


@dataclass(frozen=True, slots=True)
class Matcher:
    """A label matcher: ``name`` equals (or, with ``negate``, differs from) ``value``."""

    name: str
    value: str
    negate: bool = False

    def __str__(self) -> str:
        """``team=crm`` or ``env!=test``: how matchers are written in rules and silences."""
        return f"{self.name}{'!=' if self.negate else '='}{self.value}"

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether ``labels`` satisfy the matcher (a missing label is the empty string)."""
        return (labels.get(self.name, "") == self.value) != self.negate


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A monitoring rule; the first six fields are the seed's ``MonitoringRule``.

    ``workflow_id`` selects one workflow; ``None`` with ``matchers`` selects the workflows whose
    labels match, and ``None`` without matchers every workflow.
    """

    workflow_id: str | None
    metric_name: str
    condition: Condition
    threshold: float
    alert_type: str
    severity: Severity
    rule_id: str = ""
    name: str = ""
    matchers: tuple[Matcher, ...] = ()
    for_duration: timedelta = timedelta(0)
    window: timedelta = timedelta(minutes=15)
    """The sliding window a derived metric is computed over."""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    runbook_url: str | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert, known by its ``fingerprint`` (rule and labels): raised once, updated after."""

    fingerprint: str
    rule_id: str | None
    workflow_id: str | None
    state: AlertState
    severity: Severity
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float | None
    started_at: datetime
    """When the condition first held (the start of ``pending``)."""
    updated_at: datetime
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    acknowledgement_note: str | None = None
    source: AlertSource = AlertSource.FLOWDOCTOR


@dataclass(frozen=True, slots=True)
class AlertTransition:
    """One line of an alert's history: a state change, an acknowledgement, a silencing."""

    fingerprint: str
    at: datetime
    kind: str
    detail: dict[str, object]


@dataclass(frozen=True, slots=True)
class Silence:
    """Mutes the notifications of matching alerts between ``starts_at`` and ``ends_at``."""

    silence_id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str

    def active(self, at: datetime) -> bool:
        """Whether the silence is in force at ``at``."""
        return self.starts_at <= at < self.ends_at

    def mutes(self, labels: dict[str, str], at: datetime) -> bool:
        """Whether it silences an alert with ``labels`` at ``at``."""
        return self.active(at) and all(m.matches(labels) for m in self.matchers)
