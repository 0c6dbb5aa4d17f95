"""Workflow health: a 0-100 score from recent runs, with why each point was lost.

The score starts at 100; six components take points away, each up to its maximum:

==============  ===  ==========================================================================
component       max  loses points when
==============  ===  ==========================================================================
success_rate     40  runs fail: 0.8 points per 1% of runs failed, all 40 at a 50% error rate
latency          15  the p95 duration exceeds the baseline: all 15 at 3x the baseline
error_trend      10  the newer half of the runs fails more than the older half: all at +30 points
open_alerts      15  alerts are pending or firing: critical 15, high 8, medium 4, low 2, info 0
freshness        10  the last success is older than 2 usual run intervals: all 10 at 6 intervals
retry_rate       10  runs are retries: all 10 when half the runs are retries
==============  ===  ==========================================================================

``score == 100 - sum(points_lost)``. With no finished runs at all the score is 0 and every component
loses its maximum with the reason "no runs seen": a workflow that reports nothing cannot be called
healthy, and a number (rather than ``None``) keeps sorting and alerting simple.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flowdoctor.analyze.runs import RunStats, finished_runs, summarize_runs
from flowdoctor.domain import RunEvent, Severity
from flowdoctor.errors import InputError

DEFAULT_INTERVAL = timedelta(hours=24)
"""Assumed time between runs when fewer than two runs show the real one."""
MIN_INTERVAL = timedelta(minutes=1)
"""Runs started in bursts still count as at least this far apart, so freshness is not too strict."""
MIN_TREND_RUNS = 4
MAX_POINTS: dict[str, float] = {
    "success_rate": 40.0,
    "latency": 15.0,
    "error_trend": 10.0,
    "open_alerts": 15.0,
    "freshness": 10.0,
    "retry_rate": 10.0,
}
"""Each component's share of the 100 points."""
ALERT_POINTS: dict[Severity, float] = {
    Severity.CRITICAL: 15.0,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 4.0,
    Severity.LOW: 2.0,
    Severity.INFO: 0.0,
}
"""Points one open alert of each severity costs (the component loses at most 15)."""


@dataclass(frozen=True, slots=True)
class HealthComponent:
    """One part of the score: how many of its points were lost, and why, in one sentence."""

    name: str
    points_lost: float
    max_points: float
    reason: str


@dataclass(frozen=True, slots=True)
class HealthReport:
    """A workflow's health score (0-100, higher is healthier) with its breakdown."""

    workflow_id: str
    score: float
    components: tuple[HealthComponent, ...]
    computed_at: datetime
    stats: RunStats


def workflow_health(
    workflow_id: str,
    runs: Sequence[RunEvent],
    *,
    now: datetime,
    baseline_p95_ms: float | None = None,
    expected_interval: timedelta | None = None,
    open_alerts: Mapping[Severity, int] | None = None,
) -> HealthReport:
    """Score ``runs`` (the recent window) as of ``now``; see the module docstring for the points.

    ``baseline_p95_ms`` is the p95 duration of an earlier, normal period (no baseline: latency is
    not scored). ``expected_interval`` overrides the time between runs read from the runs.
    ``open_alerts`` counts the workflow's pending and firing alerts by severity.
    """
    if baseline_p95_ms is not None and not (
        math.isfinite(baseline_p95_ms) and baseline_p95_ms >= 0
    ):
        raise InputError("baseline_p95_ms must be a finite number >= 0", field="baseline_p95_ms")
    ordered = finished_runs(runs)
    stats = summarize_runs(ordered)
    if ordered and (now.tzinfo is None) != (ordered[-1].started_at.tzinfo is None):
        raise InputError("now and the run times must all carry a timezone, or none", field="now")
    if not ordered:
        components = tuple(
            _component(name, 1.0, "No runs seen in the window.") for name in MAX_POINTS
        )
    else:
        interval = expected_interval or _usual_interval(ordered)
        components = (
            success_component(stats),
            latency_component(stats, baseline_p95_ms),
            trend_component(ordered),
            alerts_component(open_alerts or {}),
            freshness_component(stats, now, interval),
            retry_component(stats),
        )
    score = round(max(0.0, 100.0 - sum(c.points_lost for c in components)), 1)
    return HealthReport(workflow_id, score, components, now, stats)


