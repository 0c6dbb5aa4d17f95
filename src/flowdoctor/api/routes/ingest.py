"""Batched ingestion of run events, log lines and metric samples; a batch is stored whole or
not at all."""

from __future__ import annotations

from fastapi import APIRouter, status

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.problems import problems
from flowdoctor.api.schemas import IngestLogsIn, IngestMetricsIn, IngestOut, IngestRunsIn
from flowdoctor.ingest import IngestReport, records_from_strings

router = APIRouter(tags=["ingest"])


@router.post(
    "/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestOut,
    responses=problems(413, 422),
)
def ingest_runs(body: IngestRunsIn, runtime: RuntimeDep) -> IngestOut:
    """Store a batch of run events."""
    result = runtime.intake.add_runs([e.to_domain() for e in body.events])
    return IngestOut(accepted=result.accepted)


@router.post(
    "/logs",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestOut,
    responses=problems(413, 422),
)
def ingest_logs(body: IngestLogsIn, runtime: RuntimeDep) -> IngestOut:
    """Store a batch of log lines; blank and unreadable lines are counted as skipped."""
    report = IngestReport()
    records = list(records_from_strings(body.lines, report=report))
    result = runtime.intake.add_logs(records, workflow_id=body.workflow_id)
    return IngestOut(accepted=result.accepted, skipped=len(body.lines) - result.accepted)


@router.post(
    "/metrics",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestOut,
    responses=problems(413, 422),
)
def ingest_metrics(body: IngestMetricsIn, runtime: RuntimeDep) -> IngestOut:
    """Store a batch of metric samples (analysed as series by a session's analysis stage)."""
    result = runtime.intake.add_metrics([s.to_domain() for s in body.samples])
    return IngestOut(accepted=result.accepted)
