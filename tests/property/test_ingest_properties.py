"""Whatever bytes or text arrive, ingest answers with records or InputError, and counts honestly."""

from __future__ import annotations

import contextlib
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from flowdoctor.domain import RunEvent
from flowdoctor.errors import InputError
from flowdoctor.ingest import (
    IngestReport,
    parse_json_line,
    parse_run_event,
    parse_text_line,
    read_log_records,
    records_from_strings,
)

# Fragments of real log lines, so generated input exercises the prefix and field parsers and not
# only the "nothing recognised" path.
_FRAGMENTS = st.sampled_from(
    [
        "2024-01-02 03:04:05,123",
        "2024-01-02T03:04:05Z",
        "[2024-01-02T03:04:05.123+02:00]",
        "Jan  2 03:04:05 host proc[1]:",
        "<34>",
        "1704164645",
        "1704164645123",
        "ERROR",
        "[error]",
        "error:",
        "WARN |",
        "E:",
        "ERROR:root:",
        " - ",
        "workflow=",
        "run_id=",
        'msg="',
        "time=",
        "level=",
        "HTTP 503",
        "status code",
        "status=",
        "{",
        "}",
        '"',
        ":",
        "\t",
        " ",
        "\r\n",
        "\x1b[31m",
        "\ufeff",
        "\x00",
        "\ud800",
        "é",
    ]
)
_LOGLIKE_TEXT = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=12).map("".join)
_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
_KEYS = st.sampled_from(
    ["msg", "message", "error", "err", "level", "time", "ts", "status", "statusCode", "code",
     "workflow", "run_id", "step", "platform", "log", "event", "x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.integers(min_value=1, max_value=300))
def test_arbitrary_bytes_never_raise_and_counts_add_up(data: bytes, limit: int) -> None:
    report = IngestReport()
    records = list(read_log_records(io.BytesIO(data), report=report, max_line_bytes=limit))
    assert report.records == len(records)
    assert report.records + report.blank + report.unreadable == report.lines_read
    assert report.bytes_read == len(data)
    assert len(report.rejected) <= 5
    for record in records:
        # the cut is on the input bytes; each byte decodes to at most one character (a bad byte
        # becomes U+FFFD, three bytes in UTF-8), so characters are what stays bounded
        assert len(record.raw) <= limit
        assert record.message.strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_LOGLIKE_TEXT, st.binary(max_size=50).map(bytes.hex)), max_size=20))
def test_lines_of_loglike_bytes_count_up(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    report = IngestReport()
    records = list(read_log_records(io.BytesIO(data), report=report))
    assert report.records + report.blank + report.unreadable == report.lines_read
    assert all(r.timestamp is None or r.timestamp.tzinfo is not None for r in records)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_LOGLIKE_TEXT, st.text()))
def test_parse_text_line_never_raises(line: str) -> None:
    record = parse_text_line(line, line_number=1)
    assert record.raw == line.rstrip("\r\n")
    assert record.http_status is None or 100 <= record.http_status <= 599
    assert record.timestamp is None or record.timestamp.utcoffset() is not None


@settings(max_examples=300, deadline=None)
@given(st.one_of(_LOGLIKE_TEXT, st.text()))
def test_parse_json_line_raises_only_input_error_on_text(line: str) -> None:
    with contextlib.suppress(InputError):
        parse_json_line(line)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.one_of(_KEYS, st.text(max_size=10)), _JSON_VALUES, max_size=8))
def test_parse_json_line_accepts_any_object(obj: dict[str, object]) -> None:
    record = parse_json_line(json.dumps(obj))
    assert len(record.extra) <= 20
    assert all(len(value) <= 500 for value in record.extra.values())
    assert record.http_status is None or 100 <= record.http_status <= 599
    record.message.encode("utf-8")  # no lone surrogates survive


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=10))
def test_records_from_strings_counts_add_up(lines: list[str]) -> None:
    report = IngestReport()
    records = list(records_from_strings(lines, report=report))
    assert report.lines_read == len(lines)
    assert report.records == len(records)
    assert report.records + report.blank + report.unreadable == report.lines_read


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["workflow_id", "run_id", "status", "started_at", "duration_ms", "http_status",
             "attempt", "error_code", "error_message", "records_processed", "step"]
        ),
        _JSON_VALUES,
    )
)  # fmt: skip
def test_parse_run_event_raises_only_input_error(obj: dict[str, object]) -> None:
    outcome = _run_event_or_error(obj)
    if isinstance(outcome, InputError):
        assert outcome.field is not None
        assert outcome.field.startswith("events[0]")
    else:
        assert outcome.started_at.tzinfo is not None
        assert outcome.attempt >= 1


def _run_event_or_error(obj: dict[str, object]) -> RunEvent | InputError:
    try:
        return parse_run_event(obj, index=0)
    except InputError as exc:
        return exc
