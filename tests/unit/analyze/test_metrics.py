"""Metric analysis: thresholds, baselines, aliases, units and input validation."""

from __future__ import annotations

import math

import pytest

from flowdoctor.analyze.metrics import analyze_metrics
from flowdoctor.domain import DiagnosticFinding, IssueCategory, Stage
from flowdoctor.errors import InputError


def by_kind(findings: list[DiagnosticFinding], kind: str) -> list[DiagnosticFinding]:
    return [f for f in findings if f.kind == kind]


def only(findings: list[DiagnosticFinding], kind: str, subject: str) -> DiagnosticFinding:
    matching = [f for f in findings if f.kind == kind and f.subject == subject]
    assert len(matching) == 1, findings
    return matching[0]


def test_slow_responses_and_errors_from_the_original_example() -> None:
    findings = analyze_metrics({"avg_response_time": 8.5, "error_rate": 0.15})
    assert [f.subject for f in findings] == ["avg_response_time", "error_rate"]
    slow = findings[0]
    assert slow.kind == "metric_threshold"
    assert slow.stage is Stage.ANALYSIS
    assert slow.category is IssueCategory.PERFORMANCE
    assert "8.5 s" in slow.description
    assert "5 s limit" in slow.description
    assert "(performance)" in slow.description
    errors = findings[1]
    assert "15.0%" in errors.description
    assert "warning level" in errors.description
    assert slow.confidence > errors.confidence
    assert all(0.0 <= f.confidence <= 1.0 for f in findings)
    assert slow.evidence


def test_values_within_thresholds_give_no_findings() -> None:
    healthy = {
        "avg_response_time": 0.4,
        "error_rate": 0.01,
        "success_rate": 0.999,
        "cpu_utilization": 0.3,
        "queue_depth": 12,
        "throughput": 50,
    }
    assert analyze_metrics(healthy) == []


def test_confidence_grows_with_distance_beyond_the_threshold() -> None:
    values = [2.5, 4.5, 6.0, 20.0]
    confidences = [analyze_metrics({"latency": v})[0].confidence for v in values]
    assert confidences == sorted(confidences)
    assert confidences[0] < confidences[1] < confidences[2]
    assert confidences[1] < 0.75 <= confidences[2]
    assert confidences[-1] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, None), (0.97, None), (0.9, "warning level"), (0.5, "limit")],
)
def test_success_rate_is_bad_when_low(value: float, expected: str | None) -> None:
    findings = analyze_metrics({"success_rate": value})
    if expected is None:
        assert findings == []
    else:
        assert len(findings) == 1
        assert "below" in findings[0].description
        assert expected in findings[0].description


def test_aliases_are_converted_into_the_canonical_unit() -> None:
    finding = analyze_metrics({"response_time_ms": 8500})[0]
    assert finding.subject == "avg_response_time"
    assert "8.5 s" in finding.description
    assert "response_time_ms" in finding.description
    assert any("response_time_ms" in line for line in finding.evidence)


def test_fractions_above_one_are_read_as_percentages() -> None:
    as_percent = analyze_metrics({"error_rate": 15})
    as_fraction = analyze_metrics({"error_rate": 0.15})
    assert as_percent[0].confidence == pytest.approx(as_fraction[0].confidence)
    assert any("percentage" in line for line in as_percent[0].evidence)
    cpu = analyze_metrics({"cpu_percent": 97})
    assert cpu[0].category is IssueCategory.RESOURCE
    assert "97.0%" in cpu[0].description


@pytest.mark.parametrize(
    ("name", "value"),
    [("error_rate", 150), ("error_rate", -0.1), ("latency", -1.0), ("error_percent", 120)],
)
def test_out_of_range_values_are_rejected(name: str, value: float) -> None:
    with pytest.raises(InputError) as caught:
        analyze_metrics({name: value})
    assert caught.value.field == name


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, False, "3", None, [1]])
def test_non_numbers_are_rejected_naming_the_metric(value: object) -> None:
    with pytest.raises(InputError) as caught:
        analyze_metrics({"ok": 1.0, "avg_response_time": value})  # type: ignore[dict-item]
    assert caught.value.field == "avg_response_time"


def test_bad_baseline_values_name_the_baseline_metric() -> None:
    with pytest.raises(InputError) as caught:
        analyze_metrics({"latency": 1.0}, baseline={"latency": math.nan})
    assert caught.value.field == "baseline.latency"


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, 7])
def test_bad_metric_names_are_rejected(name: object) -> None:
    with pytest.raises(InputError):
        analyze_metrics({name: 1.0})  # type: ignore[dict-item]


