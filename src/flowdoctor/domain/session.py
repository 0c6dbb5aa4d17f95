"""A troubleshooting session and what its stages produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowdoctor.domain.enums import IssueCategory, ReplaySafety, SessionStatus, Stage
from flowdoctor.domain.issues import WorkflowIssue


@dataclass(frozen=True, slots=True)
class DiagnosticFinding:
    """Something analysis or diagnosis found, with how sure it is and why.

    ``kind`` says what sort of finding it is: ``metric_threshold``, ``metric_baseline``,
    ``root_cause``...; ``subject`` is what it is about (a metric name, a platform).
    """

    kind: str
    description: str
    confidence: float
    stage: Stage
    subject: str | None = None
    category: IssueCategory | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A specific action to take, ranked by ``priority`` (1 = do this first)."""

    title: str
    steps: tuple[str, ...]
    rationale: str
    retryable: bool
    replay_safety: ReplaySafety
    confidence: float
    priority: int = 0
    category: IssueCategory | None = None
    platform: str | None = None
    issue_fingerprints: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    """What the advice rests on: the signatures or errors matched and how often, the root cause."""
    doc_url: str | None = None
    """Where to read more: the matched knowledge-base signature's documentation."""


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Did the fix work? The numbers before and after, and the verdict drawn from them."""

    verified: bool
    reason: str
    baseline: dict[str, float]
    after: dict[str, float]
    fix_applied_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StageRecord:
    """One completed stage: when it ran, how long it took and a summary of its output."""

    stage: Stage
    started_at: datetime
    finished_at: datetime
    output: dict[str, Any]

    @property
    def duration_ms(self) -> float:
        """Wall time the stage took."""
        return (self.finished_at - self.started_at).total_seconds() * 1000.0


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One line of a session's append-only audit trail."""

    at: datetime
    kind: str
    detail: dict[str, Any]
    sequence: int = 0


@dataclass(slots=True)
class TroubleshootingSession:
    """A troubleshooting session for one workflow, and everything its stages produced so far.

    ``stage`` is the last stage completed (``None`` before identification has run).
    """

    session_id: str
    workflow_id: str
    created_at: datetime
    updated_at: datetime
    stage: Stage | None = None
    status: SessionStatus = SessionStatus.OPEN
    issues: list[WorkflowIssue] = field(default_factory=list)
    findings: list[DiagnosticFinding] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    stages: list[StageRecord] = field(default_factory=list)
    events: list[SessionEvent] = field(default_factory=list)
    verification: VerificationResult | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def root_causes(self) -> list[DiagnosticFinding]:
        """Findings of the diagnosis stage, most confident first."""
        found = [f for f in self.findings if f.kind == "root_cause"]
        return sorted(found, key=lambda f: -f.confidence)
