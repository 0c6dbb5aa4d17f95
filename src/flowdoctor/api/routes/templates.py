"""Recurring error templates: what identification's template miner counted, per workflow, over
every session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
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
from flowdoctor.api.schemas import TemplateOut, TemplatePage

router = APIRouter(prefix="/templates", tags=["issues"])
LIST = "templates"


@router.get("", response_model=TemplatePage, responses=problems(422))
def list_templates(
    runtime: RuntimeDep,
    workflow_id: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    since: Annotated[AwareDatetime | None, Query(description="Last seen at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="First seen before.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> TemplatePage:
    """Error templates with their counts, most frequent first, a page at a time. Counts grow as
    sessions run: a template that recurs while you page moves towards the first page, so it is
    never listed twice, and you see it on the next walk."""
    page = runtime.issues.templates(
        workflow_id=workflow_id,
        since=since,
        until=until,
        after=decode_cursor(LIST, cursor),
        limit=limit,
    )
    return render_page(TemplatePage, LIST, page, TemplateOut.model_validate)
