"""``flowdoctor diagnose``: read a log (file or stdin), classify, diagnose, recommend."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import BinaryIO

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from flowdoctor.analyze.diagnosis import diagnose
from flowdoctor.cli.render import Diagnosis
from flowdoctor.config import Settings
from flowdoctor.detect.classifier import default_classifier
from flowdoctor.domain import LogRecord
from flowdoctor.errors import UnreadableInputError
from flowdoctor.ingest import IngestReport, read_log_records
from flowdoctor.recommend.ranking import recommend
from flowdoctor.runtime import build
from flowdoctor.sessions.stages import identify

PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Files at least this large get a progress bar (when stderr is a terminal, or when forced)."""


@contextmanager
def open_input(path: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """The stream to read and its size when known; ``-`` is stdin."""
    if path == "-":
        yield sys.stdin.buffer, None
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the caller is done
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnreadableInputError(f"cannot read {path!r}: {reason}", field="path") from exc
    try:
        if not os.path.isfile(path):
            raise UnreadableInputError(f"cannot read {path!r}: not a regular file", field="path")
        yield stream, os.fstat(stream.fileno()).st_size
    finally:
        stream.close()


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
            records = read_log_records(stream, report=report, on_progress=tick)
            if save:
                return _diagnose_saved(path, records, settings, workflow_id, report)
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
