"""Recommendation ranking: order, deduplication, replay warnings, metric-only causes."""

from __future__ import annotations

import itertools

import pytest

from flowdoctor.analyze.diagnosis import diagnose
from flowdoctor.analyze.metrics import analyze_metrics
from flowdoctor.domain import (
    DiagnosticFinding,
    IssueCategory,
    ReplaySafety,
    Severity,
    Stage,
    WorkflowIssue,
)
from flowdoctor.errors import InputError
from flowdoctor.recommend.ranking import recommend

_ids = itertools.count()


def issue(
    category: IssueCategory,
    occurrences: int,
    *,
    platform: str | None = "salesforce",
    severity: Severity = Severity.HIGH,
    retryable: bool = False,
    replay: ReplaySafety = ReplaySafety.SAFE,
    template: str = "error <*>",
    confidence: float = 0.9,
) -> WorkflowIssue:
    return WorkflowIssue(
        fingerprint=f"fp{next(_ids)}",
        category=category,
        severity=severity,
        retryable=retryable,
        message_template=template,
        platform=platform,
        replay_safety=replay,
        confidence=confidence,
        occurrences=occurrences,
    )


def root_cause(
    category: IssueCategory, confidence: float, platform: str | None = None
) -> DiagnosticFinding:
    return DiagnosticFinding(
        kind="root_cause",
        description=f"{category.value} trouble",
        confidence=confidence,
        stage=Stage.DIAGNOSIS,
        subject=platform,
        category=category,
    )


def salesforce_mix() -> list[WorkflowIssue]:
    return [
        issue(
            IssueCategory.PERMISSIONS,
            40,
            template="INVALID_SESSION_ID: Session expired or invalid",
            replay=ReplaySafety.UNSAFE_UNTIL_FIXED,
        ),
        issue(
            IssueCategory.TIMEOUT,
            3,
            severity=Severity.MEDIUM,
            retryable=True,
            replay=ReplaySafety.MAY_DUPLICATE_WRITES,
            template="Read timed out after <*> ms",
        ),
    ]


def test_nothing_to_recommend() -> None:
    assert recommend([], []) == []


def test_limit_must_be_positive() -> None:
    with pytest.raises(InputError):
        recommend([], [], limit=0)


def test_realistic_mix_puts_the_session_fix_first() -> None:
    issues = salesforce_mix()
    recs = recommend(issues, diagnose(issues, []))
    assert [r.priority for r in recs] == [1, 2]
    first, second = recs
    assert first.title == "Re-authorise the Salesforce connected app"
    assert first.category is IssueCategory.PERMISSIONS
    assert first.platform == "salesforce"
    assert first.issue_fingerprints == (issues[0].fingerprint,)
    assert first.retryable is False
    assert first.replay_safety is ReplaySafety.UNSAFE_UNTIL_FIXED
    assert "Do not replay" in first.steps[-1]
    assert "Probable root cause" in first.rationale
    assert "Seen 40 times" in first.rationale
    assert second.category is IssueCategory.TIMEOUT
    assert second.replay_safety is ReplaySafety.MAY_DUPLICATE_WRITES
    assert "duplicates" in second.steps[-1]
    assert first.confidence >= second.confidence


def test_same_title_merges_fingerprints_and_takes_the_riskier_flags() -> None:
    one = issue(
        IssueCategory.PERMISSIONS,
        5,
        template="INVALID_SESSION_ID: Session expired",
        retryable=True,
    )
    two = issue(
        IssueCategory.PERMISSIONS,
        7,
        template="Session expired or invalid (INVALID_SESSION_ID) for user <*>",
        replay=ReplaySafety.MAY_DUPLICATE_WRITES,
    )
    recs = recommend([one, two], diagnose([one, two], []))
    assert len(recs) == 1
    merged = recs[0]
    assert set(merged.issue_fingerprints) == {one.fingerprint, two.fingerprint}
    assert merged.retryable is False
    assert merged.replay_safety is ReplaySafety.MAY_DUPLICATE_WRITES
    assert "Seen 12 times across 2 issue(s)" in merged.rationale


