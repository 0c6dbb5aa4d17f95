"""The fleet at a glance: every workflow's health, the alerts firing, the issues of the last day
and the external services that look degraded; what the dashboard's overview shows.

One read of the recent runs serves both the health scores and the outage search, so a fleet of a
thousand workflows costs one query for runs, not a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flowdoctor.analyze.outages import PlatformOutage, find_platform_outages
from flowdoctor.clock import Clock
from flowdoctor.domain import Alert, AlertState
from flowdoctor.monitor.health import HealthReport
from flowdoctor.monitor.workflows import BASELINE_WINDOW, HEALTH_WINDOW, OPEN, fleet_health
from flowdoctor.store import Database
from flowdoctor.store.issues_repo import IssueTally

ISSUE_WINDOW = timedelta(hours=24)
"""Issues seen within this window are counted on the overview."""
OUTAGE_WINDOW = timedelta(hours=24)
"""Platform failure bursts within this window show as degraded services."""


@dataclass(frozen=True, slots=True)
class FleetOverview:
    """What the overview page shows, computed at ``computed_at``."""

    computed_at: datetime
    workflows: tuple[HealthReport, ...]
    """Least healthy first."""
    firing: tuple[Alert, ...]
    """Firing alerts, most recently changed first."""
    issues: IssueTally
    degraded: tuple[PlatformOutage, ...]
    """Most workflows hit first."""

    @property
    def unhealthy(self) -> int:
        """Workflows scoring under 70."""
        return sum(1 for w in self.workflows if w.score < 70)


class OverviewService:
    """Builds the ``FleetOverview`` from the store."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def overview(self) -> FleetOverview:
        """The fleet now."""
        now = self._clock.now()
        with self._db.transaction() as store:
            ids = store.runs.workflow_ids()
            runs = store.runs.list(since=now - HEALTH_WINDOW - BASELINE_WINDOW)
            open_alerts = store.alerts.list(states=OPEN, limit=None)
            tally = store.issues.tally(since=now - ISSUE_WINDOW)
        reports = fleet_health(ids, runs, open_alerts, now)
        reports.sort(key=lambda r: (r.score, r.workflow_id))
        outage_start = now - OUTAGE_WINDOW
        degraded = find_platform_outages(r for r in runs if r.started_at >= outage_start)
        return FleetOverview(
            computed_at=now,
            workflows=tuple(reports),
            firing=tuple(a for a in open_alerts if a.state is AlertState.FIRING),
            issues=tally,
            degraded=tuple(degraded),
        )
