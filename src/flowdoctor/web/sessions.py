"""The troubleshooting-session pages: the recent sessions (``/sessions``), starting one from a
pasted log (``/sessions/new``), and one session (``/sessions/{id}``) with its stages, issues,
root causes, recommendations, similar past issues and verification, and its two actions
(advance to the next stage, verify the fix)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from flowdoctor.domain import SessionStatus, Stage, TroubleshootingSession
from flowdoctor.errors import InputError, InvalidTransitionError, NotFoundError
from flowdoctor.ingest import DEFAULT_MAX_LINE_BYTES, records_from_strings
from flowdoctor.runtime import Runtime
from flowdoctor.sessions.issues import SessionIssues
from flowdoctor.web.common import RuntimeDep
from flowdoctor.web.render import page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
MAX_WORKFLOW_ID = 200
MAX_LOG_LINES = 100_000
"""The same limits as the API's ``CreateSessionIn``: 200-character workflow ids, at most
100,000 log lines of at most ``DEFAULT_MAX_LINE_BYTES`` each."""

DONE = {
    "started": "Session started: identification, analysis, diagnosis and resolution ran.",
    "advanced": "The session moved to its next stage.",
    "verified": "Verification ran: see its result below.",
}
"""Flash messages by the ``done`` query parameter (a fixed set: never echo the parameter)."""

STATUS_BADGE = {
    SessionStatus.OPEN: "state-pending",
    SessionStatus.VERIFIED: "state-resolved",
    SessionStatus.NOT_VERIFIED: "state-firing",
    SessionStatus.CLOSED: "",
}
"""The badge class of each session status (the alert-state colours: amber, green, red, grey)."""


@dataclass(frozen=True, slots=True)
class StageStep:
    """One stage of the timeline: its state (``completed``, ``current`` = next to run, or
    ``pending``), when it last finished and how many times it ran."""

    stage: Stage
    state: str
    finished_at: datetime | None
    runs: int


@router.get("/sessions", response_class=HTMLResponse)
def sessions_page(
    request: Request,
    runtime: RuntimeDep,
    workflow_id: Annotated[str | None, Query(max_length=MAX_WORKFLOW_ID)] = None,
    after_time: Annotated[str | None, Query(max_length=64)] = None,
    after_id: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """The newest sessions (optionally of one workflow), a page at a time."""
    after = (after_time, after_id) if after_time and after_id else None
    error = None
    try:
        found = runtime.sessions.page(workflow_id=workflow_id or None, after=after, limit=PAGE_SIZE)
    except InputError as exc:  # a tampered "older" link: show the first page and say why
        error = f"That page link is not valid ({exc}); here are the newest sessions."
        after = None
        found = runtime.sessions.page(workflow_id=workflow_id or None, limit=PAGE_SIZE)
    # The page holds sessions without their issues: their counts come in one query.
    summaries = runtime.issues.session_summaries([s.session_id for s in found.items])
    rows = [_row(s, summaries.get(s.session_id)) for s in found.items]
    older = None
    if found.next_key is not None:
        older = {"after_time": str(found.next_key[0]), "after_id": str(found.next_key[1])}
        if workflow_id:
            older["workflow_id"] = workflow_id
    return page(
        request,
        "sessions.html",
        status_code=422 if error else 200,
        rows=rows,
        workflow_id=workflow_id or "",
        older=older,
        paged=after is not None and error is None,
        error=error,
        now=runtime.clock.now(),
        status_badge=STATUS_BADGE,
    )


@router.get("/sessions/new", response_class=HTMLResponse)
def new_session_page(
    request: Request, workflow_id: Annotated[str, Query(max_length=MAX_WORKFLOW_ID)] = ""
) -> HTMLResponse:
    """The form to start a session from pasted log lines."""
    return _form(request, workflow_id=workflow_id, log="", error=None)


@router.post("/sessions", response_class=HTMLResponse, response_model=None)
def create_session(
    request: Request,
    runtime: RuntimeDep,
    workflow_id: Annotated[str, Form()] = "",
    log: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Start a session from the pasted log and take it through resolution; 303 to its page."""
    try:
        lines = _log_lines(log)
        wid = _workflow_id(workflow_id)
        session = runtime.sessions.start(workflow_id=wid, error_logs=records_from_strings(lines))
    except InputError as exc:
        return _form(request, workflow_id=workflow_id, log=log, error=str(exc), status=422)
    # As the demo does: recommend runs analysis (on whatever runs are stored), diagnosis and
    # resolution. Verification waits for the fix.
    runtime.sessions.recommend(session.session_id)
    return _see(session.session_id, "started")


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    request: Request,
    session_id: str,
    runtime: RuntimeDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """One session: its timeline, issues, findings, causes, recommendations and verification."""
    return _detail(request, runtime, session_id, notice=DONE.get(done or ""))


@router.post("/sessions/{session_id}/advance", response_class=HTMLResponse, response_model=None)
def advance_session(
    request: Request, session_id: str, runtime: RuntimeDep
) -> HTMLResponse | RedirectResponse:
    """Run the session's next stage; 409 with the reason when nothing follows."""
    try:
        runtime.sessions.advance(session_id)
    except InvalidTransitionError as exc:
        return _detail(request, runtime, session_id, error=str(exc), status=409)
    except NotFoundError as exc:
        return _not_found(request, exc)
    return _see(session_id, "advanced")


