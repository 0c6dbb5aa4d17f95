"""The workflow page (``/workflows/{workflow_id}``): its health score and why points were lost,
its last day's metrics with what the detectors found, its recent runs, its recurring error
templates and its open alerts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from flowdoctor.analyze.template_trends import template_trends
from flowdoctor.analyze.workflow_charts import BASELINE, WINDOW
from flowdoctor.domain import AlertState
from flowdoctor.web.common import RuntimeDep
from flowdoctor.web.render import page
from flowdoctor.web.workflow_charts import workflow_charts

router = APIRouter(include_in_schema=False)

RECENT_RUNS = 50
"""Rows of the recent-runs table."""
MESSAGE_CHARS = 120
"""An error message longer than this is cut in the table (the whole text is its title)."""


@router.get("/workflows/{workflow_id:path}", response_class=HTMLResponse)
def workflow_page(workflow_id: str, request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """One workflow in depth; the app's 404 page when no run of it was ever reported."""
    health = runtime.workflows.health(workflow_id)  # NotFoundError for an unknown workflow
    now = health.computed_at
    runs = runtime.workflows.runs(workflow_id, since=now - WINDOW - BASELINE)
    changes = runtime.changes.list(workflow_id=workflow_id, since=now - WINDOW, until=now)
    templates = runtime.issues.templates(workflow_id=workflow_id).items
    trends = template_trends([t.template for t in templates], runs, now=now)
    alerts = runtime.alerts.list(
        workflow_id=workflow_id, states=[AlertState.PENDING, AlertState.FIRING]
    )
    return page(
        request,
        "workflow.html",
        workflow_id=workflow_id,
        health=health,
        charts=workflow_charts(workflow_id, runs, changes, now=now),
        changes=changes,
        recent=runs[::-1][:RECENT_RUNS],
        templates=list(zip(templates, trends, strict=True)),
        alerts=alerts,
        now=now,
        message_chars=MESSAGE_CHARS,
    )
