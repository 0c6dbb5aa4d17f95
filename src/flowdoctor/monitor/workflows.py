"""Workflows as seen from their runs: which exist and how healthy each is."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flowdoctor.analyze.runs import summarize_runs
from flowdoctor.clock import Clock
from flowdoctor.domain import RunEvent
from flowdoctor.errors import NotFoundError
from flowdoctor.monitor.health import HealthReport, workflow_health
from flowdoctor.store import Database

HEALTH_WINDOW = timedelta(days=1)
"""Runs within this window count toward the health score."""
BASELINE_WINDOW = timedelta(days=7)
"""Runs in this window before it set the latency baseline."""


class WorkflowService:
    """Reads about workflows; knows a workflow only once it has runs."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def list_ids(self) -> list[str]:
        """Every workflow that has reported runs."""
        with self._db.transaction() as store:
            return store.runs.workflow_ids()

    def health(self, workflow_id: str) -> HealthReport:
        """The health score of one workflow with its breakdown; ``NotFoundError`` if unknown."""
        now = self._clock.now()
        with self._db.transaction() as store:
            if store.runs.count(workflow_id=workflow_id) == 0:
                raise NotFoundError("workflow", workflow_id)
            recent = store.runs.list(workflow_id=workflow_id, since=now - HEALTH_WINDOW)
            history = store.runs.list(
                workflow_id=workflow_id,
                since=now - HEALTH_WINDOW - BASELINE_WINDOW,
                until=now - HEALTH_WINDOW,
            )
        baseline = summarize_runs(history).p95_duration_ms if history else None
        return workflow_health(workflow_id, recent, now=now, baseline_p95_ms=baseline)

    def all_health(self) -> dict[str, HealthReport]:
        """Every workflow's health, from one read of the recent runs (for /metrics)."""
        now = self._clock.now()
        start = now - HEALTH_WINDOW
        with self._db.transaction() as store:
            ids = store.runs.workflow_ids()
            runs = store.runs.list(since=start - BASELINE_WINDOW)
        recent: dict[str, list[RunEvent]] = defaultdict(list)
        history: dict[str, list[RunEvent]] = defaultdict(list)
        for run in runs:
            (recent if run.started_at >= start else history)[run.workflow_id].append(run)
        reports = {}
        for workflow_id in ids:
            past = history.get(workflow_id)
            baseline = summarize_runs(past).p95_duration_ms if past else None
            reports[workflow_id] = workflow_health(
                workflow_id, recent.get(workflow_id, []), now=now, baseline_p95_ms=baseline
            )
        return reports
