"""The scripting commands' line reader: every physical line once, whatever the read boundaries,
bounded in length; and which message a line stands for."""

from __future__ import annotations

import io

import pytest

from flowdoctor.cli.lines import InputLine, json_line, line_record, read_line_batches


class Trickle(io.RawIOBase):
    """A stream handing out ``step`` bytes per read, as a slow pipe does."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._step, self._pos = data, step, 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        chunk = self._data[self._pos : self._pos + min(self._step, size)]
        self._pos += len(chunk)
        return chunk

    read = read1


def lines_of(data: bytes, *, step: int = 1 << 20, limit: int = 16) -> list[InputLine]:
    stream = Trickle(data, step)
    return [line for batch in read_line_batches(stream, max_line_bytes=limit) for line in batch]


@pytest.mark.parametrize("step", [1, 2, 3, 7, 1 << 20])
def test_every_line_once_in_order_whatever_the_read_size(step: int) -> None:
    data = b"first\r\n\n  \nexactly-16-bytes\r\nseventeen-bytes!!\nlast"
    lines = lines_of(data, step=step)
    assert [(x.number, x.text, x.cut) for x in lines] == [
        (1, "first", False),
        (2, "", False),
        (3, "  ", False),
        (4, "exactly-16-bytes", False),
        (5, "seventeen-bytes!", True),
        (6, "last", False),
    ]


def test_a_huge_line_is_cut_and_the_next_line_still_read() -> None:
    lines = lines_of(b"E" + b"x" * 1_000_000 + b"\nnext\n", step=4096, limit=1024)
    assert [len(x.text or "") for x in lines] == [1024, 4]
    assert [x.cut for x in lines] == [True, False]


def test_a_cut_never_splits_a_character() -> None:
    (line,) = lines_of("aaaaaaaaaaaaaaa€".encode() + b"\n", limit=16)  # € is 3 bytes
    assert line.text == "a" * 15 and line.cut


def test_binary_lines_have_no_text_but_a_reason() -> None:
    (line,) = lines_of(b"\x00\x01\x02garbage")
    assert line.text is None and line.problem and "NUL" in line.problem


def test_no_trailing_newline_no_extra_line() -> None:
    assert len(lines_of(b"a\nb\n")) == 2
    assert lines_of(b"") == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "2024-01-02T03:04:05Z ERROR boom", "message": "other"}', "boom"),
        ('{"level": "error", "msg": "boom"}', "boom"),
        ('{"text": 42, "message": "boom"}', "boom"),  # text not a string: read as a log line
        ('{"status": 500}', '{"status": 500}'),  # no message field: the whole line
        ('{"text": "boom', '{"text": "boom'),  # invalid JSON: plain text
        ('["boom"]', '["boom"]'),  # JSON, but not an object: plain text
        ('{"text": "caf\\ud800"}', "caf\ufffd"),  # a lone surrogate cannot be written out
    ],
)
def test_which_message_a_line_stands_for(line: str, message: str) -> None:
    record = line_record(line)
    assert record is not None and record.message == message


@pytest.mark.parametrize("line", ["", "   ", '{"text": ""}', '{"text": "  "}'])
def test_blank_lines_have_no_record(line: str) -> None:
    assert line_record(line) is None


def test_json_line_keeps_non_ascii_and_refuses_nan() -> None:
    assert json_line({"t": "Müller ☕"}) == '{"t": "Müller ☕"}\n'.encode()
    with pytest.raises(ValueError, match="JSON compliant"):
        json_line({"x": float("nan")})
