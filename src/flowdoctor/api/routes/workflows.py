"""Workflows: which are known and how healthy each is."""

from __future__ import annotations

from fastapi import APIRouter

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.schemas import HealthOut, WorkflowListOut

router = APIRouter(prefix="/workflows", tags=["workflows"])


@router.get("", response_model=WorkflowListOut)
def list_workflows(runtime: RuntimeDep) -> WorkflowListOut:
    """Every workflow that has reported runs."""
    return WorkflowListOut(workflows=runtime.workflows.list_ids())


@router.get("/{workflow_id}/health", response_model=HealthOut)
def health(workflow_id: str, runtime: RuntimeDep) -> HealthOut:
    """The workflow's health score, 0-100, with the points each component lost and why."""
    return HealthOut.model_validate(runtime.workflows.health(workflow_id))
