"""The seed's monitoring interface: ``WorkflowMonitoringSystem`` and ``MonitoringRule``.

::

    from flowdoctor import MonitoringRule, WorkflowMonitoringSystem

    monitoring = WorkflowMonitoringSystem()
    monitoring.add_monitoring_rule(
        MonitoringRule("salesforce_sync_001", "error_rate", "greater_than", 0.1,
                       "error_rate_high", "high")
    )
    await monitoring.start_monitoring_server(port=9090)   # /metrics, the API, rule evaluation
    ...
    await monitoring.stop_monitoring_server()

``MonitoringRule`` is ``AlertRule``: its first six fields are the seed's, in the seed's order,
and the rest (``for_duration``, ``labels``, ``runbook_url``...) are optional.
"""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from flowdoctor.api.app import create_app
from flowdoctor.config import Settings
from flowdoctor.domain import AlertRule
from flowdoctor.errors import ConfigurationError
from flowdoctor.runtime import Runtime, build

MonitoringRule = AlertRule


class WorkflowMonitoringSystem:
    """Rules, evaluation and the metrics server of one flowdoctor database."""

    def __init__(self, settings: Settings | None = None, *, runtime: Runtime | None = None) -> None:
        self._runtime = runtime or build(settings or Settings())
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port: int | None = None

    @property
    def runtime(self) -> Runtime:
        """The wired services underneath."""
        return self._runtime

    def add_monitoring_rule(self, rule: AlertRule) -> AlertRule:
        """Store ``rule`` (validated; an id is made when it has none); returns it as stored."""
        return self._runtime.rules.create(rule)

    async def start_monitoring_server(self, port: int = 9090, host: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` and the API on ``host:port`` and evaluate the rules periodically;
        returns once the server is listening (``port=0`` picks a free port, see ``self.port``)."""
        if self._task is not None:
            raise ConfigurationError("the monitoring server is running already")
        if port == 0:
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = int(probe.getsockname()[1])
        config = uvicorn.Config(
            create_app(self._runtime, evaluate_rules=True),
            host=host,
            port=port,
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises why it could not start
                raise ConfigurationError(f"the monitoring server did not start on {host}:{port}")
            await asyncio.sleep(0.02)
        self.port = port

    async def stop_monitoring_server(self) -> None:
        """Stop serving and evaluating."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._server, self._task = None, None

    def close(self) -> None:
        """Release the database connections."""
        self._runtime.close()
