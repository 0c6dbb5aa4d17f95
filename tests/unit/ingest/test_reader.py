"""The streaming reader: mixed files, bad bytes, huge lines, and an honest report."""

from __future__ import annotations

import io
from typing import Any

import pytest

from flowdoctor.domain import LogLevel, LogRecord
from flowdoctor.errors import InputError
from flowdoctor.ingest import IngestReport, read_log_records, records_from_strings
from flowdoctor.ingest.decoding import cut_utf8, decode_line


class _SpyStream(io.BytesIO):
    """A BytesIO that remembers the largest chunk it ever handed out."""

    largest = 0

    def readline(self, size: int | None = -1, /) -> bytes:
        chunk = super().readline(size)
        self.largest = max(self.largest, len(chunk))
        return chunk


def _read(data: bytes, **kwargs: Any) -> tuple[list[LogRecord], IngestReport]:
    report = IngestReport()
    records = list(read_log_records(io.BytesIO(data), report=report, **kwargs))
    return records, report


def test_mixed_text_and_json_lines() -> None:
    data = (
        b"2024-01-02 03:04:05,123 ERROR Connection timeout\n"
        b'{"level": "warn", "msg": "slow"}\n'
        b"\n"
        b"   \n"
        b"plain message\n"
    )
    records, report = _read(data)
    assert [r.message for r in records] == ["Connection timeout", "slow", "plain message"]
    assert [r.line_number for r in records] == [1, 2, 5]
    assert records[1].level is LogLevel.WARNING
    assert (report.lines_read, report.records, report.blank) == (5, 3, 2)
    assert report.bytes_read == len(data)


def test_crlf_and_bom_are_stripped() -> None:
    records, _ = _read(b"\xef\xbb\xbfERROR first\r\nWARN second\r\n")
    assert [r.raw for r in records] == ["ERROR first", "WARN second"]
    assert records[0].level is LogLevel.ERROR


def test_last_line_without_newline_is_read() -> None:
    records, report = _read(b"one\ntwo")
    assert [r.message for r in records] == ["one", "two"]
    assert report.lines_read == 2


def test_nul_and_binary_lines_are_counted_and_skipped() -> None:
    data = (
        b"ERROR before\n"
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00\n"
        b"\x89\xfe\xff\x01\x02\x03\x9c\xc3\n"
        b"ERROR after\n"
    )
    records, report = _read(data)
    assert [r.message for r in records] == ["before", "after"]
    assert report.unreadable == 2
    assert [(r.line_number, "NUL" in r.reason) for r in report.rejected] == [
        (2, True),
        (3, False),
    ]
    assert report.records + report.blank + report.unreadable == report.lines_read


def test_rejected_examples_are_bounded() -> None:
    _, report = _read(b"\x00\n" * 50)
    assert report.unreadable == 50
    assert len(report.rejected) == 5


def test_a_few_invalid_utf8_bytes_are_replaced_not_rejected() -> None:
    records, report = _read(b"ERROR caf\xe9 au lait not served\n")
    assert report.unreadable == 0
    assert records[0].message == "caf\ufffd au lait not served"


def test_ansi_colour_codes_are_removed() -> None:
    records, _ = _read(b"\x1b[31mERROR\x1b[0m disk full\n")
    assert records[0].level is LogLevel.ERROR
    assert records[0].message == "disk full"


def test_a_5mb_single_line_stays_bounded_and_reading_continues() -> None:
    limit = 64 * 1024
    stream = _SpyStream(b"x" * (5 * 1024 * 1024) + b"\nERROR next line\n")
    report = IngestReport()
    records = list(read_log_records(stream, report=report, max_line_bytes=limit))
    assert len(records) == 2
    assert len(records[0].message) <= limit
    assert len(records[0].raw) == limit
    assert records[1].message == "next line"
    assert records[1].line_number == 2
    assert report.oversized == 1
    # Never more than a line's worth (plus its ending) was held at once.
    assert stream.largest <= limit + 2
    assert report.bytes_read == len(stream.getvalue())


def test_a_line_of_exactly_the_limit_is_not_oversized() -> None:
    records, report = _read(b"a" * 100 + b"\r\nb\n", max_line_bytes=100)
    assert report.oversized == 0
    assert records[0].raw == "a" * 100
    assert records[1].raw == "b"


def test_cutting_never_splits_a_utf8_character() -> None:
    records, report = _read("é".encode() * 10 + b"\n", max_line_bytes=5)
    assert report.oversized == 1
    assert records[0].raw == "éé"


def test_oversized_json_is_read_as_text_and_counted() -> None:
    line = b'{"msg": "' + b"y" * 200 + b'"}\n'
    records, report = _read(line, max_line_bytes=50)
    assert report.json_errors == 1
    assert report.oversized == 1
    assert records[0].raw.startswith('{"msg": "yyy')


def test_broken_json_falls_back_to_text() -> None:
    records, report = _read(b"{'msg': 'python repr', 'level': 'ERROR'}\n")
    assert report.json_errors == 1
    assert records[0].message == "{'msg': 'python repr', 'level': 'ERROR'}"


def test_progress_reports_bytes_consumed() -> None:
    data = b"line of text\n" * 100_000
    seen: list[int] = []
    _read(data, on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == len(data)
    assert 1 < len(seen) < 100  # throttled, not once per line


def test_text_stream_is_refused_clearly() -> None:
    with pytest.raises(InputError, match="binary mode"):
        list(read_log_records(io.StringIO("hello\n")))  # type: ignore[arg-type]


def test_bad_limit_is_refused() -> None:
    with pytest.raises(InputError):
        list(read_log_records(io.BytesIO(b"x"), max_line_bytes=0))


def test_records_from_strings_uses_the_same_rules() -> None:
    report = IngestReport()
    records = list(
        records_from_strings(
            [
                "Connection timeout",
                "",
                '{"level": "error", "message": "Slack API error: ratelimited", "status": 429}',
                "bin\x00ary",
                "ERROR trailing newline\n",
                "lone \ud800 surrogate",
            ],
            report=report,
        )
    )
    assert [r.line_number for r in records] == [1, 3, 5, 6]
    assert records[0].message == "Connection timeout"
    assert records[0].is_error
    assert records[1].http_status == 429
    assert records[2].raw == "ERROR trailing newline"
    assert records[3].message == "lone \ufffd surrogate"
    assert (report.records, report.blank, report.unreadable, report.lines_read) == (4, 1, 1, 6)


def test_records_from_strings_cuts_huge_entries() -> None:
    report = IngestReport()
    records = list(records_from_strings(["z" * 100_000], report=report, max_line_bytes=1000))
    assert len(records[0].message) == 1000
    assert report.oversized == 1


def test_decode_line_and_cut_utf8_directly() -> None:
    assert decode_line(b"ok") == ("ok", None)
    assert decode_line(b"\x01\x02\x03a")[1] is not None
    assert cut_utf8("aé".encode(), 2) == b"a"
    assert cut_utf8("a€".encode(), 3) == b"a"
    assert cut_utf8(b"abc", 10) == b"abc"
