"""The FastAPI application, built from a ``Runtime``."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

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
from flowdoctor.web import install_dashboard

__all__ = ["API_PREFIX", "create_app"]


def create_app(
    runtime: Runtime,
    *,
    evaluate_rules: bool = False,
    close_runtime: bool = False,
    tune_gc: bool = False,
) -> FastAPI:
    """The API with every router, the body size limit and the error handlers installed.

    With ``evaluate_rules`` the app evaluates the alert rules every
    ``settings.evaluation_interval_seconds`` and delivers due notifications every
    ``settings.delivery_interval_seconds`` while it runs (``flowdoctor serve`` does; tests drive
    both by hand). With ``close_runtime`` it closes ``runtime`` when it shuts down. With
    ``tune_gc`` (a server process of its own: ``flowdoctor serve``) it sets the garbage collector
    for serving once started (``tune_gc_for_serving``).
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
        if tune_gc:
            tune_gc_for_serving()
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
    install_dashboard(app)  # the web pages at /, over the same services
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

    return app


GC_THRESHOLD_SERVING = (20_000, 20, 20)
"""Allocations between young collections while serving (Python's default is 700)."""


def tune_gc_for_serving() -> None:
    """Keep the cyclic garbage collector off the request path of a started server.

    Under batched ingestion a profile of ``serve`` showed the collector in about a sixth of the
    Python CPU time: each request allocates thousands of short-lived objects (a 100-event batch is
    parsed, validated and turned into rows), so young collections ran every few hundred
    allocations and the older ones kept walking the whole startup heap (the app, its routes and
    schemas, the libraries), which never becomes garbage. ``gc.freeze`` moves that heap out of the
    collector's sight, and a higher young threshold lets a request's temporaries die by reference
    counting before a collection looks at them. Cycles are still collected, only less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD_SERVING)


def worker_app() -> FastAPI:
    """The app of one ``flowdoctor serve --workers N`` worker process (uvicorn calls this factory
    in each worker): settings read from the environment, as the parent read them, and a runtime of
    its own, closed when the worker stops. It does not migrate: ``serve`` brought the schema up to
    date before the workers started (several processes migrating one SQLite file would race), so
    each worker only checks that the schema is current. Every worker runs the evaluation loop; the
    evaluator's lease lets one of them evaluate at a time."""
    settings = Settings().model_copy(update={"auto_migrate": False})
    return create_app(build(settings), evaluate_rules=True, close_runtime=True, tune_gc=True)
