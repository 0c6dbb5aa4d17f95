"""Taking in what workflows emit: run events, log lines and metric samples, stored as batches.

A batch is all or nothing: it is validated completely before anything is written, and written in
one transaction, so a rejected batch leaves the store exactly as it was. Batches that arrive
together share that transaction (``GroupCommit``), each still all or nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from flowdoctor.clock import Clock
from flowdoctor.domain import LogRecord, MetricSample, RunEvent
from flowdoctor.errors import InputError
from flowdoctor.monitor.group_commit import GroupCommit
from flowdoctor.monitor.prometheus import IngestKind, Instruments
from flowdoctor.store import Database


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """How many items a batch stored."""

    accepted: int


class IntakeService:
    """Stores validated batches of runs, logs and metrics."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        max_batch_items: int = 10_000,
        instruments: Instruments | None = None,
    ) -> None:
        self._clock = clock
        self._max = max_batch_items
        self._instruments = instruments or Instruments()
        self._db = db
        self._writes = GroupCommit(db)

    def add_runs(self, events: Sequence[RunEvent]) -> IntakeResult:
        """Store a batch of run events."""
        self._check_size(len(events), "events")
        started = time.perf_counter()
        rows = self._db.prepare_runs(events, self._clock.now())  # before the writer lock
        count = self._writes.submit(lambda store: store.runs.add_prepared(rows))
        self._instruments.observe_ingest(IngestKind.RUNS, count, time.perf_counter() - started)
        return IntakeResult(accepted=count)

    def add_logs(
        self, records: Sequence[LogRecord], *, workflow_id: str | None = None
    ) -> IntakeResult:
        """Store a batch of log records; ``workflow_id`` fills records that name none."""
        self._check_size(len(records), "lines")
        started = time.perf_counter()
        now = self._clock.now()
        count = self._writes.submit(
            lambda store: store.logs.add_many(records, workflow_id=workflow_id, ingested_at=now)
        )
        self._instruments.observe_ingest(IngestKind.LOGS, count, time.perf_counter() - started)
        return IntakeResult(accepted=count)

    def add_metrics(self, samples: Sequence[MetricSample]) -> IntakeResult:
        """Store a batch of metric samples."""
        self._check_size(len(samples), "samples")
        started = time.perf_counter()
        count = self._writes.submit(lambda store: store.metrics.add_many(samples))
        self._instruments.observe_ingest(IngestKind.METRICS, count, time.perf_counter() - started)
        return IntakeResult(accepted=count)

    def _check_size(self, size: int, field: str) -> None:
        if size == 0:
            raise InputError("the batch is empty", field=field)
        if size > self._max:
            raise InputError(
                f"the batch has {size} items; at most {self._max} are accepted", field=field
            )
