"""Similar past issues: text similarity decides, category and platform only reorder, and each
match says what fixed it and whether the fix was verified."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.domain import (
    IssueCategory,
    Recommendation,
    ReplaySafety,
    SessionStatus,
    Severity,
    TroubleshootingSession,
    VerificationResult,
    WorkflowIssue,
)
from flowdoctor.errors import InputError
from flowdoctor.recommend.similar import MIN_SIMILARITY, find_similar, tokens

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
_ids = itertools.count()

EXPIRED = "INVALID_SESSION_ID: Session expired or invalid"


def issue(
    template: str,
    *,
    category: IssueCategory = IssueCategory.PERMISSIONS,
    platform: str | None = "salesforce",
) -> WorkflowIssue:
    return WorkflowIssue(
        fingerprint=f"fp{next(_ids)}",
        category=category,
        severity=Severity.HIGH,
        retryable=False,
        message_template=template,
        platform=platform,
        occurrences=3,
    )


def rec(title: str, priority: int, *fingerprints: str) -> Recommendation:
    return Recommendation(
        title=title,
        steps=("do it",),
        rationale="because",
        retryable=False,
        replay_safety=ReplaySafety.SAFE,
        confidence=0.9,
        priority=priority,
        issue_fingerprints=fingerprints,
    )


def past(
    *issues: WorkflowIssue,
    verified: bool | None = True,
    days_ago: int = 3,
    recommendations: tuple[Recommendation, ...] = (),
) -> TroubleshootingSession:
    created = T0 - timedelta(days=days_ago)
    session = TroubleshootingSession(
        session_id=f"s{next(_ids)}", workflow_id="sf_sync", created_at=created, updated_at=created
    )
    session.issues = list(issues)
    session.recommendations = list(recommendations)
    if verified is not None:
        session.status = SessionStatus.VERIFIED if verified else SessionStatus.NOT_VERIFIED
        reason = "error rate fell to 0%" if verified else "error rate still 100%"
        session.verification = VerificationResult(verified, reason, {}, {})
    return session


def test_tokens_leave_out_masks_and_numbers() -> None:
    assert tokens("Timeout after <NUM>ms calling <URL> (attempt 3)") == [
        "timeout",
        "after",
        "ms",
        "calling",
        "attempt",
    ]


def test_a_similar_message_matches_with_its_fix_and_verdict() -> None:
    old = issue(EXPIRED)
    earlier = past(
        old, recommendations=(rec("Re-authorise the Salesforce connection", 1, old.fingerprint),)
    )
    current = issue("Salesforce API error: INVALID_SESSION_ID: Session expired or invalid")
    (match,) = find_similar([current], [earlier])
    assert match.session_id == earlier.session_id
    assert match.issue_fingerprint == current.fingerprint
    assert match.past_template == EXPIRED
    assert match.similarity > 0.7
    assert match.score == pytest.approx(match.similarity + 0.15, abs=1e-3)
    assert match.fixes == ("Re-authorise the Salesforce connection",)
    assert match.verified and match.verification_reason == "error rate fell to 0%"
    assert match.seen_at == earlier.created_at


def test_an_unrelated_message_does_not_match_even_in_the_same_category() -> None:
    earlier = past(issue(EXPIRED))
    current = issue("403 Forbidden: the user lacks the Modify All Data permission")
    assert find_similar([current], [earlier]) == []


def test_similarity_decides_and_boosts_only_reorder() -> None:
    template = "Read timed out after <NUM> ms calling bulk query"
    same_kind = past(issue(template, category=IssueCategory.TIMEOUT), days_ago=5)
    other_kind = past(issue(template, category=IssueCategory.CONNECTIVITY, platform=None))
    current = issue(template, category=IssueCategory.TIMEOUT)
    matches = find_similar([current], [other_kind, same_kind])
    assert [m.session_id for m in matches] == [same_kind.session_id, other_kind.session_id]
    assert matches[0].similarity == pytest.approx(matches[1].similarity)
    assert matches[0].score > matches[1].score


def test_one_match_per_past_session_and_top_k() -> None:
    sessions = [past(issue(EXPIRED), issue(EXPIRED + " again"), days_ago=n) for n in range(1, 6)]
    current = issue(EXPIRED)
    matches = find_similar([current], sessions, top_k=3)
    assert len(matches) == 3
    assert len({m.session_id for m in matches}) == 3
    assert all(m.past_template == EXPIRED for m in matches)  # the best issue of each session
    # Equal scores: the most recent session first.
    assert [m.seen_at for m in matches] == sorted((m.seen_at for m in matches), reverse=True)


def test_a_verified_fix_ranks_before_an_unverified_one_of_equal_score() -> None:
    failed = past(issue(EXPIRED), verified=False, days_ago=1)
    worked = past(issue(EXPIRED), verified=True, days_ago=9)
    matches = find_similar([issue(EXPIRED)], [failed, worked])
    assert [(m.session_id, m.verified) for m in matches] == [
        (worked.session_id, True),
        (failed.session_id, False),
    ]
    assert matches[1].verification_reason == "error rate still 100%"


def test_fixes_prefer_the_recommendations_that_addressed_the_issue() -> None:
    old, other = issue(EXPIRED), issue("disk full", category=IssueCategory.RESOURCE)
    earlier = past(
        old,
        other,
        recommendations=(
            rec("Free disk space", 1, other.fingerprint),
            rec("Re-authorise the Salesforce connection", 2, old.fingerprint),
        ),
    )
    (match,) = find_similar([issue(EXPIRED)], [earlier])
    assert match.fixes == ("Re-authorise the Salesforce connection",)
    unaddressed = past(old, recommendations=(rec("Free disk space", 1), rec("Retry", 2)))
    (match,) = find_similar([issue(EXPIRED)], [unaddressed])
    assert match.fixes == ("Free disk space", "Retry")


def test_results_follow_the_order_of_the_current_issues() -> None:
    timeout = issue("Read timed out after <NUM> ms", category=IssueCategory.TIMEOUT)
    earlier = past(issue(EXPIRED), timeout)
    first, second = issue("Read timed out after <NUM> ms"), issue(EXPIRED)
    matches = find_similar([first, second], [earlier])
    assert [m.issue_fingerprint for m in matches] == [first.fingerprint, second.fingerprint]


def test_nothing_to_compare_and_bad_limits() -> None:
    assert find_similar([], [past(issue(EXPIRED))]) == []
    assert find_similar([issue(EXPIRED)], []) == []
    assert find_similar([issue("<NUM> <URL>")], [past(issue("<NUM>"))]) == []  # no words
    with pytest.raises(InputError):
        find_similar([issue(EXPIRED)], [past(issue(EXPIRED))], top_k=0)
    assert 0 < MIN_SIMILARITY < 1
