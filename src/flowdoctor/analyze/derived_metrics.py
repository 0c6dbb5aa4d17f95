"""Metrics derived from run events over a sliding window, per workflow, step and platform.

For each scope (the workflow as a whole; each ``step``; each ``platform``) the finished runs
that started within ``window`` before ``now`` give:

``run_count``, ``error_rate``, ``p50_duration_ms``, ``p95_duration_ms``, ``records_processed``,
``retry_rate`` and ``seconds_since_last_success`` (from the newest success ever seen in the runs
given, not only the window; absent when there is none).

A metric that cannot be computed (no durations reported) is absent, never zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flowdoctor.analyze.runs import summarize_runs
from flowdoctor.domain import RunEvent

DERIVED_METRICS = (
    "run_count",
    "error_rate",
    "p50_duration_ms",
    "p95_duration_ms",
    "records_processed",
    "retry_rate",
    "seconds_since_last_success",
)


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    """What a set of derived metrics is about: a workflow, or one of its steps or platforms."""

    workflow_id: str
    step: str | None = None
    platform: str | None = None

    @property
    def labels(self) -> dict[str, str]:
        """The scope as alert labels."""
        labels = {"workflow_id": self.workflow_id}
        if self.step:
            labels["step"] = self.step
        if self.platform:
            labels["platform"] = self.platform
        return labels


def derive_metrics(
    runs: Iterable[RunEvent], *, now: datetime, window: timedelta
) -> dict[Scope, dict[str, float]]:
    """Derived metrics of every scope the runs name (see the module docstring).

    >>> from datetime import UTC
    >>> from flowdoctor.domain import RunStatus
    >>> t = datetime(2026, 11, 27, 12, tzinfo=UTC)
    >>> runs = [RunEvent("wf", str(i), RunStatus.FAILURE if i % 4 == 0 else RunStatus.SUCCESS,
    ...                  t - timedelta(minutes=i), duration_ms=100.0 * i) for i in range(8)]
    >>> found = derive_metrics(runs, now=t, window=timedelta(minutes=5))
    >>> found[Scope("wf")]["error_rate"], found[Scope("wf")]["run_count"]
    (0.3333333333333333, 6.0)
    """
    since = now - window
    in_window: dict[Scope, list[RunEvent]] = defaultdict(list)
    last_success: dict[Scope, datetime] = {}
    for run in runs:
        for scope in _scopes(run):
            if not run.failed and run.started_at <= now:
                seen = last_success.get(scope)
                last_success[scope] = run.started_at if seen is None else max(seen, run.started_at)
            if since <= run.started_at <= now:
                in_window[scope].append(run)
    derived: dict[Scope, dict[str, float]] = {}
    for scope in set(in_window) | set(last_success):
        stats = summarize_runs(in_window.get(scope, []))
        metrics = {"run_count": float(stats.runs)}
        if stats.runs:
            metrics["error_rate"] = stats.error_rate
            metrics["retry_rate"] = stats.retry_rate
        optional = {
            "p50_duration_ms": stats.p50_duration_ms,
            "p95_duration_ms": stats.p95_duration_ms,
            "records_processed": stats.records_processed,
        }
        metrics.update({k: float(v) for k, v in optional.items() if v is not None})
        if scope in last_success:
            metrics["seconds_since_last_success"] = (now - last_success[scope]).total_seconds()
        derived[scope] = metrics
    return derived


def _scopes(run: RunEvent) -> tuple[Scope, ...]:
    scopes = [Scope(run.workflow_id)]
    if run.step:
        scopes.append(Scope(run.workflow_id, step=run.step))
    if run.platform:
        scopes.append(Scope(run.workflow_id, platform=run.platform))
    return tuple(scopes)