def alerts_component(open_alerts: Mapping[Severity, int]) -> HealthComponent:
    """Up to 15 points for the workflow's pending and firing alerts, by severity."""
    counts = {severity: n for severity, n in open_alerts.items() if n > 0}
    if not counts:
        return _component("open_alerts", 0.0, "No alert is pending or firing.")
    cost = sum(ALERT_POINTS[severity] * n for severity, n in counts.items())
    ordered = sorted(counts.items(), key=lambda item: item[0].rank)
    listed = ", ".join(f"{n} {severity.value}" for severity, n in ordered)
    total = sum(counts.values())
    reason = f"{total} alert{'s' if total != 1 else ''} pending or firing: {listed}."
    return _component("open_alerts", cost / MAX_POINTS["open_alerts"], reason)


def success_component(stats: RunStats) -> HealthComponent:
    """Up to 40 points: 0.8 per 1% of runs failed."""
    if stats.failures == 0:
        return _component("success_rate", 0.0, f"All {stats.runs} runs succeeded.")
    reason = f"{stats.failures} of {stats.runs} runs failed ({_pct(stats.error_rate)} error rate)."
    return _component("success_rate", stats.error_rate / 0.5, reason)


def latency_component(stats: RunStats, baseline_p95_ms: float | None) -> HealthComponent:
    """Up to 15 points: nothing at the baseline p95, all at 3x it."""
    p95 = stats.p95_duration_ms
    if p95 is None:
        return _component("latency", 0.0, "No run reported a duration; not scored.")
    if not baseline_p95_ms:
        return _component("latency", 0.0, "No latency baseline yet; not scored.")
    ratio = p95 / baseline_p95_ms
    now, base = _seconds(p95), _seconds(baseline_p95_ms)
    if ratio <= 1.0:
        reason = f"p95 duration {now} is within the baseline of {base}."
    else:
        reason = f"p95 duration {now} is {ratio:.1f}x the baseline of {base}."
    return _component("latency", (ratio - 1.0) / 2.0, reason)


def trend_component(ordered: Sequence[RunEvent]) -> HealthComponent:
    """Up to 10 points: the error rate of the newer half of the runs against the older half."""
    if len(ordered) < MIN_TREND_RUNS:
        reason = f"Too few runs ({len(ordered)}) to see a trend; at least {MIN_TREND_RUNS} needed."
        return _component("error_trend", 0.0, reason)
    half = len(ordered) // 2
    older, newer = _error_rate(ordered[:half]), _error_rate(ordered[half:])
    verb = "rose" if newer > older else "did not rise"
    reason = (
        f"Error rate {verb}: {_pct(older)} in the older half of the runs, {_pct(newer)} in the "
        "newer half."
    )
    return _component("error_trend", (newer - older) / 0.3, reason)


def freshness_component(stats: RunStats, now: datetime, interval: timedelta) -> HealthComponent:
    """Up to 10 points: nothing within 2 usual intervals of the last success, all at 6."""
    last = stats.last_success_at
    if last is None:
        reason = f"No successful run among the {stats.runs} runs in the window."
        return _component("freshness", 1.0, reason)
    age = max(now - last, timedelta(0))
    intervals = age / max(interval, MIN_INTERVAL)
    reason = (
        f"Last successful run {_ago(age)} ago, {intervals:.1f}x the usual "
        f"{_ago(interval)} between runs."
    )
    return _component("freshness", (intervals - 2.0) / 4.0, reason)


def retry_component(stats: RunStats) -> HealthComponent:
    """Up to 10 points: all of them when half the runs are retries."""
    retries = round(stats.retry_rate * stats.runs)
    reason = f"{retries} of {stats.runs} runs were retries ({_pct(stats.retry_rate)})."
    return _component("retry_rate", stats.retry_rate / 0.5, reason)


def _usual_interval(ordered: Sequence[RunEvent]) -> timedelta:
    if len(ordered) < 2:
        return DEFAULT_INTERVAL
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(ordered)]
    return timedelta(seconds=statistics.median(gaps))


def _error_rate(runs: Sequence[RunEvent]) -> float:
    return sum(1 for run in runs if run.failed) / len(runs)


def _component(name: str, fraction: float, reason: str) -> HealthComponent:
    """``fraction`` (clamped to 0..1) of the component's points lost, to one decimal."""
    max_points = MAX_POINTS[name]
    lost = round(max_points * min(1.0, max(0.0, fraction)), 1)
    return HealthComponent(name, lost, max_points, reason)


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.2f} s"


def _ago(span: timedelta) -> str:
    """``2d 3h``, ``3h 5m``, ``12m``, ``40s``."""
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{secs}s"
