"""``flowdoctor diagnose``: read a log (file or stdin), classify, diagnose, recommend."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import BinaryIO

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from flowdoctor.analyze.diagnosis import diagnose
from flowdoctor.cli import lines
from flowdoctor.cli.render import Diagnosis
from flowdoctor.config import Settings
from flowdoctor.detect.classifier import default_classifier
from flowdoctor.domain import LogRecord
from flowdoctor.errors import FlowdoctorError, UnreadableInputError
from flowdoctor.ingest import IngestReport, read_log_records
from flowdoctor.recommend.ranking import recommend
from flowdoctor.runtime import build
from flowdoctor.sessions.stages import Identification, identify, needs_classifying

PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Files at least this large get a progress bar (when stderr is a terminal, or when forced)."""

WORKER_MIN_BYTES = 8 * 1024 * 1024
"""Files at least this large are classified in a second process while this one reads them."""

_BATCH_RECORDS = 1_000


@contextmanager
def open_input(path: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """The stream to read and its size when it is a regular file (``-`` is stdin; pipes and
    process substitutions are read too, without a progress bar or a second process)."""
    with lines.open_input(path) as stream:
        try:
            info = os.fstat(stream.fileno())
        except (OSError, ValueError):  # no file descriptor (a test's stdin replacement)
            yield stream, None
            return
        yield stream, info.st_size if stat.S_ISREG(info.st_mode) else None


@contextmanager
def progress_bar(
    size: int | None, enabled: bool | None, console: Console
) -> Iterator[Callable[[int], None] | None]:
    """A byte progress bar on stderr for large inputs; yields a callback or ``None``."""
    show = enabled if enabled is not None else console.is_terminal
    if not show or size is None or (enabled is None and size < PROGRESS_MIN_BYTES):
        yield None
        return
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    # On a terminal the bar redraws in place and vanishes when done; elsewhere (a forced bar
    # into a log file) rich cannot redraw, so the final state is kept as one line.
    with Progress(*columns, console=console, transient=console.is_terminal) as bar:
        task = bar.add_task("reading", total=size)

        def tick(done: int) -> None:
            bar.update(task, completed=done)

        yield tick


def run_diagnose(
    path: str,
    *,
    settings: Settings,
    workflow_id: str | None,
    save: bool,
    progress: bool | None,
    err_console: Console,
) -> Diagnosis:
    """Read ``path`` and produce the diagnosis; with ``save`` it is stored as a session."""
    report = IngestReport()
    with open_input(path) as (stream, size), progress_bar(size, progress, err_console) as tick:
        try:
            # Unsaved, only errors are looked at: other lines need not be parsed in full.
            records = read_log_records(stream, report=report, on_progress=tick, brief=not save)
            if save:
                return _diagnose_saved(path, records, settings, workflow_id, report)
            if size is not None and size >= WORKER_MIN_BYTES and (os.cpu_count() or 1) > 1:
                found = identify_in_worker(
                    records, workflow_id=workflow_id, max_groups=settings.max_issue_groups
                )
            else:
                found = identify(
                    records,
                    classifier=default_classifier(),
                    workflow_id=workflow_id,
                    max_groups=settings.max_issue_groups,
                )
        except OSError as exc:
            raise UnreadableInputError(f"cannot read {path!r}: {exc.strerror or exc}") from exc
    causes = diagnose(found.issues, [])
    return Diagnosis(
        source=_source_name(path),
        issues=found.issues,
        root_causes=causes,
        recommendations=recommend(found.issues, causes),
        report={**asdict(report), **found.summary()},
    )


def identify_in_worker(
    records: Iterable[LogRecord], *, workflow_id: str | None, max_groups: int
) -> Identification:
    """:func:`identify` with reading and classifying on two cores: the same result.

    This process reads and parses (``records``) and sends the records ``identify`` would
    classify, in order and in batches, to a worker process, which runs ``identify`` on them
    with the default classifier (loading the knowledge base and training the learned fallback
    while the reading goes on). Only the count of records seen is this side's. At most a few
    batches are in flight (a pipe's buffer), so memory stays bounded.
    """
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    ours, theirs = context.Pipe()
    worker = context.Process(
        target=_identify_worker, args=(theirs, workflow_id, max_groups), daemon=True
    )
    worker.start()
    theirs.close()
    try:
        seen = 0
        batch: list[LogRecord] = []
        for record in records:
            seen += 1
            if needs_classifying(record):
                batch.append(record)
                if len(batch) >= _BATCH_RECORDS:
                    _send(ours, batch)
                    batch = []
        _send(ours, batch)
        _send(ours, None)
        status, result = _receive(ours)
    except BaseException:
        worker.terminate()  # a read error or Ctrl-C: its work is of no use now
        raise
    finally:
        ours.close()
        worker.join()
    if status != "ok" or not isinstance(result, Identification):
        raise FlowdoctorError(f"classifying failed in the worker process: {result}")
    return dataclasses.replace(result, records_seen=seen)


def _send(connection: Connection, batch: list[LogRecord] | None) -> None:
    try:
        connection.send(batch)
    except (BrokenPipeError, ConnectionResetError) as exc:
        raise FlowdoctorError("the classifying worker process stopped") from exc


def _receive(connection: Connection) -> tuple[str, object]:
    try:
        status, result = connection.recv()
    except (EOFError, ConnectionResetError) as exc:
        raise FlowdoctorError("the classifying worker process stopped") from exc
    return str(status), result


def _identify_worker(connection: Connection, workflow_id: str | None, max_groups: int) -> None:
    """The worker's side: ``identify`` over the batches received, then the result sent back."""

    def received() -> Iterator[LogRecord]:
        while (batch := connection.recv()) is not None:
            yield from batch

    try:
        found = identify(
            received(),
            classifier=default_classifier(),
            workflow_id=workflow_id,
            max_groups=max_groups,
        )
        connection.send(("ok", found))
    except (EOFError, BrokenPipeError):
        pass  # the reading side has gone (and says why)
    except Exception as exc:  # reported by the reading side, which knows the file
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def _diagnose_saved(
    path: str,
    records: Iterator[LogRecord],
    settings: Settings,
    workflow_id: str | None,
    report: IngestReport,
) -> Diagnosis:
    runtime = build(settings)
    try:
        session = runtime.sessions.start(
            workflow_id=workflow_id or "cli",
            error_logs=records,
        )
        recommendations = runtime.sessions.recommend(session.session_id)
        session = runtime.sessions.get(session.session_id)
    finally:
        runtime.close()
    return Diagnosis(
        source=_source_name(path),
        issues=session.issues,
        root_causes=session.root_causes,
        recommendations=recommendations,
        report={**asdict(report), **session.stages[0].output},
        session_id=session.session_id,
    )


def _source_name(path: str) -> str:
    return "stdin" if path == "-" else path
