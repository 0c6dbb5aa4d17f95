"""The demo data set: a week of runs, logs and metrics of six workflows, with incidents injected.

Everything is derived from ``seed`` and ``now`` (``random.Random(seed)``, never the real clock), so
the same arguments give the same data. Each run is reported the way an automation platform does:
one whole-run event (``step is None``) per attempt plus one event per step it executed; a retryable
failure is retried up to ``MAX_ATTEMPTS`` times with exponential backoff. ``DemoData.incidents``
says what was injected, so a loader can open troubleshooting sessions and a test can check that
flowdoctor finds them.

>>> from datetime import UTC, datetime
>>> data = generate_demo_data(now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC), days=1)
>>> sorted({incident.category for incident in data.incidents})[:3]
['configuration', 'connectivity', 'data']
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from flowdoctor.demo.scenarios import (
    INCIDENTS,
    WORKFLOWS,
    FailureSpec,
    IncidentSpec,
    StepSpec,
    WorkflowSpec,
    load_factor,
)
from flowdoctor.domain import LogLevel, LogRecord, MetricSample, RunEvent, RunStatus
from flowdoctor.errors import InputError

MAX_ATTEMPTS = 3
"""Attempts per run when failures are retryable."""
RETRY_BACKOFF = timedelta(seconds=30)
"""Wait before the first retry; doubled before each further one."""
MAX_DAYS = 90
METRIC_NAMES = (
    "avg_response_time", "p95_response_time", "error_rate", "throughput", "records_processed",
)  # fmt: skip
"""Hourly metrics per workflow: seconds, seconds, failed/finished runs, runs per hour, records."""

_HOUR = timedelta(hours=1)
_MINUTE = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SIGMA = 0.25
"""Spread of step durations (lognormal) around their baseline."""


@dataclass(frozen=True, slots=True)
class DemoWorkflow:
    """One demo workflow as a dashboard lists it."""

    workflow_id: str
    name: str
    description: str
    platforms: tuple[str, ...]
    schedule_minutes: int


@dataclass(frozen=True, slots=True)
class DemoIncident:
    """What was injected. ``ends_at`` is ``None`` while it goes on; ``fixed_at`` is ``None`` when
    nobody fixed it (an outage that passed, or one still going on). ``category`` is a taxonomy
    category value; every failure the incident caused contains ``expected_error_substring``."""

    workflow_id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    fixed_at: datetime | None
    category: str
    expected_error_substring: str


@dataclass(frozen=True, slots=True)
class DemoData:
    """The generated data set, each part sorted by time."""

    workflows: tuple[DemoWorkflow, ...]
    runs: tuple[RunEvent, ...]
    logs: tuple[LogRecord, ...]
    metrics: tuple[MetricSample, ...]
    incidents: tuple[DemoIncident, ...]


def generate_demo_data(*, now: datetime, days: int = 7, seed: int = 7) -> DemoData:
    """Generate ``days`` of demo data ending at ``now`` (timezone-aware; returned in UTC).

    The default week holds about 4,400 runs (17,000 run and step events), 5,000 log lines and
    5,000 metric samples. ``InputError`` for a naive ``now`` or ``days`` outside 1..90.
    """
    now = _as_utc(now)
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"days must be between 1 and {MAX_DAYS}", field="days")
    start = now - timedelta(days=days)
    rng = random.Random(seed)
    placed = [(spec, _place(spec, start, now)) for spec in INCIDENTS]
    runs: list[RunEvent] = []
    logs: list[LogRecord] = []
    for index, workflow in enumerate(WORKFLOWS):
        own = [pair for pair in placed if pair[0].workflow_id == workflow.workflow_id]
        simulation = _Simulation(workflow, own, rng, now)
        # Staggered so that the workflows do not all start on the same minute.
        for slot in _slots(workflow.schedule_minutes, 2 * index + 1, start, now):
            simulation.run(slot)
        runs.extend(simulation.runs)
        logs.extend(simulation.logs)
    runs.sort(key=lambda event: event.started_at)
    logs.sort(key=lambda record: record.timestamp or start)
    return DemoData(
        workflows=tuple(
            DemoWorkflow(w.workflow_id, w.name, w.description, w.platforms, w.schedule_minutes)
            for w in WORKFLOWS
        ),
        runs=tuple(runs),
        logs=tuple(logs),
        metrics=tuple(_hourly_metrics(runs, start=start, hours=days * 24)),
        incidents=tuple(incident for _, incident in placed),
    )


def _as_utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError("now must be timezone-aware", field="now")
    return now.astimezone(UTC)


def _place(spec: IncidentSpec, start: datetime, now: datetime) -> DemoIncident:
    starts_at = _floor_minute(now - (now - start) * spec.starts_ago)
    ends_at = None if spec.duration is None else min(starts_at + spec.duration, now)
    return DemoIncident(
        workflow_id=spec.workflow_id,
        title=spec.title,
        starts_at=starts_at,
        ends_at=ends_at,
        fixed_at=ends_at if spec.fixed else None,
        category=spec.category,
        expected_error_substring=spec.expected_error_substring,
    )


def _floor_minute(at: datetime) -> datetime:
    return _EPOCH + (at - _EPOCH) // _MINUTE * _MINUTE


def _slots(
    every_minutes: int, offset_minutes: int, start: datetime, now: datetime
) -> Iterator[datetime]:
    """Scheduled start times in [start, now): whole minutes ``offset`` past the schedule grid."""
    first = -((_EPOCH - start) // _MINUTE)  # minutes since the epoch, rounded up
    first += (offset_minutes - first) % every_minutes
    at = _EPOCH + first * _MINUTE
    while at < now:
        yield at
        at += every_minutes * _MINUTE


@dataclass(slots=True)
class _Attempt:
    events: list[RunEvent]
    logs: list[LogRecord]
    ended_at: datetime
    failure: FailureSpec | None


@dataclass(slots=True)
class _Simulation:
    """Runs one workflow slot by slot, collecting its run events and log lines."""

    workflow: WorkflowSpec
    incidents: Sequence[tuple[IncidentSpec, DemoIncident]]
    rng: random.Random
    now: datetime
    runs: list[RunEvent] = field(default_factory=list)
    logs: list[LogRecord] = field(default_factory=list)

    def run(self, slot: datetime) -> None:
        """One scheduled run with its retries; left out if it would finish after ``now``."""
        run_id = f"{self.workflow.workflow_id}-{slot:%Y%m%d%H%M}-{self.rng.getrandbits(16):04x}"
        at = slot + timedelta(milliseconds=self.rng.randrange(20_000))
        load = load_factor(slot)
        records = max(0, round(self.rng.gauss(1.0, 0.3) * self.workflow.records_mean * load))
        events: list[RunEvent] = []
        logs: list[LogRecord] = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            result = self._attempt(run_id, attempt, at, slot, records, load)
            events += result.events
            logs += result.logs
            if result.failure is None or not result.failure.retryable or attempt == MAX_ATTEMPTS:
                break
            wait = RETRY_BACKOFF * 2 ** (attempt - 1)
            note = f"attempt {attempt} of {MAX_ATTEMPTS} failed; retrying in {wait.seconds}s"
            logs.append(self.workflow.log_record(result.ended_at, LogLevel.WARNING, note, run_id))
            at = result.ended_at + wait
        if result.ended_at > self.now:
            return
        if result.failure is None and (self.workflow.schedule_minutes >= 15 or attempt > 1):
            # Frequent workflows log successes at debug level, which is not shipped.
            took = (result.events[0].duration_ms or 0.0) / 1000
            note = f"run finished: {records} records in {took:.1f}s (attempt {attempt})"
            logs.append(self.workflow.log_record(result.ended_at, LogLevel.INFO, note, run_id))
        self.runs += events
        self.logs += logs

    def _attempt(
        self, run_id: str, attempt: int, at: datetime, slot: datetime, records: int, load: float
    ) -> _Attempt:
        spec, progress, forced = self._hazard(at, slot, attempt)
        steps: list[RunEvent] = []
        logs: list[LogRecord] = []
        failure: FailureSpec | None = None
        clock = at
        for step in self.workflow.steps:
            duration = step.baseline_ms * load**0.3 * self.rng.lognormvariate(0.0, _SIGMA)
            if spec is not None and spec.failure.step == step.name:
                duration, failed = spec.affect(duration, progress, forced, self.rng)
                failure = spec.failure if failed else None
            duration = float(round(duration))
            done = 0 if failure else records
            steps.append(self._step_event(run_id, step, clock, duration, failure, done, attempt))
            clock += timedelta(milliseconds=duration)
            if failure is not None:
                message = failure.message
                logs.append(
                    self.workflow.log_record(clock, LogLevel.ERROR, message, run_id, step, failure)
                )
                break
            if duration - step.baseline_ms > max(step.baseline_ms, 1000.0):
                usual = step.baseline_ms / 1000
                note = f"step {step.name} took {duration / 1000:.1f}s, usually {usual:.1f}s"
                logs.append(self.workflow.log_record(clock, LogLevel.WARNING, note, run_id, step))
        whole = _whole_run(steps, clock)
        return _Attempt([whole, *steps], logs, clock, failure)

    def _hazard(
        self, at: datetime, slot: datetime, attempt: int
    ) -> tuple[IncidentSpec | None, float, bool]:
        """The incident going on at ``at``, how far into it (0..1), and whether to force a failure
        (the first scheduled run in an incident always fails, so every incident shows)."""
        for spec, incident in self.incidents:
            end = incident.ends_at or self.now
            if incident.starts_at <= at < end:
                progress = (at - incident.starts_at) / (end - incident.starts_at)
                interval = self.workflow.schedule_minutes * _MINUTE
                first_run = timedelta(0) <= slot - incident.starts_at < interval
                return spec, progress, attempt == 1 and first_run
        return None, 0.0, False

    def _step_event(
        self,
        run_id: str,
        step: StepSpec,
        at: datetime,
        duration_ms: float,
        failure: FailureSpec | None,
        records: int,
        attempt: int,
    ) -> RunEvent:
        return RunEvent(
            workflow_id=self.workflow.workflow_id,
            run_id=run_id,
            status=RunStatus.SUCCESS if failure is None else RunStatus.FAILURE,
            started_at=at,
            step=step.name,
            platform=step.platform,
            duration_ms=duration_ms,
            error_message=failure.message if failure else None,
            error_code=failure.error_code if failure else None,
            http_status=failure.http_status if failure else None,
            records_processed=records,
            attempt=attempt,
        )


def _whole_run(steps: list[RunEvent], ended: datetime) -> RunEvent:
    """The whole-run event of an attempt: status, error and records are its last step's."""
    first, last = steps[0], steps[-1]
    return replace(
        last,
        step=None,
        started_at=first.started_at,
        platform=last.platform if last.failed else None,
        duration_ms=(ended - first.started_at) / timedelta(milliseconds=1),
    )


def _hourly_metrics(runs: Iterable[RunEvent], *, start: datetime, hours: int) -> list[MetricSample]:
    """Per workflow and hour after ``start``: ``METRIC_NAMES`` from the whole-run events started in
    that hour, stamped at the hour's end. Hours without runs have no samples."""
    buckets: dict[tuple[int, str], list[RunEvent]] = defaultdict(list)
    for event in runs:
        hour = (event.started_at - start) // _HOUR
        if event.step is None and 0 <= hour < hours:
            buckets[(hour, event.workflow_id)].append(event)
    samples: list[MetricSample] = []
    for (hour, workflow_id), events in sorted(buckets.items()):
        durations = sorted(event.duration_ms or 0.0 for event in events)
        values = (
            sum(durations) / len(durations) / 1000.0,
            _percentile(durations, 0.95) / 1000.0,
            sum(1 for event in events if event.failed) / len(events),
            float(len(events)),
            float(sum(event.records_processed or 0 for event in events)),
        )
        at = start + (hour + 1) * _HOUR
        samples.extend(
            MetricSample(workflow_id, name, value, at, labels={"window": "1h"})
            for name, value in zip(METRIC_NAMES, values, strict=True)
        )
    return samples


def _percentile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks of sorted, non-empty values."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
