"""Troubleshooting sessions: start one, move it through its stages, read what it found."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, status

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.schemas import (
    AnalyzeMetricsIn,
    CreateSessionIn,
    FindingOut,
    IssueOut,
    RecommendationOut,
    SessionDetailOut,
    SessionOut,
    SimilarIssueOut,
    SummaryOut,
    VerificationOut,
    VerifyIn,
    WorkflowId,
)
from flowdoctor.domain import Stage
from flowdoctor.ingest import records_from_strings

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionDetailOut)
def create_session(body: CreateSessionIn, runtime: RuntimeDep) -> SessionDetailOut:
    """Start a session and run identification on the given error logs and run events."""
    logs = None if body.error_logs is None else records_from_strings(body.error_logs)
    session = runtime.sessions.start(
        workflow_id=body.workflow_id,
        error_logs=logs,
        run_events=[e.to_domain() for e in body.run_events],
    )
    return SessionDetailOut.model_validate(session)


@router.get("", response_model=list[SessionOut])
def list_sessions(
    runtime: RuntimeDep,
    workflow_id: WorkflowId | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SessionOut]:
    """Newest sessions first."""
    sessions = runtime.sessions.list(workflow_id=workflow_id, limit=limit)
    return [SessionOut.model_validate(s) for s in sessions]


@router.get("/{session_id}", response_model=SessionDetailOut)
def get_session(session_id: str, runtime: RuntimeDep) -> SessionDetailOut:
    """One session with its issues, findings, recommendations and verification."""
    return SessionDetailOut.model_validate(runtime.sessions.get(session_id))


@router.get("/{session_id}/issues", response_model=list[IssueOut])
def get_issues(session_id: str, runtime: RuntimeDep) -> list[IssueOut]:
    """The issues identification found, worst first."""
    issues = runtime.sessions.get(session_id).issues
    ordered = sorted(issues, key=lambda i: (i.severity.rank, -i.occurrences))
    return [IssueOut.model_validate(i) for i in ordered]


@router.post("/{session_id}/analyze-metrics", response_model=list[FindingOut])
def analyze_metrics(
    session_id: str, body: AnalyzeMetricsIn, runtime: RuntimeDep
) -> list[FindingOut]:
    """Run analysis on a metrics snapshot; returns the findings."""
    session = runtime.sessions.analyze(session_id, metrics=body.metrics, baseline=body.baseline)
    return [FindingOut.model_validate(f) for f in session.findings if f.stage is Stage.ANALYSIS]


@router.post("/{session_id}/recommendations", response_model=list[RecommendationOut])
def recommendations(session_id: str, runtime: RuntimeDep) -> list[RecommendationOut]:
    """Run diagnosis and resolution (as needed); returns ranked recommendations."""
    return [RecommendationOut.model_validate(r) for r in runtime.sessions.recommend(session_id)]


@router.post("/{session_id}/verify", response_model=VerificationOut)
def verify(session_id: str, body: VerifyIn, runtime: RuntimeDep) -> VerificationOut:
    """Verify the fix against stored runs, or against two metric snapshots."""
    session = runtime.sessions.verify(
        session_id, fix_applied_at=body.fix_applied_at, before=body.before, after=body.after
    )
    return VerificationOut.model_validate(session.verification)


@router.post("/{session_id}/close", response_model=SessionOut)
def close(session_id: str, runtime: RuntimeDep) -> SessionOut:
    """Close the session; it accepts no further stages."""
    return SessionOut.model_validate(runtime.sessions.close(session_id))


@router.get("/{session_id}/similar-issues", response_model=list[SimilarIssueOut])
def similar_issues(
    session_id: str,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 3,
) -> list[SimilarIssueOut]:
    """For each issue, the most similar issues of earlier resolved sessions and what fixed them."""
    found = runtime.sessions.similar_past_issues(session_id, limit=limit)
    return [SimilarIssueOut.model_validate(s) for s in found]


@router.get("/{session_id}/summary", response_model=SummaryOut)
def summary(session_id: str, runtime: RuntimeDep) -> SummaryOut:
    """The session at a glance, with its stages and full audit trail."""
    session = runtime.sessions.get(session_id)
    similar = runtime.sessions.similar_past_issues(session_id)
    base = SessionOut.model_validate(session).model_dump()
    return SummaryOut.model_validate(
        {
            **base,
            "issues_by_category": dict(Counter(i.category.value for i in session.issues)),
            "issues_by_severity": dict(Counter(i.severity.value for i in session.issues)),
            "total_occurrences": sum(i.occurrences for i in session.issues),
            "root_causes": [FindingOut.model_validate(f) for f in session.root_causes],
            "findings": [FindingOut.model_validate(f) for f in session.findings],
            "recommendations": [
                RecommendationOut.model_validate(r) for r in session.recommendations
            ],
            "verification": session.verification
            and VerificationOut.model_validate(session.verification),
            "similar_past_issues": [SimilarIssueOut.model_validate(s) for s in similar],
            "stages": [{**_fields(s), "duration_ms": s.duration_ms} for s in session.stages],
            "events": [_fields(e) for e in session.events],
        }
    )


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]
