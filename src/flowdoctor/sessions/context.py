"""What a session reads around its own workflow: the fleet's runs on the same platforms (to tell
a vendor outage from a workflow's own fault). Plain functions over an open ``Store``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flowdoctor.analyze.outages import WINDOW, PlatformOutage, find_platform_outages
from flowdoctor.domain import TroubleshootingSession, WorkflowIssue
from flowdoctor.store import Store


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
