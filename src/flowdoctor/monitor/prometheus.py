"""Prometheus metrics for ``/metrics``: gauges read from a ``MetricsSource`` at scrape time, and
counters and histograms the services update as they work.

Everything lives in a ``CollectorRegistry`` built per runtime, never in prometheus_client's global
default registry, and nothing is registered at import time::

    registry, instruments = build_registry(source)   # the collector reads ``source`` on scrape
    instruments.observe_ingest(IngestKind.RUNS, items=120, seconds=0.4)
    generate_latest(registry)                          # the text the /metrics route returns

The metrics, named ``flowdoctor_<noun>_<unit>[_total]``:

=========================================  =========  ==========================================
metric                                     type       labels
=========================================  =========  ==========================================
flowdoctor_workflow_health_score           gauge      workflow_id (at most max_workflow_series)
flowdoctor_workflow_health_omitted         gauge      -- workflows left out by that bound
flowdoctor_alerts                          gauge      state, severity
flowdoctor_issues                          gauge      category, severity, platform
flowdoctor_metrics_source_up               gauge      part: 1 when the source answered, else 0
flowdoctor_ingested_items_total            counter    kind (runs, logs, metrics)
flowdoctor_ingest_duration_seconds         histogram  kind
flowdoctor_rule_evaluations_total          counter    --
flowdoctor_evaluation_duration_seconds     histogram  --
flowdoctor_notifications_total             counter    outcome (delivered, retry, failed)
=========================================  =========  ==========================================

Label cardinality is bounded whatever the source returns, so one scrape stays small:

* ``workflow_id``: at most ``max_workflow_series`` values (default 1000). The workflows with the
  *lowest* health scores are kept (the ones worth a graph or an alert; ties by id), and the count
  of the rest is ``flowdoctor_workflow_health_omitted``.
* ``platform``: at most ``max_platform_series`` values (default 50). The platforms with the most
  issues are kept (ties by name); the issues of the rest are added up under ``platform="other"``,
  so sums over platforms stay right.
* ``state``, ``severity`` and ``category`` come from flowdoctor's enumerations; a value outside
  them is reported as ``"other"`` rather than opening a new series.

The bound is therefore about ``max_workflow_series + 4 x 6 + 11 x 6 x (max_platform_series + 1)``
gauge series, plus a fixed few dozen for the counters and histograms.

If the source raises, that family is left out of the scrape, ``flowdoctor_metrics_source_up`` for
its part drops to 0 and a warning is logged; the counters are still served, so a database hiccup
does not blank the whole scrape.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from flowdoctor.domain.enums import IssueCategory, Severity
from flowdoctor.domain.monitoring import AlertState

log = logging.getLogger(__name__)

DEFAULT_MAX_WORKFLOW_SERIES = 1000
"""Workflows given their own ``flowdoctor_workflow_health_score`` series."""
DEFAULT_MAX_PLATFORM_SERIES = 50
"""Platforms given their own ``platform`` label value on ``flowdoctor_issues``."""
OTHER = "other"
"""The label value standing for everything over a bound, or outside an enumeration."""
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Seconds; a large ingest batch or a full rule evaluation may take tens of seconds."""

_STATES = frozenset(AlertState)
_SEVERITIES = frozenset(Severity)
_CATEGORIES = frozenset(IssueCategory)


class IngestKind(StrEnum):
    """What an ingestion call took in: the ``kind`` label."""

    RUNS = "runs"
    LOGS = "logs"
    METRICS = "metrics"


class NotificationOutcome(StrEnum):
    """How one delivery attempt ended: the ``outcome`` label."""

    DELIVERED = "delivered"
    RETRY = "retry"
    """Failed, but worth trying again (a timeout, a 5xx, a 429)."""
    FAILED = "failed"
    """Failed for good (a 4xx, a bad address) or out of retries."""


class MetricsSource(Protocol):
    """What the scrape-time gauges read: plain data, so the collector needs no database.

    Each method is called once per scrape, from the thread serving ``/metrics``.
    """

    def health_scores(self) -> Mapping[str, float]:
        """The health score (0-100) of each workflow, by workflow id."""
        ...

    def alert_counts(self) -> Mapping[tuple[str, str], int]:
        """How many alerts there are, by ``(state, severity)``."""
        ...

    def issue_counts(self) -> Mapping[tuple[str, str, str], int]:
        """How many issues there are, by ``(category, severity, platform)``."""
        ...