def test_a_name_of_exactly_200_characters_is_accepted() -> None:
    assert analyze_metrics({"x" * 200: 1.0}) == []


def test_metrics_must_be_a_mapping() -> None:
    with pytest.raises(InputError):
        analyze_metrics([("latency", 1.0)])  # type: ignore[arg-type]


def test_latency_far_above_its_baseline_is_reported_even_under_the_threshold() -> None:
    findings = analyze_metrics({"latency": 1.5}, baseline={"latency": 0.5})
    assert by_kind(findings, "metric_threshold") == []
    finding = only(findings, "metric_baseline", "latency")
    assert "3.0x" in finding.description
    assert "500 ms" in finding.description
    assert finding.category is IssueCategory.PERFORMANCE


def test_small_changes_from_the_baseline_are_not_reported() -> None:
    assert analyze_metrics({"latency": 0.6}, baseline={"latency": 0.5}) == []
    assert analyze_metrics({"error_rate": 0.01}, baseline={"error_rate": 0.0}) == []


def test_larger_baseline_deviations_are_more_confident() -> None:
    three = only(
        analyze_metrics({"latency": 1.5}, baseline={"latency": 0.5}), "metric_baseline", "latency"
    )
    six = only(
        analyze_metrics({"latency": 3.0}, baseline={"latency": 0.5}), "metric_baseline", "latency"
    )
    assert six.confidence > three.confidence


def test_baseline_names_may_be_aliases() -> None:
    findings = analyze_metrics({"avg_response_time": 1.6}, baseline={"response_time_ms": 400})
    assert only(findings, "metric_baseline", "avg_response_time")


def test_throughput_is_judged_only_against_a_baseline_drop() -> None:
    assert analyze_metrics({"throughput": 4.0}) == []
    assert analyze_metrics({"throughput": 12.0}, baseline={"throughput": 10.0}) == []
    finding = only(
        analyze_metrics({"throughput": 4.0}, baseline={"throughput": 10.0}),
        "metric_baseline",
        "throughput",
    )
    assert "down 60%" in finding.description
    assert finding.category is IssueCategory.PERFORMANCE


def test_success_rate_drop_against_baseline() -> None:
    findings = analyze_metrics({"success_rate": 0.96}, baseline={"success_rate": 0.99})
    assert by_kind(findings, "metric_threshold") == []
    assert only(findings, "metric_baseline", "success_rate")


def test_a_zero_baseline_is_floored_so_small_rises_are_not_infinite() -> None:
    assert analyze_metrics({"error_rate": 0.03}, baseline={"error_rate": 0.0}) == []
    finding = only(
        analyze_metrics({"error_rate": 0.045}, baseline={"error_rate": 0.0}),
        "metric_baseline",
        "error_rate",
    )
    assert finding.confidence < 0.9
    assert "up from" in finding.description


def test_error_rate_rising_from_zero_gets_both_kinds() -> None:
    findings = analyze_metrics({"error_rate": 0.1}, baseline={"error_rate": 0.0})
    assert only(findings, "metric_threshold", "error_rate")
    assert only(findings, "metric_baseline", "error_rate")


def test_run_count_is_never_compared_with_a_baseline() -> None:
    assert analyze_metrics({"run_count": 10}, baseline={"run_count": 500}) == []


def test_unknown_metrics_are_ignored_without_a_baseline() -> None:
    assert analyze_metrics({"widgets_frobbed": 1e9}) == []


def test_unknown_metrics_deviating_from_baseline_are_low_confidence_info() -> None:
    findings = analyze_metrics({"widgets_frobbed": 300.0}, baseline={"widgets_frobbed": 100.0})
    finding = only(findings, "metric_baseline", "widgets_frobbed")
    assert finding.category is None
    assert finding.confidence <= 0.3
    assert "level: info" in finding.evidence
    assert analyze_metrics({"widgets_frobbed": 110.0}, baseline={"widgets_frobbed": 100.0}) == []


def test_findings_are_sorted_by_confidence() -> None:
    findings = analyze_metrics(
        {
            "error_rate": 0.07,
            "p95_response_time": 30.0,
            "memory_utilization": 0.9,
            "queue_depth": 5000,
            "timeout_rate": 0.2,
        }
    )
    assert len(findings) == 5
    confidences = [f.confidence for f in findings]
    assert confidences == sorted(confidences, reverse=True)
