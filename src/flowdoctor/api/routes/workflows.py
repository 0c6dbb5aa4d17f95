"""Workflows: which are known and how healthy each is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.problems import problems
from flowdoctor.api.schemas import HealthOut, HealthPointOut, Timestamp, WorkflowListOut

router = APIRouter(prefix="/workflows", tags=["workflows"])


@router.get("", response_model=WorkflowListOut)
def list_workflows(runtime: RuntimeDep) -> WorkflowListOut:
    """Every workflow that has reported runs."""
    return WorkflowListOut(workflows=runtime.workflows.list_ids())


@router.get("/{workflow_id}/health", response_model=HealthOut, responses=problems(404, 422))
def health(workflow_id: str, runtime: RuntimeDep) -> HealthOut:
    """The workflow's health score, 0-100, with the points each component lost and why."""
    return HealthOut.model_validate(runtime.workflows.health(workflow_id))


@router.get(
    "/{workflow_id}/health/history",
    response_model=list[HealthPointOut],
    responses=problems(404, 422),
)
def health_history(
    workflow_id: str,
    runtime: RuntimeDep,
    since: Annotated[Timestamp | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[HealthPointOut]:
    """Recorded health scores with their breakdown, oldest first (recorded every 15 minutes
    while the server evaluates rules)."""
    rows = runtime.workflows.health_history(workflow_id, since=since, limit=limit)
    return [
        HealthPointOut.model_validate({"computed_at": at, "score": score, "components": parts})
        for at, score, parts in rows
    ]
