"""Ranking: from root causes and issues to a short, ordered, deduplicated list of actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flowdoctor.detect.knowledge import KnowledgeBase
from flowdoctor.domain import (
    DiagnosticFinding,
    IssueCategory,
    Recommendation,
    ReplaySafety,
    Severity,
    WorkflowIssue,
)
from flowdoctor.errors import InputError
from flowdoctor.recommend.catalogue import remedy_for
from flowdoctor.recommend.evidence import evidence_for
from flowdoctor.recommend.knowledge import SignatureLookup, signature_remedy
from flowdoctor.recommend.remedy import Remedy

UNDIAGNOSED_FACTOR = 0.5
"""An issue no root cause covers is recommended at half its classification confidence."""

RETRYABLE_CATEGORIES = frozenset(
    {
        IssueCategory.CONNECTIVITY,
        IssueCategory.EXTERNAL_SERVICE,
        IssueCategory.TIMEOUT,
        IssueCategory.RESOURCE,
        IssueCategory.PERFORMANCE,
    }
)
"""Categories whose failures may succeed when repeated (taxonomy), for causes with no issues."""

_REPLAY_RISK = (
    ReplaySafety.SAFE,
    ReplaySafety.MAY_DUPLICATE_WRITES,
    ReplaySafety.UNSAFE_UNTIL_FIXED,
)
_REPLAY_STEP = {
    ReplaySafety.MAY_DUPLICATE_WRITES: (
        "Before replaying failed runs, check which of their writes went through: a replay may "
        "create duplicates (use idempotency keys or upserts)."
    ),
    ReplaySafety.UNSAFE_UNTIL_FIXED: (
        "Do not replay failed runs until the fix is in place: they would fail the same way."
    ),
}


@dataclass(slots=True)
class _Draft:
    remedy: Remedy
    category: IssueCategory
    platform: str | None
    confidence: float
    cause: DiagnosticFinding | None
    issues: list[WorkflowIssue] = field(default_factory=list)

    def merge(self, other: _Draft) -> None:
        self.confidence = max(self.confidence, other.confidence)
        if self.platform != other.platform:
            self.platform = None
        known = {issue.fingerprint for issue in self.issues}
        self.issues.extend(issue for issue in other.issues if issue.fingerprint not in known)

    @property
    def occurrences(self) -> int:
        return sum(max(1, issue.occurrences) for issue in self.issues)

    @property
    def severity_rank(self) -> int:
        return min((issue.severity.rank for issue in self.issues), default=len(Severity))


def recommend(
    issues: Sequence[WorkflowIssue],
    root_causes: Sequence[DiagnosticFinding],
    *,
    limit: int = 10,
    knowledge: KnowledgeBase | None = None,
) -> list[Recommendation]:
    """Ranked recommendations, priority 1 first, at most ``limit``.

    Each root cause (most confident first) takes the issues of its category and platform. An issue
    whose ``rule_id`` is a signature of the knowledge base (``knowledge``, by default the one
    shipped with flowdoctor) gets that signature's title, remediation steps and documentation link;
    any other issue gets the catalogue's remedy (a specific entry when one matches, else its
    category's). A root cause with no issues (slow but not failing) still gets its category's
    remedy. Issues no root cause covers follow, at ``UNDIAGNOSED_FACTOR`` times their
    classification confidence.

    Remedies with the same title merge (their fingerprints join). Order: confidence, then worst
    severity, then occurrences. ``retryable`` holds only if it holds for every issue merged, and
    ``replay_safety`` is the riskiest of them, with a step saying what that means for replays.
    Each recommendation's ``evidence`` names the errors and the root cause it rests on.
    """
    if limit < 1:
        raise InputError("limit must be at least 1", field="limit")
    signatures = SignatureLookup(knowledge)
    drafts: dict[str, _Draft] = {}
    covered: set[str] = set()
    causes = [c for c in root_causes if c.kind == "root_cause" and c.category is not None]
    for cause in sorted(causes, key=lambda c: -c.confidence):
        matched = [i for i in issues if _covers(cause, i) and i.fingerprint not in covered]
        covered.update(issue.fingerprint for issue in matched)
        for draft in _cause_drafts(cause, matched, signatures):
            _add(drafts, draft)
    for issue in issues:
        if issue.fingerprint not in covered:
            confidence = issue.confidence * UNDIAGNOSED_FACTOR
            _add(drafts, _issue_draft(issue, confidence, None, signatures))
    ordered = sorted(
        drafts.values(),
        key=lambda d: (-d.confidence, d.severity_rank, -d.occurrences, d.remedy.title),
    )
    return [_recommendation(draft, priority) for priority, draft in enumerate(ordered[:limit], 1)]


def _covers(cause: DiagnosticFinding, issue: WorkflowIssue) -> bool:
    return issue.category is cause.category and issue.platform == cause.subject


def _cause_drafts(
    cause: DiagnosticFinding, issues: list[WorkflowIssue], signatures: SignatureLookup
) -> list[_Draft]:
    if issues:
        return [_issue_draft(issue, cause.confidence, cause, signatures) for issue in issues]
    assert cause.category is not None
    remedy, _ = remedy_for(cause.category, platform=cause.subject)
    return [_Draft(remedy, cause.category, cause.subject, cause.confidence, cause)]


def _issue_draft(
    issue: WorkflowIssue,
    confidence: float,
    cause: DiagnosticFinding | None,
    signatures: SignatureLookup,
) -> _Draft:
    signature = signatures.get(issue.rule_id)
    if signature is not None:
        remedy = signature_remedy(signature)
    else:
        remedy, _ = remedy_for(
            issue.category,
            platform=issue.platform,
            rule_id=issue.rule_id,
            message=issue.message_template,
        )
    return _Draft(remedy, issue.category, issue.platform, confidence, cause, [issue])


def _add(drafts: dict[str, _Draft], draft: _Draft) -> None:
    existing = drafts.get(draft.remedy.title)
    if existing is None:
        drafts[draft.remedy.title] = draft
    else:
        existing.merge(draft)


def _recommendation(draft: _Draft, priority: int) -> Recommendation:
    if draft.issues:
        retryable = all(issue.retryable for issue in draft.issues)
        replay = max((issue.replay_safety for issue in draft.issues), key=_REPLAY_RISK.index)
    else:
        retryable = draft.category in RETRYABLE_CATEGORIES
        replay = ReplaySafety.SAFE if retryable else ReplaySafety.UNSAFE_UNTIL_FIXED
    steps = draft.remedy.steps
    if draft.issues and replay in _REPLAY_STEP:
        steps = (*steps, _REPLAY_STEP[replay])
    return Recommendation(
        title=draft.remedy.title,
        steps=steps,
        rationale=_rationale(draft),
        retryable=retryable,
        replay_safety=replay,
        confidence=round(min(1.0, max(0.0, draft.confidence)), 4),
        priority=priority,
        category=draft.category,
        platform=draft.platform,
        issue_fingerprints=tuple(issue.fingerprint for issue in draft.issues),
        evidence=evidence_for(draft.issues, draft.cause),
        doc_url=draft.remedy.doc_url,
    )


def _rationale(draft: _Draft) -> str:
    parts = [draft.remedy.rationale]
    if draft.cause is not None:
        parts.append(
            f"Probable root cause: {draft.cause.description} "
            f"({draft.cause.confidence:.0%} confidence)."
        )
    else:
        parts.append("No root cause was diagnosed for these errors; the advice follows their kind.")
    if draft.issues:
        parts.append(f"Seen {draft.occurrences} times across {len(draft.issues)} issue(s).")
    return " ".join(parts)
