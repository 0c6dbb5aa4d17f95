"""Platform outages: many workflows failing on one platform at the same time is one problem.

When Salesforce itself is degraded, fourteen workflows that call it fail within minutes of each
other, each for what looks like its own reason (a timeout here, a 503 there). Fourteen separate
diagnoses would be fourteen wrong answers; this module finds the burst and names it once, so
diagnosis can fold each workflow's failures on that platform into one external-service
hypothesis.

A burst on a platform is a span of at most ``window`` in which at least ``min_workflows`` distinct
workflows had a failed run or step on it, and which passes two checks:

- most of the workflows that ran on the platform during the burst failed
  (``min_workflow_share``): a few failures while the rest of the fleet runs fine is not an
  outage;
- the burst is unlikely as chance: with the platform's background failure rate (failures outside
  the burst over the time observed), the Poisson probability of that many failing workflows in
  one window, times the number of windows looked at, is below ``max_chance``. Twenty scattered
  failures a day across forty workflows will put three in some 15-minute window on many days.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flowdoctor.domain import DiagnosticFinding, IssueCategory, RunEvent, Stage
from flowdoctor.domain.platforms import platform_label

WINDOW = timedelta(minutes=15)
MIN_WORKFLOWS = 3
MIN_WORKFLOW_SHARE = 0.5
MAX_CHANCE = 0.01
FOLDED_CATEGORIES = frozenset(
    {
        IssueCategory.EXTERNAL_SERVICE,
        IssueCategory.TIMEOUT,
        IssueCategory.CONNECTIVITY,
        IssueCategory.PERFORMANCE,
        IssueCategory.UNCLASSIFIED,
    }
)
"""Error categories a vendor's own failure explains. Permissions or data errors on one platform in
many workflows at once point elsewhere (a shared credential, a schema change) and stay apart."""


@dataclass(frozen=True, slots=True)
class PlatformOutage:
    """A burst of failures on one platform across workflows."""

    platform: str
    started_at: datetime
    ended_at: datetime
    failing_workflows: tuple[str, ...]
    active_workflows: int
    """Workflows with any run on the platform in the span, failed or not."""
    failures: int
    runs: int

    @property
    def workflow_share(self) -> float:
        """Share of the workflows running on the platform in the span that failed."""
        return len(self.failing_workflows) / self.active_workflows if self.active_workflows else 0.0

    @property
    def confidence(self) -> float:
        """Grows with the number of workflows hit and the share of them that failed."""
        breadth = min(1.0, (len(self.failing_workflows) - 1) / 5)
        return round(min(0.97, 0.5 + 0.3 * breadth + 0.2 * self.workflow_share), 4)


def find_platform_outages(
    runs: Iterable[RunEvent],
    *,
    window: timedelta = WINDOW,
    min_workflows: int = MIN_WORKFLOWS,
    min_workflow_share: float = MIN_WORKFLOW_SHARE,
    max_chance: float = MAX_CHANCE,
) -> list[PlatformOutage]:
    """The widest failure burst of each platform that qualifies, most workflows first.

    >>> from datetime import UTC
    >>> from flowdoctor.domain import RunStatus
    >>> t = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    >>> runs = [RunEvent(f"wf{i}", "r", RunStatus.FAILURE, t + timedelta(minutes=i),
    ...                  platform="salesforce") for i in range(4)]
    >>> [(o.platform, len(o.failing_workflows)) for o in find_platform_outages(runs)]
    [('salesforce', 4)]
    """
    by_platform: dict[str, list[RunEvent]] = defaultdict(list)
    for run in runs:
        if run.platform:
            by_platform[run.platform].append(run)
    found = []
    for platform, events in by_platform.items():
        events.sort(key=lambda e: e.started_at)
        burst = _widest_burst(platform, events, window)
        if (
            burst is not None
            and len(burst.failing_workflows) >= min_workflows
            and burst.workflow_share >= min_workflow_share
            and _chance(burst, events, window) <= max_chance
        ):
            found.append(burst)
    found.sort(key=lambda o: (-len(o.failing_workflows), o.started_at, o.platform))
    return found


def _widest_burst(
    platform: str, events: Sequence[RunEvent], window: timedelta
) -> PlatformOutage | None:
    """The span of at most ``window`` with the most distinct failing workflows (two pointers)."""
    failures = [e for e in events if e.failed]
    best: tuple[int, int, int] | None = None  # (distinct workflows, start, end) over failures
    counts: dict[str, int] = defaultdict(int)
    start = 0
    for end, event in enumerate(failures):
        counts[event.workflow_id] += 1
        while event.started_at - failures[start].started_at > window:
            gone = failures[start].workflow_id
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            start += 1
        if best is None or len(counts) > best[0]:
            best = (len(counts), start, end)
    if best is None:
        return None
    _, first, last = best
    began, ended = failures[first].started_at, failures[last].started_at
    in_span = [e for e in events if began <= e.started_at <= ended]
    failed = [e for e in in_span if e.failed]
    return PlatformOutage(
        platform=platform,
        started_at=began,
        ended_at=ended,
        failing_workflows=tuple(sorted({e.workflow_id for e in failed})),
        active_workflows=len({e.workflow_id for e in in_span}),
        failures=len(failed),
        runs=len(in_span),
    )


def _chance(burst: PlatformOutage, events: Sequence[RunEvent], window: timedelta) -> float:
    """How likely a burst this wide is from the background failure rate, over all windows seen.

    Where less than two windows of history exist there is no background to compare with, and the
    burst is judged by its breadth and share alone (returns 0).
    """
    observed = events[-1].started_at - events[0].started_at
    windows = observed / window
    if windows < 2:
        return 0.0
    background = sum(
        1 for e in events if e.failed and not burst.started_at <= e.started_at <= burst.ended_at
    )
    rate = background / windows  # expected failures in one window
    k = len(burst.failing_workflows)
    below = sum(math.exp(-rate) * rate**i / math.factorial(i) for i in range(k))
    return min(1.0, max(0.0, 1.0 - below) * windows)


def outage_finding(outage: PlatformOutage, *, workflow_id: str | None = None) -> DiagnosticFinding:
    """The outage as one external-service root cause, seen from ``workflow_id`` when given."""
    label = platform_label(outage.platform) or outage.platform
    count = len(outage.failing_workflows)
    since = outage.started_at.strftime("%Y-%m-%d %H:%M")
    description = (
        f"{label} itself is degraded (external_service): {count} workflows failed on it "
        f"between {since} and {outage.ended_at.strftime('%H:%M')}"
    )
    others = [w for w in outage.failing_workflows if w != workflow_id]
    shown = ", ".join(others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
    evidence = (
        f"{count} of {outage.active_workflows} workflows running on {label} failed "
        f"({outage.workflow_share:.0%}); {outage.failures} of {outage.runs} runs failed",
        f"also failing: {shown}" if others else "no other workflow is failing",
        "failures across workflows at the same time point at the platform, not at each "
        "workflow's own setup",
    )
    return DiagnosticFinding(
        kind="root_cause",
        description=description,
        confidence=outage.confidence,
        stage=Stage.DIAGNOSIS,
        subject=outage.platform,
        category=IssueCategory.EXTERNAL_SERVICE,
        evidence=evidence,
    )


def fold_into_outages(
    causes: Sequence[DiagnosticFinding],
    outages: Sequence[PlatformOutage],
    *,
    workflow_id: str | None = None,
) -> list[DiagnosticFinding]:
    """Replace the root causes an outage explains with one external-service root cause.

    The caller picks the outages the workflow takes part in; ``workflow_id`` is left out of the
    list of other workflows failing.

    A cause is explained when it names the outage's platform and its category is one a vendor
    failure produces (``FOLDED_CATEGORIES``). The folded cause keeps the higher confidence of the
    outage and the causes it absorbed, and their evidence. Order: most confident first.
    """
    remaining = list(causes)
    folded: list[DiagnosticFinding] = []
    for outage in outages:
        absorbed = [
            c for c in remaining if c.subject == outage.platform and c.category in FOLDED_CATEGORIES
        ]
        remaining = [c for c in remaining if c not in absorbed]
        base = outage_finding(outage, workflow_id=workflow_id)
        own = tuple(f"this workflow: {c.description}" for c in absorbed)
        confidence = max([base.confidence, *(c.confidence for c in absorbed)])
        folded.append(
            DiagnosticFinding(
                kind=base.kind,
                description=base.description,
                confidence=confidence,
                stage=base.stage,
                subject=base.subject,
                category=base.category,
                evidence=base.evidence + own,
            )
        )
    merged = folded + remaining
    merged.sort(key=lambda c: -c.confidence)
    return merged
