"""Large logs are classified in a worker process while the CLI reads: the same result as one
process, and a read error stops the worker instead of hanging."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from flowdoctor.cli.diagnose import identify_in_worker
from flowdoctor.detect.classifier import default_classifier
from flowdoctor.domain import LogRecord
from flowdoctor.ingest import read_log_records
from flowdoctor.sessions.stages import identify

_SHAPES = [
    "2026-11-27T10:{m:02d}:00Z ERROR [wf_{n}] INVALID_SESSION_ID: Session expired (user {n})",
    "2026-11-27 10:{m:02d}:00,123 - app - ERROR - connect ECONNREFUSED 10.0.{k}.{k}:5432",
    '{{"level": 50, "msg": "Slack error: ratelimited, retry after {n}s", "time": {n}}}',
    'time=2026-11-27T10:{m:02d}:00Z level=error workflow=wf_{k} msg="widget mismatch {n}"',
    "Traceback (most recent call last):",
    "2026-11-27T10:{m:02d}:00Z INFO [wf_{n}] synced {n} records",
    "2026-11-27T10:{m:02d}:00Z WARN [wf_{k}] slow response: {n} ms",
    "",
]


def _log(lines: int) -> bytes:
    rows = (
        _SHAPES[i % len(_SHAPES)].format(m=i % 60, n=(i * 7919) % 100_003, k=i % 7)
        for i in range(lines)
    )
    return ("\n".join(rows) + "\n").encode()


def test_the_worker_finds_what_one_process_finds() -> None:
    data = _log(5_000)
    alone = identify(
        read_log_records(io.BytesIO(data)), classifier=default_classifier(), max_groups=3
    )
    paired = identify_in_worker(read_log_records(io.BytesIO(data)), workflow_id=None, max_groups=3)
    assert paired == alone
    # 5,000 lines less 625 blank, less 625 Traceback lines that continue the line before them
    assert paired.records_seen == 3_750 and paired.errors_seen > 2_000
    assert paired.overflow > 0  # the group limit was reached, and reached alike


def test_a_workflow_id_for_lines_without_one_reaches_the_worker() -> None:
    data = _log(400)
    paired = identify_in_worker(
        read_log_records(io.BytesIO(data)), workflow_id="nightly", max_groups=10
    )
    alone = identify(
        read_log_records(io.BytesIO(data)),
        classifier=default_classifier(),
        workflow_id="nightly",
        max_groups=10,
    )
    assert paired == alone
    assert any(issue.workflow_id == "nightly" for issue in paired.issues)


def test_a_read_error_stops_the_worker_and_is_raised() -> None:
    def failing() -> Iterator[LogRecord]:
        yield from read_log_records(io.BytesIO(_log(3_000)))
        raise OSError(5, "Input/output error")

    with pytest.raises(OSError, match="Input/output error"):
        identify_in_worker(failing(), workflow_id=None, max_groups=100)
