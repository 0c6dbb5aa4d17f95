"""Streaming reader: a file or stdin of mixed text and JSON lines -> :class:`LogRecord` items.

Memory stays bounded whatever the input: a line is read at most ``max_line_bytes`` (+2) at a time
and the rest of an oversized line is skipped in chunks, so a 1 GB single-line file costs no more
than a 64 KiB buffer. Every line is accounted for in an :class:`IngestReport`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from flowdoctor.domain import LogRecord
from flowdoctor.errors import InputError
from flowdoctor.ingest.decoding import cut_utf8, decode_line, scrub_surrogates
from flowdoctor.ingest.jsonl import parse_json_line
from flowdoctor.ingest.text import parse_text_line

DEFAULT_MAX_LINE_BYTES = 64 * 1024
MAX_REJECTED_EXAMPLES = 5
PROGRESS_STEP_BYTES = 256 * 1024
"""``on_progress`` is called at most once per this many bytes (and once at the end)."""

_DISCARD_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class RejectedLine:
    """A line that was skipped, and why."""

    line_number: int
    reason: str


@dataclass(slots=True)
class IngestReport:
    """What reading a log did with each line.

    Every line read is exactly one of ``records``, ``blank`` or ``unreadable``, so
    ``records + blank + unreadable == lines_read``. ``json_errors`` (lines that looked like JSON
    but were not, parsed as text instead), ``oversized`` (lines cut to ``max_line_bytes``) and
    ``continued`` (lines joined to the record before them, such as a traceback's) are counted
    among the records they still became or joined.
    """

    lines_read: int = 0
    records: int = 0
    blank: int = 0
    unreadable: int = 0
    json_errors: int = 0
    oversized: int = 0
    continued: int = 0
    bytes_read: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)
    """The first few unreadable lines, so a user can go and look at them."""

    def reject(self, line_number: int, reason: str) -> None:
        """Count an unreadable line, keeping the first few as examples."""
        self.unreadable += 1
        if len(self.rejected) < MAX_REJECTED_EXAMPLES:
            self.rejected.append(RejectedLine(line_number, reason))


def read_log_records(
    stream: BinaryIO,
    *,
    report: IngestReport | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    on_progress: Callable[[int], None] | None = None,
    brief: bool = False,
) -> Iterator[LogRecord]:
    """Yield a :class:`LogRecord` for each record of a binary stream: a non-blank, readable line,
    with the lines that continue it.

    Each line is parsed as JSON when its first non-space character is ``{`` (falling back to
    text if it is not valid JSON), else as text. In a log whose records carry timestamps, a text
    line with neither a timestamp nor a level (a traceback's frames, a wrapped message) continues
    the record before it, as log shippers' multiline settings do, up to ``max_line_bytes`` in
    all. Lines longer than ``max_line_bytes`` are cut to that many bytes. ``report``
    (optional) is updated as lines are read; ``on_progress`` receives the total bytes consumed
    so far. Errors reading the stream (``OSError``) propagate: the caller knows which file it
    was. With ``brief``, lines whose level is known to be below ERROR give brief records (level,
    raw text; see :func:`parse_text_line`): for callers that look only at errors, such as
    ``diagnose``; error records are complete either way.

    >>> import io
    >>> [r.message for r in read_log_records(io.BytesIO(b"ERROR boom\\n\\n{\\"msg\\": \\"x\\"}"))]
    ['boom', 'x']
    """
    if max_line_bytes < 1:
        raise InputError("max_line_bytes must be at least 1", field="max_line_bytes")
    tally = IngestReport() if report is None else report
    progress = _Progress(on_progress)
    pending: LogRecord | None = None  # held until the next line shows whether it continues
    for number, data in enumerate(_physical_lines(stream, max_line_bytes, tally), start=1):
        record = _record_from_bytes(data, number, max_line_bytes, tally, brief)
        progress.update(tally.bytes_read)
        if record is None:
            continue
        if pending is not None and _continues(pending, record, max_line_bytes):
            pending = _joined(pending, record)
            tally.continued += 1
            continue
        if pending is not None:
            yield pending
        pending = record
    if pending is not None:
        yield pending
    progress.finish(tally.bytes_read)


def records_from_strings(
    lines: Iterable[str],
    *,
    report: IngestReport | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[LogRecord]:
    """Yield a :class:`LogRecord` per string, by the same rules as :func:`read_log_records`.

    Each string is one entry (an embedded newline does not split it); ``line_number`` is its
    1-based position. Blank and binary-looking strings are counted in ``report`` and skipped.

    >>> [r.level.value for r in records_from_strings(["WARN disk", "", '{"level": "error"}'])]
    ['warning', 'error']
    """
    if max_line_bytes < 1:
        raise InputError("max_line_bytes must be at least 1", field="max_line_bytes")
    tally = IngestReport() if report is None else report
    for number, line in enumerate(lines, start=1):
        # Going through bytes applies exactly the reader's rules to in-memory strings.
        data = scrub_surrogates(line).encode("utf-8").removesuffix(b"\n").removesuffix(b"\r")
        tally.bytes_read += len(data)
        record = _record_from_bytes(data, number, max_line_bytes, tally)
        if record is not None:
            yield record


def _continues(previous: LogRecord, record: LogRecord, max_bytes: int) -> bool:
    """Whether ``record``'s line belongs to ``previous``: see :func:`read_log_records`."""
    return (
        record.timestamp is None
        and record.level is None
        and previous.timestamp is not None
        and not record.raw.lstrip().startswith("{")
        and len(previous.raw) + len(record.raw) < max_bytes
    )


def _joined(previous: LogRecord, record: LogRecord) -> LogRecord:
    """``previous`` with ``record``'s line appended: the message keeps the line as written."""
    return dataclasses.replace(
        previous,
        message=f"{previous.message}\n{record.raw.rstrip()}",
        raw=f"{previous.raw}\n{record.raw}",
        http_status=previous.http_status or record.http_status,
        error_code=previous.error_code or record.error_code,
    )


def _physical_lines(stream: BinaryIO, max_line_bytes: int, tally: IngestReport) -> Iterator[bytes]:
    """Each line's bytes without its line ending; at most ``max_line_bytes + 2`` bytes each."""
    # +2 leaves room for "\r\n" after a line of exactly max_line_bytes, so only content longer
    # than the limit makes a line oversized.
    limit = max_line_bytes + 2
    while True:
        chunk = stream.readline(limit)
        if not chunk:
            return
        if not isinstance(chunk, bytes | bytearray):
            raise InputError("the log stream must be opened in binary mode", field="stream")
        tally.bytes_read += len(chunk)
        if len(chunk) == limit and not chunk.endswith(b"\n"):
            tally.bytes_read += _discard_rest_of_line(stream)
        yield bytes(chunk).removesuffix(b"\n").removesuffix(b"\r")


def _discard_rest_of_line(stream: BinaryIO) -> int:
    """Read and drop the rest of the current line in bounded chunks; the bytes dropped."""
    dropped = 0
    while True:
        chunk = stream.readline(_DISCARD_CHUNK)
        dropped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return dropped


def _record_from_bytes(
    data: bytes, number: int, max_line_bytes: int, tally: IngestReport, brief: bool = False
) -> LogRecord | None:
    """The record for one line's bytes, or ``None`` for a blank or unreadable line."""
    tally.lines_read += 1
    if len(data) > max_line_bytes:
        tally.oversized += 1
        data = cut_utf8(data, max_line_bytes)
    text, problem = decode_line(data)
    if problem is not None:
        tally.reject(number, problem)
        return None
    if not text.strip():
        tally.blank += 1
        return None
    tally.records += 1
    return _parse(text, number, tally, brief)


def _parse(text: str, number: int, tally: IngestReport, brief: bool) -> LogRecord:
    if text.lstrip().startswith("{"):
        try:
            return parse_json_line(text, number, brief=brief)
        except InputError:
            # A line that starts like JSON but is not (cut short, or a Python dict repr) still
            # says something; read it as text and count it.
            tally.json_errors += 1
    return parse_text_line(text, number, brief=brief)


class _Progress:
    """Calls ``on_progress`` with the bytes consumed, at most once per PROGRESS_STEP_BYTES."""

    def __init__(self, callback: Callable[[int], None] | None) -> None:
        self._callback = callback
        self._reported = 0

    def update(self, done: int) -> None:
        if self._callback is not None and done - self._reported >= PROGRESS_STEP_BYTES:
            self._reported = done
            self._callback(done)

    def finish(self, done: int) -> None:
        if self._callback is not None:
            self._callback(done)
