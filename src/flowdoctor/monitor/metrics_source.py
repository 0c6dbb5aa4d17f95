"""The store as a ``prometheus.MetricsSource``: what ``/metrics`` reads on every scrape."""

from __future__ import annotations

from collections.abc import Mapping

from flowdoctor.monitor.workflows import WorkflowService
from flowdoctor.store import Database


class StoreMetricsSource:
    """Health scores, alert counts and open issues, read from the database when scraped."""

    def __init__(self, *, db: Database, workflows: WorkflowService) -> None:
        self._db = db
        self._workflows = workflows

    def health_scores(self) -> Mapping[str, float]:
        """Each workflow's health score (0-100)."""
        return {
            workflow_id: float(report.score)
            for workflow_id, report in self._workflows.all_health().items()
            if report.score is not None
        }

    def alert_counts(self) -> Mapping[tuple[str, str], int]:
        """Alerts per (state, severity)."""
        with self._db.transaction() as store:
            return store.alerts.counts()

    def issue_counts(self) -> Mapping[tuple[str, str, str], int]:
        """Issues of open sessions per (category, severity, platform)."""
        with self._db.transaction() as store:
            return store.sessions.issue_counts()
