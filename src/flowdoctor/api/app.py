"""The FastAPI application, built from a ``Runtime``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from flowdoctor import __version__
from flowdoctor.api.body_limit import BodyLimitMiddleware
from flowdoctor.api.errors import install_error_handlers
from flowdoctor.api.routes import alerting, changes, ingest, metrics, sessions, workflows
from flowdoctor.runtime import Runtime

API_PREFIX = "/api/workflow-troubleshooting"


def create_app(runtime: Runtime) -> FastAPI:
    """The API with every router, the body size limit and the error handlers installed."""
    app = FastAPI(
        title="flowdoctor",
        version=__version__,
        description="Troubleshooting for workflow automations: what is broken, why, what to do "
        "about it, and did the fix work.",
    )
    app.state.runtime = runtime
    for router in (
        sessions.router,
        ingest.router,
        workflows.router,
        changes.router,
        alerting.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.state.metrics_registry = runtime.instruments.registry
    app.include_router(metrics.router)  # at the root: Prometheus scrapes /metrics
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=runtime.settings.max_body_bytes)

    @app.get("/healthz", tags=["service"])
    def liveness() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app
