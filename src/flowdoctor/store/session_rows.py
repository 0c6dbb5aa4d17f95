"""Sessions and their children as table rows and back: the one place that knows how a
session's issues, findings, recommendations and verification are laid out in the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flowdoctor.domain import (
    DiagnosticFinding,
    IssueCategory,
    Recommendation,
    ReplaySafety,
    SessionStatus,
    Severity,
    Stage,
    TroubleshootingSession,
    VerificationResult,
    WorkflowIssue,
)


def session_from_row(row: Any) -> TroubleshootingSession:
    return TroubleshootingSession(
        session_id=row["session_id"],
        workflow_id=row["workflow_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        stage=Stage(row["stage"]) if row["stage"] else None,
        status=SessionStatus(row["status"]),
        metrics={str(k): float(v) for k, v in (row["metrics"] or {}).items()},
        verification=verification_from_json(row["verification"]),
    )


def verification_to_json(result: VerificationResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "verified": result.verified,
        "reason": result.reason,
        "baseline": dict(result.baseline),
        "after": dict(result.after),
        "fix_applied_at": result.fix_applied_at.isoformat() if result.fix_applied_at else None,
    }


def verification_from_json(data: dict[str, Any] | None) -> VerificationResult | None:
    if not data:
        return None
    fixed = data.get("fix_applied_at")
    return VerificationResult(
        verified=bool(data["verified"]),
        reason=str(data["reason"]),
        baseline={str(k): float(v) for k, v in data["baseline"].items()},
        after={str(k): float(v) for k, v in data["after"].items()},
        fix_applied_at=datetime.fromisoformat(fixed) if fixed else None,
    )


def issue_row(session_id: str, issue: WorkflowIssue) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "fingerprint": issue.fingerprint,
        "category": issue.category.value,
        "severity": issue.severity.value,
        "retryable": issue.retryable,
        "platform": issue.platform,
        "workflow_id": issue.workflow_id,
        "replay_safety": issue.replay_safety.value,
        "confidence": issue.confidence,
        "rule_id": issue.rule_id,
        "message_template": issue.message_template,
        "occurrences": issue.occurrences,
        "first_seen": issue.first_seen,
        "last_seen": issue.last_seen,
        "evidence": list(issue.evidence),
    }


def issue_from_row(row: Any) -> WorkflowIssue:
    return WorkflowIssue(
        fingerprint=row["fingerprint"],
        category=IssueCategory(row["category"]),
        severity=Severity(row["severity"]),
        retryable=bool(row["retryable"]),
        message_template=row["message_template"],
        platform=row["platform"],
        workflow_id=row["workflow_id"],
        replay_safety=ReplaySafety(row["replay_safety"]),
        confidence=float(row["confidence"]),
        rule_id=row["rule_id"],
        occurrences=int(row["occurrences"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        evidence=[str(e) for e in row["evidence"]],
    )


def finding_row(session_id: str, finding: DiagnosticFinding) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "stage": finding.stage.value,
        "kind": finding.kind,
        "description": finding.description,
        "confidence": finding.confidence,
        "subject": finding.subject,
        "category": finding.category.value if finding.category else None,
        "evidence": list(finding.evidence),
    }


def finding_from_row(row: Any) -> DiagnosticFinding:
    return DiagnosticFinding(
        kind=row["kind"],
        description=row["description"],
        confidence=float(row["confidence"]),
        stage=Stage(row["stage"]),
        subject=row["subject"],
        category=IssueCategory(row["category"]) if row["category"] else None,
        evidence=tuple(str(e) for e in row["evidence"]),
    )


def recommendation_row(session_id: str, rec: Recommendation) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "priority": rec.priority,
        "title": rec.title,
        "steps": list(rec.steps),
        "rationale": rec.rationale,
        "retryable": rec.retryable,
        "replay_safety": rec.replay_safety.value,
        "confidence": rec.confidence,
        "category": rec.category.value if rec.category else None,
        "platform": rec.platform,
        "issue_fingerprints": list(rec.issue_fingerprints),
        "evidence": list(rec.evidence),
        "doc_url": rec.doc_url,
    }


def recommendation_from_row(row: Any) -> Recommendation:
    return Recommendation(
        title=row["title"],
        steps=tuple(str(s) for s in row["steps"]),
        rationale=row["rationale"],
        retryable=bool(row["retryable"]),
        replay_safety=ReplaySafety(row["replay_safety"]),
        confidence=float(row["confidence"]),
        priority=int(row["priority"]),
        category=IssueCategory(row["category"]) if row["category"] else None,
        platform=row["platform"],
        issue_fingerprints=tuple(str(f) for f in row["issue_fingerprints"]),
        evidence=tuple(str(e) for e in row["evidence"] or ()),
        doc_url=row["doc_url"],
    )
