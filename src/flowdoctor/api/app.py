"""The FastAPI application, built from a ``Runtime``."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from flowdoctor._version import __version__
from flowdoctor.access import RateLimiter
from flowdoctor.api.auth import AccessMiddleware, document_security
from flowdoctor.api.body_limit import BodyLimitMiddleware
from flowdoctor.api.errors import install_error_handlers
from flowdoctor.api.paths import API_PREFIX
from flowdoctor.api.routes import (
    alerting,
    alertmanager,
    changes,
    channels,
    ingest,
    issues,
    metrics,
    sessions,
    templates,
    workflows,
)
from flowdoctor.config import Settings
from flowdoctor.monitor.scheduler import EvaluationLoop
from flowdoctor.runtime import Runtime, build

__all__ = ["API_PREFIX", "create_app"]


def create_app(
    runtime: Runtime, *, evaluate_rules: bool = False, close_runtime: bool = False
) -> FastAPI:
    """The API with every router, the body size limit and the error handlers installed.

    With ``evaluate_rules`` the app evaluates the alert rules every
    ``settings.evaluation_interval_seconds`` and delivers due notifications every
    ``settings.delivery_interval_seconds`` while it runs (``flowdoctor serve`` does; tests drive
    both by hand). With ``close_runtime`` it closes ``runtime`` when it shuts down.
    """
    loop = EvaluationLoop(runtime.evaluator, interval=runtime.settings.evaluation_interval_seconds)

    stop_delivery = threading.Event()
    delivery = threading.Thread(
        target=runtime.notifications.run,
        args=(stop_delivery,),
        kwargs={"interval": runtime.settings.delivery_interval_seconds},
        name="flowdoctor-notifications",
        daemon=True,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if evaluate_rules:
            loop.start()
            delivery.start()
        try:
            yield
        finally:
            if evaluate_rules:
                loop.stop()
                stop_delivery.set()
                delivery.join(timeout=30)
            if close_runtime:
                runtime.close()

    app = FastAPI(
        lifespan=lifespan,
        title="flowdoctor",
        version=__version__,
        description="Troubleshooting for workflow automations: what is broken, why, what to do "
        "about it, and did the fix work.",
    )
    app.state.runtime = runtime
    app.state.evaluation_loop = loop
    for router in (
        sessions.router,
        ingest.router,
        workflows.router,
        changes.router,
        alerting.router,
        channels.router,
        issues.router,
        templates.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.state.metrics_registry = runtime.instruments.registry
    app.include_router(metrics.router)  # at the root: Prometheus scrapes /metrics
    app.include_router(alertmanager.router)  # Alertmanager's webhook path, as it documents
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=runtime.settings.max_body_bytes)
    # Added last, so it runs first: a request without a good key is refused before its body is read.
    app.add_middleware(
        AccessMiddleware,
        keys=runtime.keys,
        limiter=RateLimiter(
            per_minute=runtime.settings.rate_limit_per_minute,
            burst=runtime.settings.rate_limit_burst,
        ),
        bound_to=runtime.settings.host,
    )
    document_security(app)

    @app.get("/healthz", tags=["service"])
    def liveness() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app


def worker_app() -> FastAPI:
    """The app of one ``flowdoctor serve --workers N`` worker process (uvicorn calls this factory
    in each worker): settings read from the environment, as the parent read them, and a runtime of
    its own, closed when the worker stops. It does not migrate: ``serve`` brought the schema up to
    date before the workers started (several processes migrating one SQLite file would race), so
    each worker only checks that the schema is current. Every worker runs the evaluation loop; the
    evaluator's lease lets one of them evaluate at a time."""
    settings = Settings().model_copy(update={"auto_migrate": False})
    return create_app(build(settings), evaluate_rules=True, close_runtime=True)