@dataclass
class StaticMetricsSource:
    """A ``MetricsSource`` holding its numbers in dictionaries: for tests, demos and libraries
    that compute the numbers themselves. Assign to the fields; the next scrape reads them.

    >>> source = StaticMetricsSource(health={"wf": 87.5})
    >>> dict(source.health_scores()), dict(source.alert_counts())
    ({'wf': 87.5}, {})
    """

    health: dict[str, float] = field(default_factory=dict)
    alerts: dict[tuple[str, str], int] = field(default_factory=dict)
    issues: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def health_scores(self) -> Mapping[str, float]:
        """``health``."""
        return self.health

    def alert_counts(self) -> Mapping[tuple[str, str], int]:
        """``alerts``."""
        return self.alerts

    def issue_counts(self) -> Mapping[tuple[str, str, str], int]:
        """``issues``."""
        return self.issues


class SourceCollector(Collector):
    """The gauges of a ``MetricsSource``, read at every scrape with the label bounds applied."""

    def __init__(
        self,
        source: MetricsSource,
        *,
        max_workflow_series: int = DEFAULT_MAX_WORKFLOW_SERIES,
        max_platform_series: int = DEFAULT_MAX_PLATFORM_SERIES,
    ) -> None:
        if max_workflow_series < 0:
            raise ValueError("max_workflow_series must be >= 0")
        if max_platform_series < 0:
            raise ValueError("max_platform_series must be >= 0")
        self._source = source
        self._max_workflows = max_workflow_series
        self._max_platforms = max_platform_series

    def describe(self) -> Iterable[Metric]:
        """The families without samples: lets the registry check names without a scrape."""
        return [_health_family(), _omitted_family(), _alerts_family(), _issues_family(), _up()]

    def collect(self) -> Iterable[Metric]:
        """Read the source and yield its gauges; a failing part is left out and marked down."""
        up = _up()
        parts: tuple[tuple[str, Callable[[], list[Metric]]], ...] = (
            ("workflow_health", self._health),
            ("alerts", self._alerts),
            ("issues", self._issues),
        )
        for part, read in parts:
            try:
                families = read()
            except Exception:
                # One broken part must not take the other gauges and the counters down with it.
                log.warning("metrics source failed reading %s", part, exc_info=True)
                up.add_metric([part], 0.0)
                continue
            up.add_metric([part], 1.0)
            yield from families
        yield up

    def _health(self) -> list[Metric]:
        scores = self._source.health_scores()
        kept = heapq.nsmallest(self._max_workflows, scores.items(), key=_health_order)
        health = _health_family()
        for workflow_id, score in kept:
            health.add_metric([workflow_id], float(score))
        omitted = _omitted_family()
        omitted.add_metric([], float(len(scores) - len(kept)))
        return [health, omitted]

    def _alerts(self) -> list[Metric]:
        # Every known (state, severity) is present, at 0 when empty: alerting rules on
        # ``flowdoctor_alerts{state="firing"}`` then see a series rather than nothing at all.
        tally: Tally[tuple[str, str]] = Tally(
            {(state.value, severity.value): 0 for state in AlertState for severity in Severity}
        )
        for (state, severity), count in self._source.alert_counts().items():
            tally[_known(state, _STATES), _known(severity, _SEVERITIES)] += count
        family = _alerts_family()
        for labels, count in sorted(tally.items()):
            family.add_metric(list(labels), float(count))
        return [family]

    def _issues(self) -> list[Metric]:
        counts = self._source.issue_counts()
        kept = self._kept_platforms(counts)
        tally: Tally[tuple[str, str, str]] = Tally()
        for (category, severity, platform), count in counts.items():
            key = (
                _known(category, _CATEGORIES),
                _known(severity, _SEVERITIES),
                platform if platform in kept else OTHER,
            )
            tally[key] += count
        family = _issues_family()
        for labels, count in sorted(tally.items()):
            family.add_metric(list(labels), float(count))
        return [family]

    def _kept_platforms(self, counts: Mapping[tuple[str, str, str], int]) -> frozenset[str]:
        """The ``max_platform_series`` platforms with the most issues (ties by name)."""
        per_platform: Tally[str] = Tally()
        for (_, _, platform), count in counts.items():
            per_platform[platform] += count
        top = heapq.nsmallest(
            self._max_platforms, per_platform.items(), key=lambda item: (-item[1], item[0])
        )
        return frozenset(platform for platform, _ in top)


