"""Grouping: counts, bounded memory with overflow, ordering, first/last seen, examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.domain import (
    Classification,
    IssueCategory,
    LogRecord,
    ReplaySafety,
    Severity,
)
from flowdoctor.mining.grouping import MAX_EXAMPLE_CHARS, IssueGrouper

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

TIMEOUT = Classification(
    IssueCategory.TIMEOUT,
    Severity.MEDIUM,
    True,
    0.9,
    platform="hubspot",
    replay_safety=ReplaySafety.MAY_DUPLICATE_WRITES,
    rule_id="timeout.read",
)
AUTH = Classification(IssueCategory.PERMISSIONS, Severity.HIGH, False, 0.9, rule_id="perm")
REVOKED = Classification(IssueCategory.PERMISSIONS, Severity.CRITICAL, False, 0.9, rule_id="rev")


def record(message: str, *, at: datetime | None = None, raw: str | None = None) -> LogRecord:
    return LogRecord(message=message, raw=raw if raw is not None else message, timestamp=at)


def test_repeats_group_into_one_issue_with_counts() -> None:
    grouper = IssueGrouper()
    keys = {
        grouper.add(
            record(f"Read timed out after {n}s calling https://api.hubapi.com/c/{n}"), TIMEOUT
        )
        for n in (10, 20, 30)
    }
    grouper.add(record("401 Unauthorized"), AUTH)
    assert len(keys) == 1
    assert grouper.total == 4
    assert len(grouper) == 2
    timeout_issue = next(i for i in grouper.issues() if i.category is IssueCategory.TIMEOUT)
    assert timeout_issue.occurrences == 3
    assert timeout_issue.message_template == "Read timed out after <NUM>s calling <URL>"
    assert timeout_issue.fingerprint in keys
    assert (timeout_issue.platform, timeout_issue.rule_id, timeout_issue.retryable) == (
        "hubspot",
        "timeout.read",
        True,
    )
    assert timeout_issue.replay_safety is ReplaySafety.MAY_DUPLICATE_WRITES


def test_same_text_in_another_category_is_another_issue() -> None:
    grouper = IssueGrouper()
    first = grouper.add(record("boom"), TIMEOUT)
    second = grouper.add(record("boom"), AUTH)
    assert first != second
    assert len(grouper) == 2


def test_examples_are_bounded_distinct_and_truncated() -> None:
    grouper = IssueGrouper(max_examples=2)
    long_raw = "2026-11-27 ERROR " + "x" * 5_000
    grouper.add(record("Read timed out", raw=long_raw), TIMEOUT)
    grouper.add(record("Read timed out", raw=long_raw), TIMEOUT)
    grouper.add(record("Read timed out", raw="second line"), TIMEOUT)
    grouper.add(record("Read timed out", raw="third line"), TIMEOUT)
    (issue,) = grouper.issues()
    assert issue.evidence == [long_raw[:MAX_EXAMPLE_CHARS], "second line"]
    assert issue.occurrences == 4


def test_an_empty_raw_line_falls_back_to_the_message() -> None:
    grouper = IssueGrouper()
    grouper.add(record("Read timed out", raw=""), TIMEOUT)
    assert grouper.issues()[0].evidence == ["Read timed out"]


def test_groups_are_bounded_and_the_rest_counted_as_overflow() -> None:
    grouper = IssueGrouper(max_groups=3)
    for n in range(10):
        grouper.add(record(f"error kind {'abcdefghij'[n]}"), AUTH)
    grouper.add(record("error kind a"), AUTH)  # an existing group still counts
    assert len(grouper) == 3
    assert grouper.overflow == 7
    assert grouper.total == 11
    assert sum(issue.occurrences for issue in grouper.issues()) == 4


def test_a_huge_log_keeps_memory_bounded() -> None:
    grouper = IssueGrouper(max_groups=50, max_examples=1)
    for n in range(20_000):
        grouper.add(record(f"unique problem {'xyz'[n % 3]}{n:x}q"), AUTH)
    assert len(grouper) == 50
    assert grouper.overflow == grouper.total - sum(i.occurrences for i in grouper.issues())
    assert all(len(issue.evidence) <= 1 for issue in grouper.issues())


def test_issues_are_ordered_by_severity_then_occurrences() -> None:
    grouper = IssueGrouper()
    for _ in range(5):
        grouper.add(record("Read timed out"), TIMEOUT)
    grouper.add(record("401 Unauthorized"), AUTH)
    for _ in range(2):
        grouper.add(record("403 Forbidden"), AUTH)
    grouper.add(record("token revoked"), REVOKED)
    order = [(i.severity, i.occurrences) for i in grouper.issues()]
    assert order == [
        (Severity.CRITICAL, 1),
        (Severity.HIGH, 2),
        (Severity.HIGH, 1),
        (Severity.MEDIUM, 5),
    ]


def test_first_and_last_seen_follow_the_timestamps_not_the_order() -> None:
    grouper = IssueGrouper()
    for offset in (5, 1, 9, 3):
        grouper.add(record("Read timed out", at=T0 + timedelta(minutes=offset)), TIMEOUT)
    grouper.add(record("Read timed out"), TIMEOUT)  # no timestamp: counted, times unchanged
    (issue,) = grouper.issues()
    assert issue.first_seen == T0 + timedelta(minutes=1)
    assert issue.last_seen == T0 + timedelta(minutes=9)
    assert issue.occurrences == 5


def test_naive_and_aware_timestamps_mix_without_error() -> None:
    grouper = IssueGrouper()
    grouper.add(record("Read timed out", at=datetime(2026, 11, 27, 13, 0)), TIMEOUT)
    grouper.add(record("Read timed out", at=T0), TIMEOUT)
    (issue,) = grouper.issues()
    assert issue.first_seen == T0
    assert issue.last_seen == datetime(2026, 11, 27, 13, 0)


def test_no_timestamps_leave_first_and_last_seen_empty() -> None:
    grouper = IssueGrouper()
    grouper.add(record("Read timed out"), TIMEOUT)
    (issue,) = grouper.issues()
    assert issue.first_seen is None and issue.last_seen is None


def test_workflow_and_platform_come_from_the_argument_or_the_record() -> None:
    grouper = IssueGrouper()
    grouper.add(record("a problem"), AUTH, workflow_id="wf_1")
    grouper.add(
        LogRecord(message="b problem", raw="b problem", workflow_id="wf_2", platform="slack"), AUTH
    )
    by_template = {i.message_template: i for i in grouper.issues()}
    assert by_template["a problem"].workflow_id == "wf_1"
    assert (by_template["b problem"].workflow_id, by_template["b problem"].platform) == (
        "wf_2",
        "slack",
    )


def test_the_worst_severity_seen_is_kept() -> None:
    grouper = IssueGrouper()
    grouper.add(record("token problem"), AUTH)
    grouper.add(record("token problem"), REVOKED)
    assert grouper.issues()[0].severity is Severity.CRITICAL


def test_issues_are_copies() -> None:
    grouper = IssueGrouper()
    grouper.add(record("Read timed out"), TIMEOUT)
    copy = grouper.issues()[0]
    copy.occurrences = 99
    copy.evidence.append("tampered")
    fresh = grouper.issues()[0]
    assert fresh.occurrences == 1
    assert fresh.evidence == ["Read timed out"]


@pytest.mark.parametrize(("groups", "examples"), [(0, 3), (1, -1)])
def test_refuses_impossible_bounds(groups: int, examples: int) -> None:
    with pytest.raises(ValueError, match="max_"):
        IssueGrouper(max_groups=groups, max_examples=examples)
