"""Grouping: classified log records that are the same problem recurring become one issue.

Two records are the same problem when their masked messages, categories and platforms match, i.e.
when their :func:`~flowdoctor.mining.fingerprint.fingerprint` does. Memory is bounded for a log of
any size: at most ``max_groups`` issues with at most ``max_examples`` example lines each; records
of further new fingerprints are counted in :attr:`IssueGrouper.overflow`, not kept.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from flowdoctor.domain import Classification, LogRecord, WorkflowIssue
from flowdoctor.mining.fingerprint import fingerprint
from flowdoctor.mining.masking import mask

MAX_EXAMPLE_CHARS = 500
"""An example line kept as evidence is cut to this length."""


def _comparable(moment: datetime) -> datetime:
    """Naive timestamps read as UTC, so naive and aware ones can be compared without an error."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class IssueGrouper:
    """Collect classified records into issues, one per fingerprint.

    >>> from flowdoctor.domain import IssueCategory, Severity
    >>> verdict = Classification(IssueCategory.TIMEOUT, Severity.MEDIUM, True, 0.9)
    >>> grouper = IssueGrouper()
    >>> for line in ("Read timed out after 30s", "Read timed out after 45s"):
    ...     _ = grouper.add(LogRecord(message=line, raw=line), verdict)
    >>> [(issue.message_template, issue.occurrences) for issue in grouper.issues()]
    [('Read timed out after <NUM>s', 2)]
    """

    def __init__(self, max_groups: int = 10_000, max_examples: int = 3) -> None:
        if max_groups < 1:
            raise ValueError("max_groups must be at least 1")
        if max_examples < 0:
            raise ValueError("max_examples must not be negative")
        self._max_groups = max_groups
        self._max_examples = max_examples
        self._groups: dict[str, WorkflowIssue] = {}
        self._total = 0
        self._overflow = 0

    @property
    def total(self) -> int:
        """Records added, grouped or not."""
        return self._total

    @property
    def overflow(self) -> int:
        """Records not grouped because ``max_groups`` distinct issues already existed."""
        return self._overflow

    def __len__(self) -> int:
        """The number of distinct issues kept."""
        return len(self._groups)

    def add(
        self,
        record: LogRecord,
        classification: Classification,
        *,
        workflow_id: str | None = None,
    ) -> str:
        """Count ``record`` in its issue (creating it while there is room); return its fingerprint.

        The fingerprint is returned even when the record overflowed, so callers can still tell
        which records were the same problem.
        """
        self._total += 1
        template = mask(record.message)
        platform = classification.platform or record.platform
        key = fingerprint(template, category=classification.category.value, platform=platform)
        issue = self._groups.get(key)
        if issue is None:
            if len(self._groups) >= self._max_groups:
                self._overflow += 1
                return key
            issue = WorkflowIssue(
                fingerprint=key,
                category=classification.category,
                severity=classification.severity,
                retryable=classification.retryable,
                message_template=template,
                platform=platform,
                workflow_id=workflow_id or record.workflow_id,
                replay_safety=classification.replay_safety,
                confidence=classification.confidence,
                rule_id=classification.rule_id,
            )
            self._groups[key] = issue
        self._count(issue, record, classification)
        return key

    def _count(self, issue: WorkflowIssue, record: LogRecord, verdict: Classification) -> None:
        issue.occurrences += 1
        if verdict.severity.rank < issue.severity.rank:  # keep the worst seen
            issue.severity = verdict.severity
        moment = record.timestamp
        if moment is not None:
            if issue.first_seen is None or _comparable(moment) < _comparable(issue.first_seen):
                issue.first_seen = moment
            if issue.last_seen is None or _comparable(moment) > _comparable(issue.last_seen):
                issue.last_seen = moment
        if len(issue.evidence) < self._max_examples:
            example = (record.raw or record.message)[:MAX_EXAMPLE_CHARS]
            if example not in issue.evidence:
                issue.evidence.append(example)

    def issues(self) -> list[WorkflowIssue]:
        """The issues, worst severity first, then most frequent; copies, safe to change."""
        ranked = sorted(
            self._groups.values(), key=lambda issue: (issue.severity.rank, -issue.occurrences)
        )
        return [dataclasses.replace(issue, evidence=list(issue.evidence)) for issue in ranked]
