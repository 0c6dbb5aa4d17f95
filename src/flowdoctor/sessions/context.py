"""What a session reads around its own workflow: the fleet's runs on the same platforms (to tell
a vendor outage from a workflow's own fault), and the workflow's runs, metric samples and
recorded changes as series. Plain functions over an open ``Store``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flowdoctor.analyze.outages import WINDOW, PlatformOutage, find_platform_outages
from flowdoctor.analyze.run_series import (
    NodeSeries,
    SeriesGrid,
    dependency_edges,
    make_grid,
    run_series,
    sample_series,
    template_series,
)
from flowdoctor.domain import ChangeEvent, TroubleshootingSession, WorkflowIssue
from flowdoctor.store import Store

SERIES_BUCKET = timedelta(minutes=10)


def platform_outages(
    store: Store, session: TroubleshootingSession, *, lookback: timedelta
) -> list[PlatformOutage]:
    """Outages on the platforms of the session's issues that this workflow takes part in.

    It takes part when its own stored runs failed in the burst, or when one of its issues on the
    platform was seen within ``WINDOW`` of it (errors pasted into the session, not stored).
    """
    platforms = sorted({issue.platform for issue in session.issues if issue.platform})
    if not platforms:
        return []
    since = session.created_at - lookback
    runs = store.runs.list(since=since, until=session.created_at, platforms=platforms)
    return [
        outage
        for outage in find_platform_outages(runs)
        if session.workflow_id in outage.failing_workflows or _seen_during(session.issues, outage)
    ]


def _seen_during(issues: Sequence[WorkflowIssue], outage: PlatformOutage) -> bool:
    start, end = outage.started_at - WINDOW, outage.ended_at + WINDOW
    return any(
        issue.platform == outage.platform
        and _overlaps(issue.first_seen, issue.last_seen, start, end)
        for issue in issues
    )


def _overlaps(
    first: datetime | None, last: datetime | None, start: datetime, end: datetime
) -> bool:
    lo = first or last
    hi = last or first
    if lo is None or hi is None:
        return False
    return lo <= end and hi >= start


@dataclass(frozen=True, slots=True)
class WorkflowSeries:
    """The workflow's stored runs, samples and changes as series on one grid; the buckets from
    ``baseline_end`` on are the period under analysis, those before it the normal."""

    grid: SeriesGrid
    baseline_end: int
    series: list[NodeSeries]
    edges: set[tuple[str, str]]
    changes: list[ChangeEvent]

    @property
    def empty(self) -> bool:
        """True when nothing was stored for the workflow in the window."""
        return not self.series


def workflow_series(
    store: Store,
    session: TroubleshootingSession,
    *,
    lookback: timedelta,
    baseline: timedelta,
    bucket: timedelta = SERIES_BUCKET,
) -> WorkflowSeries:
    """Series of the ``lookback`` before the session started, and the ``baseline`` before that."""
    end = session.created_at
    start = end - lookback - baseline
    grid = make_grid(start, end, bucket)
    runs = store.runs.list(workflow_id=session.workflow_id, since=start, until=end)
    samples = store.metrics.list(workflow_id=session.workflow_id, since=start, until=end)
    changes = store.changes.list(workflow_id=session.workflow_id, since=start, until=end)
    logs = store.logs.list(workflow_id=session.workflow_id, since=start)
    series = [
        *run_series(runs, grid),
        *sample_series(samples, grid, workflow_id=session.workflow_id),
        *template_series(runs, logs, grid, workflow_id=session.workflow_id),
    ]
    baseline_end = grid.index(end - lookback)
    return WorkflowSeries(
        grid=grid,
        baseline_end=baseline_end if baseline_end is not None else 0,
        series=series,
        edges=dependency_edges(runs),
        changes=changes,
    )
