"""Workflows as seen from their runs: which exist, how healthy each is, and how that changed."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from flowdoctor.analyze.runs import summarize_runs
from flowdoctor.clock import Clock
from flowdoctor.domain import Alert, AlertState, RunEvent, Severity
from flowdoctor.errors import NotFoundError
from flowdoctor.monitor.health import HealthReport, workflow_health
from flowdoctor.store import Database, Store

HEALTH_WINDOW = timedelta(days=1)
"""Runs within this window count toward the health score."""
BASELINE_WINDOW = timedelta(days=7)
"""Runs in this window before it set the latency baseline."""
RECORD_EVERY = timedelta(minutes=15)
"""How often every workflow's health is written to its history (by the evaluation loop)."""
OPEN = [AlertState.PENDING, AlertState.FIRING]


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
            alerts = _open_alerts(store, workflow_id).get(workflow_id, Counter())
        return _report(workflow_id, recent, history, alerts, now)

    def runs(
        self, workflow_id: str, *, since: datetime, until: datetime | None = None
    ) -> list[RunEvent]:
        """The workflow's runs started in ``[since, until)``, oldest first."""
        with self._db.transaction() as store:
            return store.runs.list(workflow_id=workflow_id, since=since, until=until)

    def all_health(self) -> dict[str, HealthReport]:
        """Every workflow's health, from one read of the recent runs (for /metrics)."""
        now = self._clock.now()
        with self._db.transaction() as store:
            ids = store.runs.workflow_ids()
            runs = store.runs.list(since=now - HEALTH_WINDOW - BASELINE_WINDOW)
            alerts = store.alerts.list(states=OPEN, limit=None)
        return {r.workflow_id: r for r in fleet_health(ids, runs, alerts, now)}

    def record_health_if_due(self) -> int:
        """Write every workflow's health to its history when ``RECORD_EVERY`` has passed since
        the last recording; returns how many were written (0 when not due)."""
        now = self._clock.now()
        with self._db.transaction() as store:
            last = store.health.last_recorded()
        if last is not None and now - last < RECORD_EVERY:
            return 0
        rows = [
            (w, now, report.score, [asdict(c) for c in report.components])
            for w, report in self.all_health().items()
        ]
        with self._db.transaction() as store:
            return store.health.add_many(rows)

    def health_history(
        self, workflow_id: str, *, since: datetime | None = None, limit: int = 1000
    ) -> list[tuple[datetime, float, list[dict[str, Any]]]]:
        """Recorded ``(computed_at, score, components)`` of a workflow, oldest first."""
        with self._db.transaction() as store:
            if store.runs.count(workflow_id=workflow_id) == 0:
                raise NotFoundError("workflow", workflow_id)
            return store.health.list(workflow_id, since=since, limit=limit)


def fleet_health(
    ids: Iterable[str], runs: Iterable[RunEvent], open_alerts: Iterable[Alert], now: datetime
) -> list[HealthReport]:
    """The health of each of ``ids`` from runs since ``HEALTH_WINDOW + BASELINE_WINDOW`` before
    ``now`` (all workflows at once) and the open alerts, in the order of ``ids``."""
    start = now - HEALTH_WINDOW
    recent: dict[str, list[RunEvent]] = defaultdict(list)
    history: dict[str, list[RunEvent]] = defaultdict(list)
    for run in runs:
        (recent if run.started_at >= start else history)[run.workflow_id].append(run)
    counts: dict[str | None, Counter[Severity]] = defaultdict(Counter)
    for alert in open_alerts:
        counts[alert.workflow_id][alert.severity] += 1
    return [
        _report(w, recent.get(w, []), history.get(w, []), counts.get(w, Counter()), now)
        for w in ids
    ]


def _report(
    workflow_id: str,
    recent: list[RunEvent],
    history: list[RunEvent],
    alerts: Counter[Severity],
    now: datetime,
) -> HealthReport:
    """Health from the recent runs, the baseline p95 of the runs before, and the open alerts."""
    baseline = summarize_runs(history).p95_duration_ms if history else None
    return workflow_health(
        workflow_id, recent, now=now, baseline_p95_ms=baseline, open_alerts=alerts
    )


def _open_alerts(store: Store, workflow_id: str | None) -> dict[str | None, Counter[Severity]]:
    counts: dict[str | None, Counter[Severity]] = defaultdict(Counter)
    for alert in store.alerts.list(states=OPEN, workflow_id=workflow_id, limit=None):
        counts[alert.workflow_id][alert.severity] += 1
    return counts