class Instruments:
    """The counters and histograms the services update; registered on ``registry``.

    Built without a registry it keeps its own, which nothing serves: a service given one still
    counts, and needs no ``if metrics:`` around each call.

    >>> instruments = Instruments()
    >>> instruments.observe_ingest(IngestKind.RUNS, items=3, seconds=0.02)
    >>> instruments.registry.get_sample_value(
    ...     "flowdoctor_ingested_items_total", {"kind": "runs"})
    3.0
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._ingested = Counter(
            "flowdoctor_ingested_items_total",
            "Items taken in by ingestion: runs, log lines, metric samples.",
            ["kind"],
            registry=self.registry,
        )
        self._ingest_seconds = Histogram(
            "flowdoctor_ingest_duration_seconds",
            "Time one ingestion call took.",
            ["kind"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._evaluations = Counter(
            "flowdoctor_rule_evaluations_total",
            "Alert rules evaluated.",
            registry=self.registry,
        )
        self._evaluation_seconds = Histogram(
            "flowdoctor_evaluation_duration_seconds",
            "Time one evaluation of the alert rules took.",
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._notifications = Counter(
            "flowdoctor_notifications_total",
            "Notification delivery attempts, by how they ended.",
            ["outcome"],
            registry=self.registry,
        )
        # Every label value exists from the start, so rate() sees the first increment.
        for kind in IngestKind:
            self._ingested.labels(kind=kind.value)
            self._ingest_seconds.labels(kind=kind.value)
        for outcome in NotificationOutcome:
            self._notifications.labels(outcome=outcome.value)

    def observe_ingest(self, kind: IngestKind, items: int, seconds: float) -> None:
        """One ingestion call took in ``items`` of ``kind`` in ``seconds``."""
        label = IngestKind(kind).value  # a plain "runs" works too; anything else: ValueError
        _check_amounts(items, seconds)
        self._ingested.labels(kind=label).inc(items)
        self._ingest_seconds.labels(kind=label).observe(seconds)

    def observe_evaluation(self, rules: int, seconds: float) -> None:
        """One evaluation pass over ``rules`` rules took ``seconds``."""
        _check_amounts(rules, seconds)
        self._evaluations.inc(rules)
        self._evaluation_seconds.observe(seconds)

    def count_notification(self, outcome: NotificationOutcome) -> None:
        """One delivery attempt ended with ``outcome``."""
        self._notifications.labels(outcome=NotificationOutcome(outcome).value).inc()


def build_registry(
    source: MetricsSource,
    *,
    max_workflow_series: int = DEFAULT_MAX_WORKFLOW_SERIES,
    max_platform_series: int = DEFAULT_MAX_PLATFORM_SERIES,
) -> tuple[CollectorRegistry, Instruments]:
    """A fresh registry with the source's gauges and the service instruments on it.

    >>> registry, instruments = build_registry(StaticMetricsSource(health={"wf": 90.0}))
    >>> registry.get_sample_value("flowdoctor_workflow_health_score", {"workflow_id": "wf"})
    90.0
    """
    registry = CollectorRegistry()
    registry.register(
        SourceCollector(
            source,
            max_workflow_series=max_workflow_series,
            max_platform_series=max_platform_series,
        )
    )
    return registry, Instruments(registry)


def _health_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "flowdoctor_workflow_health_score",
        "Workflow health score, 0-100 (higher is healthier); the lowest-scored workflows only.",
        labels=["workflow_id"],
    )


def _omitted_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "flowdoctor_workflow_health_omitted",
        "Workflows left out of flowdoctor_workflow_health_score by the series limit.",
    )


def _alerts_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "flowdoctor_alerts", "Alerts by state and severity.", labels=["state", "severity"]
    )


def _issues_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "flowdoctor_issues",
        "Issues by category, severity and platform (platforms over the limit as 'other').",
        labels=["category", "severity", "platform"],
    )


def _up() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "flowdoctor_metrics_source_up",
        "1 when the metrics source answered for this part of the scrape, 0 when it failed.",
        labels=["part"],
    )


def _health_order(item: tuple[str, float]) -> tuple[float, str]:
    """Lowest score first, then by id; a NaN score sorts first (it is worth a look)."""
    workflow_id, score = item
    return (-math.inf if math.isnan(score) else score, workflow_id)


def _known(value: str, allowed: frozenset[str]) -> str:
    return value if value in allowed else OTHER


def _check_amounts(count: int, seconds: float) -> None:
    if count < 0:
        raise ValueError(f"a count must be >= 0, got {count}")
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"seconds must be a finite number >= 0, got {seconds}")
