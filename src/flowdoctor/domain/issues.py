"""Classified failures and the issues they are grouped into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flowdoctor.domain.enums import IssueCategory, ReplaySafety, Severity


@dataclass(frozen=True, slots=True)
class Classification:
    """What the classifier says about one error message.

    ``evidence`` names what decided it (a rule id, a matched pattern, a platform hint) so a user can
    check the reasoning; ``rule_id`` is ``None`` when nothing matched (category ``UNCLASSIFIED``).
    """

    category: IssueCategory
    severity: Severity
    retryable: bool
    confidence: float
    platform: str | None = None
    replay_safety: ReplaySafety = ReplaySafety.SAFE
    rule_id: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(slots=True)
class WorkflowIssue:
    """A group of errors that are the same problem recurring (same fingerprint)."""

    fingerprint: str
    category: IssueCategory
    severity: Severity
    retryable: bool
    message_template: str
    platform: str | None = None
    workflow_id: str | None = None
    replay_safety: ReplaySafety = ReplaySafety.SAFE
    confidence: float = 0.0
    rule_id: str | None = None
    occurrences: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    evidence: list[str] = field(default_factory=list)
    """A few example lines (bounded), not every occurrence."""
