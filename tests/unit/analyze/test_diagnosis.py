"""Diagnosis: root causes ranked from realistic mixes of issues and metric findings."""

from __future__ import annotations

import itertools

import pytest

from flowdoctor.analyze.diagnosis import MAX_ROOT_CAUSES, diagnose
from flowdoctor.analyze.metrics import analyze_metrics
from flowdoctor.domain import DiagnosticFinding, IssueCategory, Severity, Stage, WorkflowIssue
from flowdoctor.domain.platforms import platform_label

_ids = itertools.count()


def issue(
    category: IssueCategory,
    occurrences: int,
    *,
    platform: str | None = "salesforce",
    severity: Severity = Severity.HIGH,
    confidence: float = 0.9,
    template: str = "error <*>",
    rule_id: str | None = None,
) -> WorkflowIssue:
    return WorkflowIssue(
        fingerprint=f"fp{next(_ids)}",
        category=category,
        severity=severity,
        retryable=False,
        message_template=template,
        platform=platform,
        confidence=confidence,
        rule_id=rule_id,
        occurrences=occurrences,
    )


def cause(findings: list[DiagnosticFinding], category: IssueCategory) -> DiagnosticFinding:
    matching = [f for f in findings if f.category is category]
    assert len(matching) == 1, findings
    return matching[0]


def session_expired(n: int = 40) -> WorkflowIssue:
    return issue(
        IssueCategory.PERMISSIONS,
        n,
        template="INVALID_SESSION_ID: Session expired or invalid",
        rule_id="salesforce.invalid_session_id",
    )


def timeouts(n: int = 3) -> WorkflowIssue:
    return issue(
        IssueCategory.TIMEOUT,
        n,
        severity=Severity.MEDIUM,
        confidence=0.85,
        template="Read timed out after <*> ms",
    )


SLOW = analyze_metrics({"avg_response_time": 8.5})


def test_nothing_in_nothing_out() -> None:
    assert diagnose([], []) == []


def test_many_permission_errors_outrank_a_few_timeouts() -> None:
    causes = diagnose([session_expired(), timeouts()], [])
    assert [c.category for c in causes] == [IssueCategory.PERMISSIONS, IssueCategory.TIMEOUT]
    first = causes[0]
    assert first.kind == "root_cause"
    assert first.stage is Stage.DIAGNOSIS
    assert first.subject == "salesforce"
    assert first.description.startswith("Salesforce credentials are expired or revoked")
    assert "(permissions)" in first.description
    assert "40 of 43" in first.description
    assert any("INVALID_SESSION_ID" in line for line in first.evidence)
    assert any("salesforce.invalid_session_id" in line for line in first.evidence)
    assert 0.0 < causes[1].confidence < first.confidence <= 1.0


def test_high_latency_reinforces_timeouts_but_not_permissions() -> None:
    plain = diagnose([session_expired(), timeouts()], [])
    slow = diagnose([session_expired(), timeouts()], SLOW)
    timeout_plain = cause(plain, IssueCategory.TIMEOUT)
    timeout_slow = cause(slow, IssueCategory.TIMEOUT)
    assert timeout_slow.confidence > timeout_plain.confidence
    assert any(line.startswith("agrees:") for line in timeout_slow.evidence)
    permissions_plain = cause(plain, IssueCategory.PERMISSIONS)
    assert cause(slow, IssueCategory.PERMISSIONS).confidence == permissions_plain.confidence
    assert slow[0].category is IssueCategory.PERMISSIONS
    # the latency finding is explained by the timeouts: no separate performance cause
    assert IssueCategory.PERFORMANCE not in {c.category for c in slow}


def test_agreement_decides_between_otherwise_equal_causes() -> None:
    data = issue(IssueCategory.DATA, 10, severity=Severity.MEDIUM, confidence=0.8)
    timeout = issue(IssueCategory.TIMEOUT, 10, severity=Severity.MEDIUM, confidence=0.8)
    without = diagnose([data, timeout], [])
    assert without[0].confidence == pytest.approx(without[1].confidence)
    with_latency = diagnose([data, timeout], SLOW)
    assert with_latency[0].category is IssueCategory.TIMEOUT
    assert with_latency[0].confidence > with_latency[1].confidence


def test_metrics_alone_yield_a_performance_root_cause() -> None:
    causes = diagnose([], SLOW)
    assert len(causes) == 1
    only = causes[0]
    assert only.category is IssueCategory.PERFORMANCE
    assert "slower than normal" in only.description
    assert "avg_response_time" in only.description
    assert only.confidence < SLOW[0].confidence


def test_an_unrelated_metric_finding_becomes_its_own_cause() -> None:
    causes = diagnose([session_expired()], SLOW)
    assert {c.category for c in causes} == {IssueCategory.PERMISSIONS, IssueCategory.PERFORMANCE}
    assert causes[0].category is IssueCategory.PERMISSIONS


