"""Lines that continue a record (a traceback under a timestamped line) join that record."""

from __future__ import annotations

import io

from flowdoctor.detect.classifier import default_classifier
from flowdoctor.domain import IssueCategory, LogLevel
from flowdoctor.ingest import IngestReport, read_log_records

TRACEBACK = b"""2026-11-28T10:00:00Z INFO [crm_sync] run 41 started
2026-11-28T10:00:01Z ERROR [crm_sync] step export failed
Traceback (most recent call last):
  File "/app/export.py", line 88, in run
    conn = psycopg2.connect(DSN)

psycopg2.OperationalError: connection to server at "10.0.3.17", port 5432 failed: Connection refused
2026-11-28T10:00:02Z INFO [crm_sync] run 41 finished
{"level":"error","time":"2026-11-28T10:00:03Z","msg":"HubSpot 401"}
    not a continuation of a JSON record's text, but of the JSON record: it has a time
"""


def _read(data: bytes, **kwargs: int) -> tuple[list, IngestReport]:
    report = IngestReport()
    return list(read_log_records(io.BytesIO(data), report=report, **kwargs)), report


def test_a_traceback_joins_the_line_it_belongs_to() -> None:
    records, report = _read(TRACEBACK)
    assert [r.level for r in records] == [
        LogLevel.INFO,
        LogLevel.ERROR,
        LogLevel.INFO,
        LogLevel.ERROR,
    ]
    error = records[1]
    assert error.message.startswith("[crm_sync] step export failed\nTraceback (most recent")
    assert error.message.endswith("port 5432 failed: Connection refused")
    assert error.line_number == 2
    assert report.continued == 5  # four traceback lines and the indented line under the JSON
    assert report.blank == 1
    assert report.records + report.blank + report.unreadable == report.lines_read
    verdict = default_classifier().classify(error.message)
    assert (verdict.category, verdict.platform) == (IssueCategory.CONNECTIVITY, "postgresql")


def test_without_timestamps_every_line_is_its_own_record() -> None:
    records, report = _read(b"Connection timeout\n  Authentication failed\nTraceback x\n")
    assert [r.message for r in records] == [
        "Connection timeout",
        "Authentication failed",
        "Traceback x",
    ]
    assert report.continued == 0


def test_a_level_or_timestamp_starts_a_new_record() -> None:
    data = b"2026-11-28T10:00:00Z ERROR first\nWARN second\n2026-11-28T10:00:01Z third\n"
    records, _ = _read(data)
    assert [r.message for r in records] == ["first", "second", "third"]


def test_a_record_stops_growing_at_the_line_limit() -> None:
    data = b"2026-11-28T10:00:00Z ERROR boom\n" + b"  at frame\n" * 50
    records, report = _read(data, max_line_bytes=200)
    assert len(records) > 1
    assert all(len(r.raw) < 200 for r in records)
    assert report.continued + len(records) == 51
