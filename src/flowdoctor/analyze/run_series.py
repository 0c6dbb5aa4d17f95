"""Time series from what a workflow emitted: run events and metric samples, bucketed on one grid.

Series analysis (detectors, trends, change points, correlation, root-cause ranking) wants aligned
arrays; workflows emit irregular events. Every series here shares one grid of ``bucket``-wide
intervals from ``start`` to ``end``, and a bucket with nothing in it is NaN (not zero: "no runs"
is not "no errors").

Each series names the node of the dependency graph it describes (``workflow:<id>``,
``step:<name>``, ``platform:<id>``) so root-cause ranking can place it.

From runs, per node: ``error_rate`` (failed / finished runs), ``duration_p95_ms``, ``runs``.
From samples: the sample's own name, per step when it has one (mean per bucket).
From error messages (failed runs' and error log records'): ``errors: <template>``, the count per
bucket of each of the most frequent masked templates, for correlating errors with metrics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from flowdoctor.domain import LogRecord, MetricSample, RunEvent, RunStatus
from flowdoctor.errors import InputError
from flowdoctor.mining import mask

MAX_BUCKETS = 100_000
"""A grid longer than this is refused: pick a wider bucket."""
FINISHED = frozenset({RunStatus.SUCCESS, RunStatus.FAILURE})
TEMPLATE_PREFIX = "errors: "
MAX_TEMPLATES = 5
"""Error templates turned into count series: the most frequent ones; rare ones cannot correlate."""
MIN_TEMPLATE_COUNT = 10


@dataclass(frozen=True, slots=True)
class NodeSeries:
    """One metric of one node on the shared grid."""

    name: str
    node: str
    values: NDArray[np.float64]

    @property
    def key(self) -> str:
        """``<node>/<name>``: unique within one analysis."""
        return f"{self.node}/{self.name}"


@dataclass(frozen=True, slots=True)
class SeriesGrid:
    """Bucket start times shared by every series of an analysis."""

    start: datetime
    bucket: timedelta
    size: int

    def index(self, at: datetime) -> int | None:
        """The bucket ``at`` falls in, or ``None`` outside the grid."""
        position = int((at - self.start) // self.bucket)
        return position if 0 <= position < self.size else None

    def time(self, index: int) -> datetime:
        """When bucket ``index`` starts."""
        return self.start + self.bucket * index


def make_grid(start: datetime, end: datetime, bucket: timedelta) -> SeriesGrid:
    """The grid of ``bucket``-wide intervals covering ``[start, end)``."""
    if bucket <= timedelta(0):
        raise InputError("the bucket must be a positive duration", field="bucket")
    if end <= start:
        raise InputError("end must be later than start", field="end")
    size = int(-(-(end - start) // bucket))
    if size > MAX_BUCKETS:
        raise InputError(
            f"{size} buckets of {bucket} between {start} and {end}; at most {MAX_BUCKETS}",
            field="bucket",
        )
    return SeriesGrid(start=start, bucket=bucket, size=size)


def run_series(runs: Iterable[RunEvent], grid: SeriesGrid) -> list[NodeSeries]:
    """Error rate, p95 duration and run count per bucket, for the workflow and each step and
    platform the runs name. Unfinished runs (running, skipped, cancelled) are not counted.

    The workflow node counts whole runs (events without a step) when there are any, so one run
    of five steps is not five runs; a workflow that reports only steps is counted by its steps.
    """
    runs = list(runs)
    whole_runs = any(run.step is None for run in runs)
    durations: dict[str, list[list[float]]] = defaultdict(lambda: [[] for _ in range(grid.size)])
    failed: dict[str, NDArray[np.float64]] = defaultdict(lambda: np.zeros(grid.size))
    total: dict[str, NDArray[np.float64]] = defaultdict(lambda: np.zeros(grid.size))
    for run in runs:
        at = grid.index(run.started_at)
        if at is None or run.status not in FINISHED:
            continue
        for node in _nodes(run, whole_runs=whole_runs):
            total[node][at] += 1
            failed[node][at] += run.failed
            if run.duration_ms is not None:
                durations[node][at].append(run.duration_ms)
    found = []
    for node in sorted(total):
        counts = total[node]
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(counts > 0, failed[node] / counts, np.nan)
        found.append(NodeSeries("error_rate", node, rate))
        found.append(NodeSeries("runs", node, counts.copy()))
        if node in durations:
            p95 = np.array([np.percentile(d, 95) if d else np.nan for d in durations[node]])
            found.append(NodeSeries("duration_p95_ms", node, p95))
    return found


def sample_series(
    samples: Iterable[MetricSample], grid: SeriesGrid, *, workflow_id: str
) -> list[NodeSeries]:
    """Pushed metric samples, averaged per bucket, one series per (step, name)."""
    sums: dict[tuple[str, str], NDArray[np.float64]] = defaultdict(lambda: np.zeros(grid.size))
    counts: dict[tuple[str, str], NDArray[np.float64]] = defaultdict(lambda: np.zeros(grid.size))
    for sample in samples:
        at = grid.index(sample.timestamp)
        if at is None:
            continue
        node = f"step:{sample.step}" if sample.step else f"workflow:{workflow_id}"
        sums[(node, sample.name)][at] += sample.value
        counts[(node, sample.name)][at] += 1
    found = []
    for (node, name), total in sorted(sums.items()):
        n = counts[(node, name)]
        with np.errstate(invalid="ignore", divide="ignore"):
            found.append(NodeSeries(name, node, np.where(n > 0, total / n, np.nan)))
    return found


def template_series(
    runs: Iterable[RunEvent],
    logs: Iterable[LogRecord],
    grid: SeriesGrid,
    *,
    workflow_id: str,
    max_templates: int = MAX_TEMPLATES,
) -> list[NodeSeries]:
    """Counts per bucket of the workflow's most frequent error templates (masked messages).

    >>> from datetime import UTC
    >>> t = datetime(2026, 11, 27, tzinfo=UTC)
    >>> grid = make_grid(t, t + timedelta(hours=1), timedelta(minutes=30))
    >>> runs = [RunEvent("wf", f"r{i}", RunStatus.FAILURE, t + timedelta(minutes=i),
    ...                  error_message=f"timeout after {i} ms") for i in range(12)]
    >>> [(s.name, s.values.tolist()) for s in template_series(runs, [], grid, workflow_id="wf")]
    [('errors: timeout after <NUM> ms', [12.0, 0.0])]
    """
    counts: dict[str, NDArray[np.float64]] = defaultdict(lambda: np.zeros(grid.size))
    messages = [(r.started_at, r.error_message) for r in runs if r.failed and r.error_message]
    messages += [(r.timestamp, r.message) for r in logs if r.is_error and r.timestamp]
    for at, message in messages:
        index = grid.index(at)
        if index is not None:
            counts[mask(message)][index] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1].sum(), item[0]))
    return [
        NodeSeries(f"{TEMPLATE_PREFIX}{template}", f"workflow:{workflow_id}", values)
        for template, values in ranked[:max_templates]
        if values.sum() >= MIN_TEMPLATE_COUNT
    ]


def dependency_edges(runs: Iterable[RunEvent]) -> set[tuple[str, str]]:
    """Caller -> callee edges: workflow -> step -> platform (workflow -> platform without a step).

    >>> from datetime import UTC
    >>> t = datetime(2026, 11, 27, tzinfo=UTC)
    >>> sorted(dependency_edges([RunEvent("wf", "r", RunStatus.SUCCESS, t, step="push",
    ...                                   platform="hubspot")]))
    [('step:push', 'platform:hubspot'), ('workflow:wf', 'step:push')]
    """
    edges = set()
    for run in runs:
        caller = f"workflow:{run.workflow_id}"
        if run.step:
            edges.add((caller, f"step:{run.step}"))
            caller = f"step:{run.step}"
        if run.platform:
            edges.add((caller, f"platform:{run.platform}"))
    return edges


def _nodes(run: RunEvent, *, whole_runs: bool) -> tuple[str, ...]:
    nodes = [f"workflow:{run.workflow_id}"] if run.step is None or not whole_runs else []
    if run.step:
        nodes.append(f"step:{run.step}")
    if run.platform:
        nodes.append(f"platform:{run.platform}")
    return tuple(nodes)