def test_safe_replays_carry_no_warning_step() -> None:
    outage = issue(IssueCategory.EXTERNAL_SERVICE, 4, retryable=True)
    rec = recommend([outage], diagnose([outage], []))[0]
    assert rec.replay_safety is ReplaySafety.SAFE
    assert rec.retryable is True
    assert not any("replay" in step.lower() for step in rec.steps)


def test_performance_root_cause_without_issues_still_yields_a_recommendation() -> None:
    causes = diagnose([], analyze_metrics({"p95_response_time": 12.0}))
    recs = recommend([], causes)
    assert len(recs) == 1
    rec = recs[0]
    assert rec.category is IssueCategory.PERFORMANCE
    assert rec.issue_fingerprints == ()
    assert rec.priority == 1
    assert rec.confidence == pytest.approx(causes[0].confidence)
    assert "the workflow" in rec.title


def test_order_follows_root_cause_confidence() -> None:
    issues = [
        issue(IssueCategory.DATA, 50, platform="hubspot"),
        issue(IssueCategory.CONFIGURATION, 2, platform="slack"),
    ]
    causes = [
        root_cause(IssueCategory.DATA, 0.3, "hubspot"),
        root_cause(IssueCategory.CONFIGURATION, 0.8, "slack"),
    ]
    recs = recommend(issues, causes)
    assert [r.category for r in recs] == [IssueCategory.CONFIGURATION, IssueCategory.DATA]


def test_severity_then_occurrences_break_confidence_ties() -> None:
    issues = [
        issue(IssueCategory.DATA, 50, platform="hubspot", severity=Severity.LOW),
        issue(IssueCategory.LOGIC, 2, platform="hubspot", severity=Severity.CRITICAL),
        issue(IssueCategory.CONFIGURATION, 9, platform="hubspot", severity=Severity.LOW),
    ]
    causes = [
        root_cause(IssueCategory.DATA, 0.6, "hubspot"),
        root_cause(IssueCategory.LOGIC, 0.6, "hubspot"),
        root_cause(IssueCategory.CONFIGURATION, 0.6, "hubspot"),
    ]
    recs = recommend(issues, causes)
    assert [r.category for r in recs] == [
        IssueCategory.LOGIC,
        IssueCategory.DATA,
        IssueCategory.CONFIGURATION,
    ]


def test_undiagnosed_issues_are_still_recommended_below_diagnosed_ones() -> None:
    diagnosed = issue(IssueCategory.CONNECTIVITY, 3, platform="mysql", confidence=0.8)
    stray = issue(IssueCategory.DATA, 3, platform="mysql", confidence=0.8)
    recs = recommend([diagnosed, stray], [root_cause(IssueCategory.CONNECTIVITY, 0.7, "mysql")])
    assert [r.category for r in recs] == [IssueCategory.CONNECTIVITY, IssueCategory.DATA]
    assert recs[1].confidence < stray.confidence
    assert "No root cause was diagnosed" in recs[1].rationale


def test_findings_that_are_not_root_causes_are_ignored() -> None:
    metric_finding = analyze_metrics({"avg_response_time": 9.0})
    assert recommend([], metric_finding) == []


def test_limit_truncates_after_ranking() -> None:
    issues = [issue(c, 3, platform="x") for c in IssueCategory]
    recs = recommend(issues, diagnose(issues, []), limit=3)
    assert len(recs) == 3
    assert [r.priority for r in recs] == [1, 2, 3]
    full = recommend(issues, diagnose(issues, []))
    assert [r.title for r in recs] == [r.title for r in full[:3]]
    confidences = [r.confidence for r in full]
    assert confidences == sorted(confidences, reverse=True)
