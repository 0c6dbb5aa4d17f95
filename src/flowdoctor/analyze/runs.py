"""Run statistics: what a stream of run events says about a workflow, in one pass.

Only finished runs count (``success`` and ``failure``); running, skipped and cancelled events say
nothing about whether the workflow works. When a stream mixes whole-run events (``step is None``)
with step events, only the whole-run events count, so one run is not counted once per step; a
stream made only of step events is summarised step by step.

>>> from datetime import UTC, datetime
>>> from flowdoctor.domain import RunEvent, RunStatus
>>> at = datetime(2024, 5, 1, tzinfo=UTC)
>>> runs = [RunEvent("wf", "r1", RunStatus.SUCCESS, at, duration_ms=200.0),
...         RunEvent("wf", "r2", RunStatus.FAILURE, at, duration_ms=400.0)]
>>> summarize_runs(runs).error_rate
0.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flowdoctor.domain import RunEvent, RunStatus

_FINISHED = (RunStatus.SUCCESS, RunStatus.FAILURE)


@dataclass(frozen=True, slots=True)
class RunStats:
    """Counts, rates and duration percentiles of the finished runs of a workflow.

    Durations are ``None`` when no run reported one (unknown is not zero); ``records_processed``
    is ``None`` when no run reported a count.
    """

    runs: int = 0
    failures: int = 0
    error_rate: float = 0.0
    avg_duration_ms: float | None = None
    p50_duration_ms: float | None = None
    p95_duration_ms: float | None = None
    records_processed: int | None = None
    retry_rate: float = 0.0
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None

    def as_metrics(self) -> dict[str, float]:
        """The stats under the metric names ``analyze_metrics`` knows (durations in seconds).

        ``throughput`` is records processed per run, so windows of different lengths compare;
        ``run_count`` depends on the window and is never compared with a baseline.
        """
        metrics: dict[str, float] = {"run_count": float(self.runs)}
        if self.runs == 0:
            return metrics
        metrics["error_rate"] = self.error_rate
        metrics["retry_rate"] = self.retry_rate
        if self.avg_duration_ms is not None:
            metrics["avg_response_time"] = self.avg_duration_ms / 1000.0
        if self.p95_duration_ms is not None:
            metrics["p95_response_time"] = self.p95_duration_ms / 1000.0
        if self.records_processed is not None:
            metrics["throughput"] = self.records_processed / self.runs
        return metrics


@dataclass(slots=True)
class _Accumulator:
    """Running totals for one kind of event (whole runs, or steps)."""

    runs: int = 0
    failures: int = 0
    retries: int = 0
    records: int | None = None
    durations: list[float] = field(default_factory=list)
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None

    def add(self, event: RunEvent) -> None:
        self.runs += 1
        if event.attempt > 1:
            self.retries += 1
        if event.duration_ms is not None and math.isfinite(event.duration_ms):
            self.durations.append(float(event.duration_ms))
        if event.records_processed is not None:
            self.records = (self.records or 0) + event.records_processed
        if event.failed:
            self.failures += 1
            self.last_failure_at = _later(self.last_failure_at, event.started_at)
        else:
            self.last_success_at = _later(self.last_success_at, event.started_at)

    def result(self) -> RunStats:
        if self.runs == 0:
            return RunStats()
        ordered = sorted(self.durations)
        return RunStats(
            runs=self.runs,
            failures=self.failures,
            error_rate=self.failures / self.runs,
            avg_duration_ms=sum(ordered) / len(ordered) if ordered else None,
            p50_duration_ms=percentile(ordered, 0.50),
            p95_duration_ms=percentile(ordered, 0.95),
            records_processed=self.records,
            retry_rate=self.retries / self.runs,
            last_success_at=self.last_success_at,
            last_failure_at=self.last_failure_at,
        )


def summarize_runs(runs: Iterable[RunEvent]) -> RunStats:
    """Summarise finished runs in one pass; an empty stream gives zeros and ``None``.

    Memory grows with the number of durations kept for the percentiles, nothing else.
    """
    whole = _Accumulator()
    steps = _Accumulator()
    for event in runs:
        if event.status not in _FINISHED:
            continue
        (whole if event.step is None else steps).add(event)
    return (whole if whole.runs else steps).result()


def finished_runs(runs: Iterable[RunEvent]) -> list[RunEvent]:
    """The events ``summarize_runs`` counts, oldest first (same whole-run-over-step rule)."""
    finished = [event for event in runs if event.status in _FINISHED]
    whole = [event for event in finished if event.step is None]
    chosen = whole or finished
    return sorted(chosen, key=lambda event: event.started_at)


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of sorted values by linear interpolation; ``None`` when empty.

    >>> percentile([100.0, 200.0, 300.0, 400.0], 0.5)
    250.0
    """
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    weight = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * weight


def _later(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate > current else current
