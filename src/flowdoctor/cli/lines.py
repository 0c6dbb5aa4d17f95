"""Line-by-line input for the scripting commands (``classify``, ``templates``).

Unlike :func:`~flowdoctor.ingest.read_log_records`, which skips blank and binary lines, this
reader yields every physical line, because these commands answer with exactly one output line per
input line. A line is what ends in ``\\n`` (a ``\\r`` before it is dropped), plus a last line with
no newline if the input does not end in one.

Lines arrive in batches: all the lines completed by one read of the input. A caller writes its
answers for a batch and flushes before asking for the next, so output keeps pace with a pipe
(``tail -f app.log | flowdoctor classify -``) while a file is still written in large blocks.
Memory is bounded: a line longer than ``max_line_bytes`` keeps its first ``max_line_bytes`` bytes
and the rest is dropped as it is read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from flowdoctor.domain import LogRecord
from flowdoctor.errors import InputError, UnreadableInputError
from flowdoctor.ingest import DEFAULT_MAX_LINE_BYTES, parse_json_line, parse_text_line
from flowdoctor.ingest.decoding import cut_utf8, decode_line, scrub_surrogates

READ_CHUNK_BYTES = 64 * 1024
"""At most this much is read at a time; a batch is the lines completed by one read."""


@dataclass(frozen=True, slots=True)
class InputLine:
    """One physical input line: its text, or why it has none.

    ``text`` is ``None`` when the line is not text (``problem`` says why). ``cut`` is true when
    the line was longer than the limit and ``text`` is its beginning.
    """

    number: int
    text: str | None
    problem: str | None = None
    cut: bool = False


@dataclass(slots=True)
class LineTally:
    """What was read: every line, and how many were not text or were cut."""

    lines: int = 0
    not_text: int = 0
    cut: int = 0
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES

    def count(self, line: InputLine) -> None:
        """Count one line."""
        self.lines += 1
        self.not_text += line.text is None
        self.cut += line.cut

    def note(self) -> str | None:
        """One line about lines that were not read whole, or ``None`` when every line was.

        >>> LineTally(lines=3, not_text=1).note()
        '3 lines read, 1 not text'
        """
        parts = ["1 line read" if self.lines == 1 else f"{self.lines} lines read"]
        if self.not_text:
            parts.append(f"{self.not_text} not text")
        if self.cut:
            parts.append(f"{self.cut} longer than {self.max_line_bytes} bytes (read that far)")
        return ", ".join(parts) if len(parts) > 1 else None


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """The binary stream to read: ``-`` is stdin, anything else is opened as a file.

    Pipes and process substitutions (``<(zcat app.log.gz)``) are accepted; a path that cannot be
    opened raises :class:`UnreadableInputError` with one line saying why.
    """
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the caller is done
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnreadableInputError(f"cannot read {path!r}: {reason}", field="path") from exc
    try:
        yield stream
    finally:
        stream.close()


def read_line_batches(
    stream: BinaryIO, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[list[InputLine]]:
    """Every line of ``stream``, in order, as non-empty batches (see the module docstring).

    >>> import io
    >>> [[(x.number, x.text) for x in b] for b in read_line_batches(io.BytesIO(b"a\\r\\n\\nb"))]
    [[(1, 'a'), (2, '')], [(3, 'b')]]
    """
    if max_line_bytes < 1:
        raise InputError("max_line_bytes must be at least 1", field="max_line_bytes")
    # read1: one read of what is available, so a pipe's lines come through as they arrive.
    read = getattr(stream, "read1", stream.read)
    pending = bytearray()
    dropped = False  # bytes of the current line beyond the limit were thrown away
    keep = max_line_bytes + 1  # one more, for a "\r" before the newline
    number = 0
    while chunk := read(READ_CHUNK_BYTES):
        batch: list[InputLine] = []
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            dropped |= _append(pending, chunk, start, end, keep)
            number += 1
            batch.append(_input_line(number, bytes(pending), dropped, max_line_bytes))
            pending.clear()
            dropped = False
            start = end + 1
        dropped |= _append(pending, chunk, start, len(chunk), keep)
        if batch:
            yield batch
    if pending or dropped:
        yield [_input_line(number + 1, bytes(pending), dropped, max_line_bytes)]


def _append(pending: bytearray, chunk: bytes, start: int, end: int, keep: int) -> bool:
    """Add ``chunk[start:end]`` to ``pending`` up to ``keep`` bytes; True if some did not fit."""
    room = keep - len(pending)
    if end - start > room:
        pending += chunk[start : start + max(room, 0)]
        return True
    pending += chunk[start:end]
    return False


def _input_line(number: int, data: bytes, dropped: bool, max_line_bytes: int) -> InputLine:
    data = data.removesuffix(b"\r")
    cut = dropped or len(data) > max_line_bytes
    if cut:
        data = cut_utf8(data, max_line_bytes)
    text, problem = decode_line(data)
    if problem is not None:
        return InputLine(number, None, problem, cut)
    return InputLine(number, text, None, cut)


def line_record(text: str, number: int | None = None) -> LogRecord | None:
    """The record whose message the scripting commands classify and template; ``None`` if blank.

    * A JSON object with a string ``text`` field: that text, read as a plain-text line. Its
      other fields are the caller's own (an id, say) and are ignored.
    * Any other JSON object: read as a JSON log line, as ``diagnose`` reads it: the message from
      ``message``, ``msg``, ``@message``, ``log`` or ``event`` (joined with an ``error`` field),
      hints from ``platform``, ``status``, ``code`` and the like; the whole line if it has no
      message field.
    * Anything else (plain text, invalid JSON, a JSON array or string): a plain-text line.

    Plain-text lines lose a leading timestamp, level, syslog header and ``key=value`` fields
    naming the workflow, run, step or time (see :func:`~flowdoctor.ingest.parse_text_line`), so
    what is classified and templated is the message itself.

    >>> line_record('{"id": 7, "text": "2024-01-02 03:04:05 ERROR Slack: ratelimited"}').message
    'Slack: ratelimited'
    >>> line_record('{"level": "error", "msg": "boom"}').message
    'boom'
    """
    if not text.strip():
        return None
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            value = None  # not JSON after all: plain text
        if isinstance(value, dict):
            given = value.get("text")
            if isinstance(given, str):
                given = scrub_surrogates(given)
                return parse_text_line(given, number) if given.strip() else None
            try:
                return parse_json_line(text, number)
            except InputError:  # cannot happen for an object that parsed, but never crash
                pass
    return parse_text_line(text, number)


def write_answers(
    path: str,
    answer: Callable[[InputLine], Mapping[str, object]],
    out: BinaryIO,
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> LineTally:
    """Read ``path`` (``-`` for stdin) and write ``answer(line)`` as one JSON line per input line.

    JSON is written as UTF-8 with non-ASCII characters kept as they are; NaN and infinities are
    refused (the answers never hold them). ``out`` is flushed after every batch. Raises
    :class:`UnreadableInputError` when the input cannot be opened or read.
    """
    tally = LineTally(max_line_bytes=max_line_bytes)
    with input_batches(path, max_line_bytes=max_line_bytes) as batches:
        for batch in batches:
            chunk = []
            for line in batch:
                tally.count(line)
                chunk.append(json_line(answer(line)))
            out.write(b"".join(chunk))
            out.flush()
    return tally


@contextmanager
def input_batches(
    path: str, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[Iterator[list[InputLine]]]:
    """The batches of lines of ``path`` (``-`` for stdin); see :func:`read_line_batches`.

    Raises :class:`UnreadableInputError` when the input cannot be opened, or when reading it
    fails part way (then the batches before the failure have been given out).
    """
    with open_input(path) as stream:
        yield _reading(path, read_line_batches(stream, max_line_bytes=max_line_bytes))


def _reading(path: str, batches: Iterator[list[InputLine]]) -> Iterator[list[InputLine]]:
    """``batches``, with an error reading the input as :class:`UnreadableInputError`."""
    try:
        yield from batches
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnreadableInputError(f"cannot read {path!r}: {reason}", field="path") from exc


def json_line(value: Mapping[str, object]) -> bytes:
    """``value`` as one line of JSON in UTF-8, newline included.

    >>> json_line({"template": "café <*>", "n": 1})
    b'{"template": "caf\\xc3\\xa9 <*>", "n": 1}\\n'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return (scrub_surrogates(text) + "\n").encode("utf-8")
