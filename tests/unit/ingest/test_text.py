"""Plain-text log lines from real programs: prefixes become fields, the message stays intact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flowdoctor.domain import LogLevel
from flowdoctor.ingest import parse_text_line


def test_python_logging_default_format() -> None:
    rec = parse_text_line("2024-01-02 03:04:05,123 - myapp.db - ERROR - Connection timeout")
    assert rec.timestamp == datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    assert rec.level is LogLevel.ERROR
    assert rec.message == "Connection timeout"
    assert rec.extra == {"logger": "myapp.db"}


def test_python_basic_config_format() -> None:
    rec = parse_text_line("WARNING:urllib3.connectionpool:Retrying (HTTP Error 429)")
    assert rec.level is LogLevel.WARNING
    assert rec.message == "Retrying (HTTP Error 429)"
    assert rec.extra["logger"] == "urllib3.connectionpool"
    assert rec.http_status == 429


def test_syslog_header_is_stripped_into_fields() -> None:
    rec = parse_text_line("Jan  2 03:04:05 web01 sshd[4242]: Failed password for root")
    assert rec.message == "Failed password for root"
    assert rec.extra == {"host": "web01", "process": "sshd", "pid": "4242"}
    assert rec.timestamp is not None
    assert (rec.timestamp.month, rec.timestamp.day, rec.timestamp.hour) == (1, 2, 3)
    assert rec.timestamp.tzinfo is UTC
    # The year is guessed, but never in the future.
    assert rec.timestamp <= datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)


def test_syslog_with_priority_tag() -> None:
    rec = parse_text_line("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick")
    assert rec.message == "'su root' failed for lonvick"
    assert rec.extra["process"] == "su"


def test_aws_lambda_line_with_request_id() -> None:
    line = (
        "[ERROR]\t2024-01-02T03:04:05.123Z\t8f5c1d2e-1234-4abc-9def-0123456789ab\t"
        "Task timed out after 3.00 seconds"
    )
    rec = parse_text_line(line)
    assert rec.level is LogLevel.ERROR
    assert rec.timestamp == datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    assert rec.extra["request_id"] == "8f5c1d2e-1234-4abc-9def-0123456789ab"
    assert rec.message == "Task timed out after 3.00 seconds"


def test_java_logback_thread_before_level() -> None:
    rec = parse_text_line("2024-01-02 03:04:05.123 [main] ERROR com.foo.Db - Connection refused")
    assert rec.level is LogLevel.ERROR
    assert rec.extra["thread"] == "main"
    assert rec.message == "com.foo.Db - Connection refused"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2024-01-02T03:04:05Z x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02 03:04:05 x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789Z x", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T05:04:05+02:00 x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T05:04:05+0200 x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("[2024-01-02 03:04:05] x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024/01/02 03:04:05 x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("1704164645 x", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("1704164645123 x", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
    ],
)
def test_timestamp_prefixes(line: str, expected: datetime) -> None:
    rec = parse_text_line(line)
    assert rec.timestamp == expected
    assert rec.timestamp is not None and rec.timestamp.utcoffset() is not None
    assert rec.message == "x"


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("ERROR boom", LogLevel.ERROR),
        ("ERR boom", LogLevel.ERROR),
        ("error: boom", LogLevel.ERROR),
        ("[error] boom", LogLevel.ERROR),
        ("[E] boom", LogLevel.ERROR),
        ("E: boom", LogLevel.ERROR),
        ("ERROR | boom", LogLevel.ERROR),
        ("<error> boom", LogLevel.ERROR),
        ("WARN boom", LogLevel.WARNING),
        ("Warning: boom", LogLevel.WARNING),
        ("INFO boom", LogLevel.INFO),
        ("DEBUG boom", LogLevel.DEBUG),
        ("TRACE boom", LogLevel.DEBUG),
        ("FATAL boom", LogLevel.CRITICAL),
        ("CRITICAL: boom", LogLevel.CRITICAL),
        ("ERRO[0001] boom", LogLevel.ERROR),  # logrus text format
        ("2024-01-02T03:04:05Z [warning] boom", LogLevel.WARNING),
        ("2024-01-02T03:04:05Z | ERROR | boom", LogLevel.ERROR),
    ],
)
def test_level_spellings(line: str, level: LogLevel | None) -> None:
    rec = parse_text_line(line)
    assert rec.level is level
    if level is not None:
        assert rec.message == "boom"


@pytest.mark.parametrize(
    "line",
    ["error connecting to database", "I think the sync broke", "Errors: 3 rows skipped"],
)
def test_words_that_only_look_like_levels_stay_in_the_message(line: str) -> None:
    rec = parse_text_line(line)
    assert rec.level is None
    assert rec.message == line


def test_platform_name_after_level_stays_in_the_message() -> None:
    rec = parse_text_line("2026-11-27T10:00:01Z ERROR Salesforce INVALID_SESSION_ID: expired")
    assert rec.message == "Salesforce INVALID_SESSION_ID: expired"


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("Upstream returned HTTP 503", 503),
        ("Request failed with status code 429", 429),
        ("auth failed status=401", 401),
        ('{"statusCode": 500} in body', 500),
        ("HTTP/1.1 502 Bad Gateway", 502),
        ("http_status=404 for /x", 404),
        ("listening on port 5432", None),
        ("status=2000 items", None),
        ("HTTP 999 is not a status", None),
    ],
)
def test_http_status(line: str, status: int | None) -> None:
    assert parse_text_line(line).http_status == status


def test_key_value_metadata_is_pulled_out() -> None:
    rec = parse_text_line(
        "ERROR workflow=invoice-sync run_id=r-77 step=fetch platform=stripe "
        "code=card_declined payment failed"
    )
    assert (rec.workflow_id, rec.run_id, rec.step, rec.platform) == (
        "invoice-sync",
        "r-77",
        "fetch",
        "stripe",
    )
    assert rec.error_code == "card_declined"
    # Metadata leaves the message; the error code is part of what went wrong and stays.
    assert rec.message == "code=card_declined payment failed"


def test_logfmt_line() -> None:
    rec = parse_text_line(
        'time=2024-01-02T03:04:05Z level=error msg="connect ECONNREFUSED" flow=sync'
    )
    assert rec.level is LogLevel.ERROR
    assert rec.timestamp == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert rec.workflow_id == "sync"
    assert rec.message == "connect ECONNREFUSED"


def test_a_duration_named_time_is_not_a_timestamp() -> None:
    rec = parse_text_line("request took time=35ms")
    assert rec.timestamp is None
    assert rec.message == "request took time=35ms"


def test_raw_keeps_the_line_without_its_ending_and_line_number_is_set() -> None:
    rec = parse_text_line("2024-01-02T03:04:05Z ERROR boom\r\n", line_number=7)
    assert rec.raw == "2024-01-02T03:04:05Z ERROR boom"
    assert rec.line_number == 7


def test_a_line_that_is_only_a_prefix_keeps_it_as_message() -> None:
    rec = parse_text_line("FATAL")
    assert rec.level is LogLevel.CRITICAL
    assert rec.message == "FATAL"


def test_an_impossible_timestamp_is_left_in_the_message() -> None:
    rec = parse_text_line("2024-13-45 03:04:05 ERROR boom")
    assert rec.timestamp is None
    assert rec.message.startswith("2024-13-45")