@router.post("/sessions/{session_id}/verify", response_class=HTMLResponse, response_model=None)
def verify_session(
    request: Request,
    session_id: str,
    runtime: RuntimeDep,
    fix_applied_at: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse | RedirectResponse:
    """Verify the fix against the stored runs before and after ``fix_applied_at`` (default: when
    resolution finished)."""
    try:
        fixed = _fix_time(fix_applied_at)
        runtime.sessions.verify(session_id, fix_applied_at=fixed)
    except InputError as exc:
        return _detail(request, runtime, session_id, error=str(exc), status=422)
    except InvalidTransitionError as exc:
        return _detail(request, runtime, session_id, error=str(exc), status=409)
    except NotFoundError as exc:
        return _not_found(request, exc)
    return _see(session_id, "verified")


# -- helpers -------------------------------------------------------------------------------------


def _detail(
    request: Request,
    runtime: Runtime,
    session_id: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    try:
        session = runtime.sessions.get(session_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    # Read-only, like GET /api/sessions/{id}/similar-issues: nothing is re-run on a GET.
    similar = runtime.sessions.similar_past_issues(session_id)
    issues = sorted(session.issues, key=lambda i: (i.severity.rank, -i.occurrences))
    return page(
        request,
        "session.html",
        status_code=status,
        s=session,
        issues=issues,
        analysis=[f for f in session.findings if f.stage is Stage.ANALYSIS],
        causes=session.root_causes,
        timeline=timeline(session),
        events=[(e, _detail_text(e.detail)) for e in session.events],
        similar=similar,
        can_advance=_can_advance(session),
        can_verify=session.stage in (Stage.RESOLUTION, Stage.VERIFICATION)
        and session.status is not SessionStatus.CLOSED,
        notice=notice,
        error=error,
        now=runtime.clock.now(),
        status_badge=STATUS_BADGE,
    )


def timeline(session: TroubleshootingSession) -> list[StageStep]:
    """The five stages with their state: completed up to the session's stage, then the one
    advancing would run (``current``; none once verified or closed), then pending."""
    order = list(Stage)
    reached = -1 if session.stage is None else order.index(session.stage)
    open_ = session.status is not SessionStatus.CLOSED
    steps = []
    for i, stage in enumerate(order):
        records = [r for r in session.stages if r.stage is stage]
        if i <= reached:
            state = "completed"
        elif i == reached + 1 and open_:
            state = "current"
        else:
            state = "pending"
        last = records[-1].finished_at if records else None
        steps.append(StageStep(stage=stage, state=state, finished_at=last, runs=len(records)))
    return steps


def _can_advance(session: TroubleshootingSession) -> bool:
    return session.status is not SessionStatus.CLOSED and session.stage is not Stage.VERIFICATION


def _row(session: TroubleshootingSession, summary: SessionIssues | None) -> dict[str, Any]:
    rank = -1 if session.stage is None else list(Stage).index(session.stage)
    return {
        "s": session,
        "issues": summary.issues if summary else 0,
        "top_category": summary.top_category if summary else None,
        "stage_rank": rank,
    }


def _log_lines(text: str) -> list[str]:
    """The pasted text as log lines (blank ones dropped), within the API's limits."""
    # Browsers send CRLF; str.splitlines would also split on form feeds and U+2028 inside lines.
    pasted = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(pasted, start=1):  # numbered as the textarea shows them
        if len(line.encode("utf-8", "surrogatepass")) > DEFAULT_MAX_LINE_BYTES:
            raise InputError(
                f"Log line {number:,} is longer than {DEFAULT_MAX_LINE_BYTES:,} bytes of UTF-8.",
                field="log",
            )
    lines = [line for line in pasted if line.strip()]
    if not lines:
        raise InputError("Paste at least one log line.", field="log")
    if len(lines) > MAX_LOG_LINES:
        raise InputError(
            f"At most {MAX_LOG_LINES:,} log lines at a time ({len(lines):,} pasted).", field="log"
        )
    return lines


def _workflow_id(text: str) -> str:
    wid = text.strip()
    if not wid:
        raise InputError("Enter the workflow id the log comes from.", field="workflow_id")
    if len(wid) > MAX_WORKFLOW_ID or "\x00" in wid:
        raise InputError(
            f"A workflow id is at most {MAX_WORKFLOW_ID} characters, without NUL.",
            field="workflow_id",
        )
    return wid


def _fix_time(text: str) -> datetime | None:
    """The fix time typed in (ISO 8601; a time without offset is UTC), or ``None``."""
    if not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            "The fix time must look like 2026-11-29T10:00 (UTC) or carry its offset.",
            field="fix_applied_at",
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _detail_text(detail: dict[str, Any], limit: int = 300) -> str:
    """An audit event's detail as one short line of ``key: value`` pairs."""
    text = "; ".join(f"{k}: {v}" for k, v in detail.items() if v not in (None, "", [], {}))
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _form(
    request: Request, *, workflow_id: str, log: str, error: str | None, status: int = 200
) -> HTMLResponse:
    return page(
        request,
        "session_new.html",
        status_code=status,
        workflow_id=workflow_id,
        log=log,
        error=error,
        max_lines=MAX_LOG_LINES,
        max_bytes=DEFAULT_MAX_LINE_BYTES,
    )


def _not_found(request: Request, exc: NotFoundError) -> HTMLResponse:
    return page(
        request,
        "error.html",
        status_code=404,
        status=404,
        title="Not found",
        detail=f"There is no troubleshooting session {exc.identifier!r}.",
    )


def _see(session_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/sessions/{quote(session_id, safe='')}?done={done}", status_code=303)
