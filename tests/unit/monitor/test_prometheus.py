"""Prometheus metrics: the scrape-time gauges, their label bounds, and the service instruments."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Mapping

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from flowdoctor.monitor.prometheus import (
    IngestKind,
    Instruments,
    NotificationOutcome,
    SourceCollector,
    StaticMetricsSource,
    build_registry,
)


def samples(registry: CollectorRegistry, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples called ``name`` in one scrape, keyed by their sorted labels."""
    text = generate_latest(registry).decode()
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


class ExplodingSource(StaticMetricsSource):
    """Answers for health and issues, fails for alerts (a database error mid-scrape)."""

    def alert_counts(self) -> Mapping[tuple[str, str], int]:
        raise RuntimeError("database is down")


class CountingSource(StaticMetricsSource):
    calls: int = 0

    def health_scores(self) -> Mapping[str, float]:
        self.calls += 1
        return super().health_scores()


def test_nothing_is_registered_on_import_or_on_the_global_registry() -> None:
    # A fresh interpreter: what importing does, unmasked by whatever this one imported before.
    script = (
        "from prometheus_client import REGISTRY\n"
        "import flowdoctor.monitor.prometheus as p, flowdoctor.api.routes.metrics\n"
        "p.build_registry(p.StaticMetricsSource(health={'wf': 1.0}))\n"
        "p.Instruments().observe_ingest(p.IngestKind.RUNS, items=1, seconds=0.1)\n"
        "print([m.name for m in REGISTRY.collect() if m.name.startswith('flowdoctor')])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_each_registry_is_its_own() -> None:
    first, first_instruments = build_registry(StaticMetricsSource())
    second, _ = build_registry(StaticMetricsSource())
    first_instruments.count_notification(NotificationOutcome.DELIVERED)
    assert value(first, "flowdoctor_notifications_total", outcome="delivered") == 1.0
    assert value(second, "flowdoctor_notifications_total", outcome="delivered") == 0.0


def test_gauges_are_read_at_scrape_time() -> None:
    source = StaticMetricsSource(health={"wf": 80.0})
    registry, _ = build_registry(source)
    assert value(registry, "flowdoctor_workflow_health_score", workflow_id="wf") == 80.0
    source.health["wf"] = 35.5
    source.health["new"] = 100.0
    assert value(registry, "flowdoctor_workflow_health_score", workflow_id="wf") == 35.5
    assert value(registry, "flowdoctor_workflow_health_score", workflow_id="new") == 100.0


def test_registering_does_not_read_the_source() -> None:
    source = CountingSource(health={"wf": 1.0})
    registry = CollectorRegistry()
    registry.register(SourceCollector(source))
    assert source.calls == 0
    generate_latest(registry)
    assert source.calls == 1


def test_workflow_series_keep_the_lowest_scores_and_count_the_rest() -> None:
    scores = {f"wf{n:02d}": float(n) for n in range(20)}
    registry, _ = build_registry(StaticMetricsSource(health=scores), max_workflow_series=5)
    kept = samples(registry, "flowdoctor_workflow_health_score")
    assert {dict(labels)["workflow_id"] for labels in kept} == {f"wf{n:02d}" for n in range(5)}
    assert value(registry, "flowdoctor_workflow_health_omitted") == 15.0


def test_ties_at_the_workflow_bound_are_broken_by_id() -> None:
    source = StaticMetricsSource(health={"c": 50.0, "a": 50.0, "b": 50.0, "z": 10.0})
    registry, _ = build_registry(source, max_workflow_series=2)
    kept = samples(registry, "flowdoctor_workflow_health_score")
    assert {dict(labels)["workflow_id"] for labels in kept} == {"z", "a"}


def test_under_the_bound_nothing_is_omitted() -> None:
    registry, _ = build_registry(StaticMetricsSource(health={"a": 1.0, "b": 2.0}))
    assert len(samples(registry, "flowdoctor_workflow_health_score")) == 2
    assert value(registry, "flowdoctor_workflow_health_omitted") == 0.0


def test_the_default_bound_is_a_thousand_workflows() -> None:
    scores = {f"wf{n}": float(n % 100) for n in range(1500)}
    registry, _ = build_registry(StaticMetricsSource(health=scores))
    assert len(samples(registry, "flowdoctor_workflow_health_score")) == 1000
    assert value(registry, "flowdoctor_workflow_health_omitted") == 500.0


def test_platforms_over_the_bound_add_up_under_other() -> None:
    issues = {
        ("timeout", "high", "slack"): 9,
        ("timeout", "high", "hubspot"): 5,
        ("timeout", "high", "zapier"): 2,
        ("data", "low", "airtable"): 1,
    }
    registry, _ = build_registry(StaticMetricsSource(issues=issues), max_platform_series=2)
    found = samples(registry, "flowdoctor_issues")
    platforms = {dict(labels)["platform"] for labels in found}
    assert platforms == {"slack", "hubspot", "other"}
    assert found[(("category", "timeout"), ("platform", "other"), ("severity", "high"))] == 2.0
    assert found[(("category", "data"), ("platform", "other"), ("severity", "low"))] == 1.0
    assert sum(found.values()) == sum(issues.values())


def test_values_outside_the_enumerations_become_other() -> None:
    source = StaticMetricsSource(
        alerts={("firing", "critical"): 2, ("exploded", "apocalyptic"): 1},
        issues={("made_up", "urgent", "slack"): 4, ("timeout", "high", "slack"): 1},
    )
    registry, _ = build_registry(source)
    assert value(registry, "flowdoctor_alerts", state="firing", severity="critical") == 2.0
    assert value(registry, "flowdoctor_alerts", state="other", severity="other") == 1.0
    assert (
        value(registry, "flowdoctor_issues", category="other", severity="other", platform="slack")
        == 4.0
    )


def test_every_alert_state_and_severity_is_present_even_at_zero() -> None:
    registry, _ = build_registry(StaticMetricsSource())
    found = samples(registry, "flowdoctor_alerts")
    assert len(found) == 3 * 5
    assert set(found.values()) == {0.0}


def test_a_failing_source_part_is_marked_down_and_the_rest_still_served(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = ExplodingSource(health={"wf": 70.0}, issues={("timeout", "high", "slack"): 1})
    registry, instruments = build_registry(source)
    instruments.observe_evaluation(rules=4, seconds=0.1)
    with caplog.at_level(logging.WARNING, logger="flowdoctor.monitor.prometheus"):
        assert value(registry, "flowdoctor_metrics_source_up", part="alerts") == 0.0
    assert "alerts" in caplog.text and "database is down" in caplog.text
    assert value(registry, "flowdoctor_metrics_source_up", part="workflow_health") == 1.0
    assert value(registry, "flowdoctor_workflow_health_score", workflow_id="wf") == 70.0
    assert samples(registry, "flowdoctor_alerts") == {}
    assert value(registry, "flowdoctor_rule_evaluations_total") == 4.0


def test_ingest_counts_items_and_times_each_call() -> None:
    instruments = Instruments()
    instruments.observe_ingest(IngestKind.RUNS, items=10, seconds=0.2)
    instruments.observe_ingest(IngestKind.RUNS, items=5, seconds=0.3)
    instruments.observe_ingest(IngestKind("logs"), items=7, seconds=0.0)
    registry = instruments.registry
    assert value(registry, "flowdoctor_ingested_items_total", kind="runs") == 15.0
    assert value(registry, "flowdoctor_ingested_items_total", kind="logs") == 7.0
    assert value(registry, "flowdoctor_ingested_items_total", kind="metrics") == 0.0
    assert value(registry, "flowdoctor_ingest_duration_seconds_count", kind="runs") == 2.0
    assert value(registry, "flowdoctor_ingest_duration_seconds_sum", kind="runs") == pytest.approx(
        0.5
    )
    assert (
        value(registry, "flowdoctor_ingest_duration_seconds_bucket", kind="runs", le="0.25") == 1.0
    )


def test_evaluation_counts_rules_and_times_each_pass() -> None:
    instruments = Instruments()
    instruments.observe_evaluation(rules=12, seconds=1.5)
    instruments.observe_evaluation(rules=0, seconds=0.01)
    registry = instruments.registry
    assert value(registry, "flowdoctor_rule_evaluations_total") == 12.0
    assert value(registry, "flowdoctor_evaluation_duration_seconds_count") == 2.0


def test_notifications_are_counted_by_outcome() -> None:
    instruments = Instruments()
    for outcome in ("delivered", "delivered", "retry", "failed"):
        instruments.count_notification(NotificationOutcome(outcome))
    registry = instruments.registry
    assert value(registry, "flowdoctor_notifications_total", outcome="delivered") == 2.0
    assert value(registry, "flowdoctor_notifications_total", outcome="retry") == 1.0
    assert value(registry, "flowdoctor_notifications_total", outcome="failed") == 1.0


def test_every_label_value_of_the_counters_exists_before_the_first_increment() -> None:
    registry = Instruments().registry
    for kind in IngestKind:
        assert value(registry, "flowdoctor_ingested_items_total", kind=kind.value) == 0.0
    for outcome in NotificationOutcome:
        assert value(registry, "flowdoctor_notifications_total", outcome=outcome.value) == 0.0


@pytest.mark.parametrize(
    ("items", "seconds"), [(-1, 0.1), (1, -0.1), (1, float("nan")), (1, float("inf"))]
)
def test_impossible_amounts_are_refused(items: int, seconds: float) -> None:
    instruments = Instruments()
    with pytest.raises(ValueError, match=">= 0"):
        instruments.observe_ingest(IngestKind.RUNS, items=items, seconds=seconds)
    with pytest.raises(ValueError, match=">= 0"):
        instruments.observe_evaluation(rules=items, seconds=seconds)
    assert value(instruments.registry, "flowdoctor_ingested_items_total", kind="runs") == 0.0


def test_unknown_label_values_for_the_counters_are_refused() -> None:
    instruments = Instruments()
    with pytest.raises(ValueError, match="traces"):
        instruments.observe_ingest("traces", items=1, seconds=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lost"):
        instruments.count_notification("lost")  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", ["max_workflow_series", "max_platform_series"])
def test_negative_bounds_are_refused(limit: str) -> None:
    with pytest.raises(ValueError, match=limit):
        SourceCollector(StaticMetricsSource(), **{limit: -1})


def test_a_zero_workflow_bound_exports_only_the_omitted_count() -> None:
    registry, _ = build_registry(
        StaticMetricsSource(health={"a": 1.0, "b": 2.0}), max_workflow_series=0
    )
    assert samples(registry, "flowdoctor_workflow_health_score") == {}
    assert value(registry, "flowdoctor_workflow_health_omitted") == 2.0


def test_the_whole_scrape_parses_with_the_declared_types() -> None:
    source = StaticMetricsSource(
        health={"wf": 42.0},
        alerts={("firing", "high"): 1},
        issues={("timeout", "high", "slack"): 3},
    )
    registry, instruments = build_registry(source)
    instruments.observe_ingest(IngestKind.METRICS, items=100, seconds=0.05)
    types = {
        family.name: family.type
        for family in text_string_to_metric_families(generate_latest(registry).decode())
    }
    assert types["flowdoctor_workflow_health_score"] == "gauge"
    assert types["flowdoctor_workflow_health_omitted"] == "gauge"
    assert types["flowdoctor_alerts"] == "gauge"
    assert types["flowdoctor_issues"] == "gauge"
    assert types["flowdoctor_ingested_items"] == "counter"
    assert types["flowdoctor_ingest_duration_seconds"] == "histogram"
    assert types["flowdoctor_rule_evaluations"] == "counter"
    assert types["flowdoctor_evaluation_duration_seconds"] == "histogram"
    assert types["flowdoctor_notifications"] == "counter"
