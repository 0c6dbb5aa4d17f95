"""Troubleshooting sessions: start one, move it through its stages, read what it found."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.pagination import (
    DEFAULT_LIMIT,
    NO_NUL,
    Cursor,
    Limit,
    decode_cursor,
    render_page,
)
from flowdoctor.api.problems import problems
from flowdoctor.api.schemas import (
    AnalyzeMetricsIn,
    CreateSessionIn,
    FindingOut,
    IssueOut,
    RecommendationOut,
    SessionDetailOut,
    SessionOut,
    SessionPage,
    SimilarIssueOut,
    SummaryOut,
    VerificationOut,
    VerifyIn,
)
from flowdoctor.domain import SessionStatus, Stage
from flowdoctor.ingest import records_from_strings

router = APIRouter(prefix="/sessions", tags=["sessions"])
LIST = "sessions"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionDetailOut,
    responses=problems(413, 422),
)
def create_session(body: CreateSessionIn, runtime: RuntimeDep) -> SessionDetailOut:
    """Start a session and run identification on the given error logs and run events."""
    logs = None if body.error_logs is None else records_from_strings(body.error_logs)
    session = runtime.sessions.start(
        workflow_id=body.workflow_id,
        error_logs=logs,
        run_events=[e.to_domain() for e in body.run_events],
    )
    return SessionDetailOut.model_validate(session)


@router.get("", response_model=SessionPage, responses=problems(422))
def list_sessions(
    runtime: RuntimeDep,
    workflow_id: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    status_: Annotated[
        list[SessionStatus] | None, Query(alias="status", description="Any of these statuses.")
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="Created at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Created before.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> SessionPage:
    """Sessions, newest first, a page at a time (without their issues and findings)."""
    page = runtime.sessions.page(
        workflow_id=workflow_id,
        statuses=status_ or (),
        since=since,
        until=until,
        after=decode_cursor(LIST, cursor),
        limit=limit,
    )
    return render_page(SessionPage, LIST, page, SessionOut.model_validate)


@router.get("/{session_id}", response_model=SessionDetailOut, responses=problems(404, 422))
def get_session(session_id: str, runtime: RuntimeDep) -> SessionDetailOut:
    """One session with its issues, findings, recommendations and verification."""
    return SessionDetailOut.model_validate(runtime.sessions.get(session_id))


@router.get("/{session_id}/issues", response_model=list[IssueOut], responses=problems(404, 422))
def get_issues(session_id: str, runtime: RuntimeDep) -> list[IssueOut]:
    """The issues identification found, worst first."""
    issues = runtime.sessions.get(session_id).issues
    ordered = sorted(issues, key=lambda i: (i.severity.rank, -i.occurrences))
    return [IssueOut.model_validate(i) for i in ordered]


@router.post(
    "/{session_id}/analyze-metrics",
    response_model=list[FindingOut],
    responses=problems(404, 409, 413, 422),
)
def analyze_metrics(
    session_id: str, body: AnalyzeMetricsIn, runtime: RuntimeDep
) -> list[FindingOut]:
    """Run analysis on a metrics snapshot; returns the findings."""
    session = runtime.sessions.analyze(session_id, metrics=body.metrics, baseline=body.baseline)
    return [FindingOut.model_validate(f) for f in session.findings if f.stage is Stage.ANALYSIS]


@router.post(
    "/{session_id}/recommendations",
    response_model=list[RecommendationOut],
    responses=problems(404, 409, 422),
)
def recommendations(session_id: str, runtime: RuntimeDep) -> list[RecommendationOut]:
    """Run diagnosis and resolution (as needed); returns ranked recommendations."""
    return [RecommendationOut.model_validate(r) for r in runtime.sessions.recommend(session_id)]


@router.post(
    "/{session_id}/verify", response_model=VerificationOut, responses=problems(404, 409, 413, 422)
)
def verify(session_id: str, body: VerifyIn, runtime: RuntimeDep) -> VerificationOut:
    """Verify the fix against stored runs, or against two metric snapshots."""
    session = runtime.sessions.verify(
        session_id, fix_applied_at=body.fix_applied_at, before=body.before, after=body.after
    )
    return VerificationOut.model_validate(session.verification)


@router.post(
    "/{session_id}/advance", response_model=SessionDetailOut, responses=problems(404, 409, 422)
)
def advance(session_id: str, runtime: RuntimeDep) -> SessionDetailOut:
    """Run the session's next stage with what is stored: identification → analysis (of the
    stored runs) → diagnosis → resolution → verification (against the runs since resolution).
    409 when nothing follows: after verification (``POST .../verify`` repeats it) or once
    closed."""
    return SessionDetailOut.model_validate(runtime.sessions.advance(session_id))


@router.post("/{session_id}/close", response_model=SessionOut, responses=problems(404, 409, 422))
def close(session_id: str, runtime: RuntimeDep) -> SessionOut:
    """Close the session; it accepts no further stages."""
    return SessionOut.model_validate(runtime.sessions.close(session_id))


@router.get(
    "/{session_id}/similar-issues",
    response_model=list[SimilarIssueOut],
    responses=problems(404, 422),
)
def similar_issues(
    session_id: str,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 3,
) -> list[SimilarIssueOut]:
    """For each issue, the most similar issues of earlier resolved sessions and what fixed them."""
    found = runtime.sessions.similar_past_issues(session_id, limit=limit)
    return [SimilarIssueOut.model_validate(s) for s in found]


@router.get("/{session_id}/summary", response_model=SummaryOut, responses=problems(404, 422))
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
