"""``GET /metrics``: the runtime's Prometheus registry in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest

router = APIRouter(tags=["service"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "The Prometheus text exposition format, version 0.0.4",
            "content": {CONTENT_TYPE_PLAIN_0_0_4: {"schema": {"type": "string"}}},
        }
    },
)
def metrics(request: Request) -> Response:
    """Prometheus metrics: workflow health, alerts, issues, ingestion, evaluation, notifications.

    A plain ``def``: the scrape-time gauges may query the database, so this runs in the thread
    pool rather than on the event loop. The registry is ``app.state.metrics_registry``.
    """
    registry: CollectorRegistry = request.app.state.metrics_registry
    # The 0.0.4 text format: every flowdoctor name is a classic one, and Prometheus 2.x reads it.
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)