def test_metric_findings_without_a_category_do_not_make_causes() -> None:
    error_rate = analyze_metrics({"error_rate": 0.5})
    assert error_rate[0].category is None
    assert diagnose([], error_rate) == []


def test_many_categories_on_one_platform_suggest_the_platform_is_failing() -> None:
    mixed = [
        issue(IssueCategory.CONFIGURATION, 4, platform="hubspot", confidence=0.7),
        issue(IssueCategory.PERMISSIONS, 4, platform="hubspot", confidence=0.7),
        issue(IssueCategory.DATA, 4, platform="hubspot", confidence=0.7),
        issue(IssueCategory.TIMEOUT, 4, platform="hubspot", confidence=0.7),
    ]
    causes = diagnose(mixed, [])
    outage = cause(causes, IssueCategory.EXTERNAL_SERVICE)
    assert outage.subject == "hubspot"
    assert "Hubspot is failing on its side" in outage.description
    assert any("4 categories" in line for line in outage.evidence)


def test_an_inferred_outage_is_less_certain_than_a_classified_one() -> None:
    categories = [
        IssueCategory.CONFIGURATION,
        IssueCategory.PERMISSIONS,
        IssueCategory.DATA,
        IssueCategory.TIMEOUT,
    ]
    mixed = [issue(c, 4, platform="hubspot", confidence=0.7) for c in categories]
    inferred = cause(diagnose(mixed, []), IssueCategory.EXTERNAL_SERVICE)
    classified = [issue(IssueCategory.EXTERNAL_SERVICE, 16, platform="hubspot", confidence=0.7)]
    assert inferred.confidence < diagnose(classified, [])[0].confidence


def test_two_categories_are_not_enough_for_an_outage() -> None:
    pair = [
        issue(IssueCategory.CONFIGURATION, 4, platform="hubspot"),
        issue(IssueCategory.PERMISSIONS, 4, platform="hubspot"),
    ]
    assert all(c.category is not IssueCategory.EXTERNAL_SERVICE for c in diagnose(pair, []))


def test_breadth_reinforces_a_classified_outage() -> None:
    def outage_confidence(extra_platform: str) -> float:
        issues = [
            issue(IssueCategory.EXTERNAL_SERVICE, 5, platform="stripe", severity=Severity.MEDIUM),
            issue(IssueCategory.CONFIGURATION, 5, platform="stripe"),
            issue(IssueCategory.DATA, 2, platform=extra_platform),
            issue(IssueCategory.PERMISSIONS, 2, platform=extra_platform),
        ]
        return cause(diagnose(issues, []), IssueCategory.EXTERNAL_SERVICE).confidence

    assert outage_confidence("stripe") > outage_confidence("shopify")


def test_more_occurrences_rank_higher() -> None:
    few = issue(IssueCategory.CONFIGURATION, 3)
    many = issue(IssueCategory.DATA, 30)
    causes = diagnose([few, many], [])
    assert causes[0].category is IssueCategory.DATA
    assert causes[0].confidence > causes[1].confidence


def test_worse_severity_ranks_higher_at_equal_counts() -> None:
    low = issue(IssueCategory.DATA, 5, severity=Severity.LOW)
    critical = issue(IssueCategory.LOGIC, 5, severity=Severity.CRITICAL)
    assert diagnose([low, critical], [])[0].category is IssueCategory.LOGIC


def test_unclassified_errors_rank_below_classified_ones_of_the_same_size() -> None:
    unknown = issue(IssueCategory.UNCLASSIFIED, 10, confidence=0.0)
    known = issue(IssueCategory.CONNECTIVITY, 10, confidence=0.8)
    causes = diagnose([unknown, known], [])
    assert causes[0].category is IssueCategory.CONNECTIVITY
    assert "does not recognise" in causes[1].description


def test_at_most_five_root_causes_most_confident_first() -> None:
    issues = [
        issue(category, 2 + n, platform=f"platform_{n}")
        for n, category in enumerate(
            [c for c in IssueCategory if c is not IssueCategory.PERFORMANCE]
        )
    ]
    causes = diagnose(issues, [])
    assert len(causes) == MAX_ROOT_CAUSES
    confidences = [c.confidence for c in causes]
    assert confidences == sorted(confidences, reverse=True)


def test_issues_without_platform_get_generic_wording() -> None:
    causes = diagnose([issue(IssueCategory.RESOURCE, 3, platform=None)], [])
    assert causes[0].subject is None
    assert "ran out of a bounded resource" in causes[0].description


@pytest.mark.parametrize(
    ("raw", "label"),
    [("salesforce", "Salesforce"), ("aws_s3", "AWS S3"), ("google_sheets", "Google Sheets")],
)
def test_platform_labels(raw: str, label: str) -> None:
    assert platform_label(raw) == label
