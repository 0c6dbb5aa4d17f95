"""Plain-text log lines: strip the timestamp/level prefix into fields, keep the message.

Recognised prefixes, in any order at the start of a line (a few at most)::

    2024-01-02T03:04:05.123Z  2024-01-02 03:04:05,123  [2024-01-02 03:04:05]  2024/01/02 03:04:05
    Jan  2 03:04:05 host proc[123]:      (syslog, optionally after a <PRI> tag)
    1704164645 / 1704164645123           (epoch seconds or millis, first thing on the line only)
    ERROR  [error]  error:  ERROR |  ERROR -  <WARN>  E:  ERROR:root:  (and name/thread + level)

After the prefix, ``key=value`` pairs naming the workflow, run, step, platform, level, time or
message (logfmt) are pulled into fields, and an HTTP status anywhere in the line is recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flowdoctor.domain import LogLevel, LogRecord
from flowdoctor.ingest.inline import find_http_status, take_key_values
from flowdoctor.ingest.levels import LEVEL_NAMES, level_from_name
from flowdoctor.ingest.timestamps import from_epoch, parse_iso_timestamp

_MAX_PREFIX_TOKENS = 4
"""A timestamp, a level, a name and a request id is as much prefix as real formats carry."""

# What may follow a prefix token: " - ", " | ", ": ", "|", ":", whitespace, or the end.
_SEP = r"(?:\s*[|\-]\s+|\s*[|:]\s*|\s+|$)"
_WORDS = "|".join(sorted(LEVEL_NAMES, key=len, reverse=True))
_WORDS_UPPER = _WORDS.upper()
_TS_BODY = (
    r"\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
    r"(?:\s?(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)(?![\w:]))?"
)

_ISO = re.compile(rf"\[?(?P<ts>{_TS_BODY})\]?{_SEP}")
_SYSLOG = re.compile(
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(?P<day>\d{1,2})\s+"
    r"(?P<time>\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?"
    r"(?:\s+(?P<host>[\w.\-]+)\s+(?P<proc>[\w.\-/]+)(?:\[(?P<pid>\d+)\])?:)?"
    rf"{_SEP}"
)
_EPOCH = re.compile(r"(?P<epoch>\d{10}(?:\.\d{1,9})?|\d{13})(?:\s*[|\-]\s+|\s*[|:]\s*|\s+)")
_PRIORITY = re.compile(r"<\d{1,3}>(?:1\s)?")
# Level forms, tried in this order. Bare words must be upper case: "error connecting to db" is a
# message that happens to start with a level word, "ERROR connecting to db" is a level.
_LEVEL_FORMS = (
    re.compile(rf"(?P<lvl>{_WORDS_UPPER}):(?P<logger>[\w.]+):"),  # logging.basicConfig
    re.compile(rf"[\[(<]\s*(?P<lvl>{_WORDS}|[TDVINWEFC])\s*[\])>]{_SEP}", re.IGNORECASE),
    re.compile(rf"(?P<lvl>{_WORDS})(?:\s*[:|]\s*|\s+[|\-]\s+)", re.IGNORECASE),
    re.compile(rf"(?P<lvl>{_WORDS_UPPER})\[\d+\]\s*"),  # logrus text: "ERRO[0001] msg"
    re.compile(rf"(?P<lvl>{_WORDS_UPPER})(?:\s+|$)"),
    re.compile(r"(?P<lvl>[EWIDFN]):\s+"),  # apt and friends: "E: Unable to locate package"
)
# Only a bracketed thread or a " - "-delimited logger counts as a name before the level, so that
# "2024-.. Salesforce ERROR ..." keeps "Salesforce" in the message, where the classifier looks.
_NAME = re.compile(r"(?P<thread>\[[^\]\s]{1,80}\])\s*|(?P<logger>[A-Za-z_][\w.$\-]{0,120})\s+-\s+")
_REQUEST_ID = re.compile(
    r"(?P<rid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s+"
)
_ERROR_LEVELS = (LogLevel.ERROR, LogLevel.CRITICAL)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH_RANGE = (946_684_800.0, 4_102_444_800.0)  # 2000-01-01 .. 2100-01-01: plausible log times


@dataclass(slots=True)
class _Prefix:
    """What the prefix scan found so far."""

    timestamp: datetime | None = None
    level: LogLevel | None = None
    extra: dict[str, str] = field(default_factory=dict)


def parse_text_line(line: str, line_number: int | None = None, *, brief: bool = False) -> LogRecord:
    """One plain-text log line as a :class:`LogRecord`; never raises.

    ``message`` is the line without its recognised prefix (never empty for a non-blank line);
    ``raw`` is the line as given, without its line ending. Timestamps without a zone are UTC.
    With ``brief``, a line whose prefix names a level below ERROR keeps only its level,
    timestamp, message and raw text: its ``key=value`` fields and HTTP status are not read (for
    callers that look only at errors; a prefix level is final, so the level is the same).

    >>> rec = parse_text_line("2024-01-02 03:04:05,123 ERROR HTTP 503 from api")
    >>> rec.level, rec.http_status, rec.message
    (<LogLevel.ERROR: 'error'>, 503, 'HTTP 503 from api')
    """
    raw = line.rstrip("\r\n")
    text = raw.lstrip("\ufeff").strip()
    rest, prefix = _strip_prefixes(text)
    if brief and prefix.level is not None and prefix.level not in _ERROR_LEVELS:
        return LogRecord(
            message=rest.strip() or text,
            raw=raw,
            timestamp=prefix.timestamp,
            level=prefix.level,
            line_number=line_number,
        )
    pairs = take_key_values(rest)
    message = pairs.message.strip() or text
    return LogRecord(
        message=message,
        raw=raw,
        timestamp=prefix.timestamp or pairs.timestamp,
        level=prefix.level or pairs.level,
        workflow_id=pairs.workflow_id,
        run_id=pairs.run_id,
        step=pairs.step,
        platform=pairs.platform,
        error_code=pairs.error_code,
        http_status=find_http_status(raw),
        line_number=line_number,
        extra=prefix.extra,
    )


def _strip_prefixes(text: str) -> tuple[str, _Prefix]:
    """The text after any recognised prefix tokens, and what those tokens said."""
    found = _Prefix()
    match = _PRIORITY.match(text)
    pos = match.end() if match else 0
    for _ in range(_MAX_PREFIX_TOKENS):
        end = _take_token(text, pos, found)
        if end is None:
            break
        pos = end
    if pos > 0:
        pos = _take_request_id(text, pos, found)
    return text[pos:], found


def _take_token(text: str, pos: int, found: _Prefix) -> int | None:
    """Consume one timestamp or level token at ``pos``; the new position, or ``None``."""
    if found.timestamp is None:
        end = _take_timestamp(text, pos, found)
        if end is not None:
            return end
    if found.level is None:
        end = _take_level(text, pos, found)
        if end is None and pos > 0:
            # "2024-.. - myapp.db - ERROR - msg" and "2024-.. [main] ERROR ...": a logger or
            # thread name sits between the timestamp and the level.
            end = _take_named_level(text, pos, found)
        return end
    return None


def _take_timestamp(text: str, pos: int, found: _Prefix) -> int | None:
    match = _ISO.match(text, pos)
    if match:
        found.timestamp = parse_iso_timestamp(match["ts"])
        return match.end() if found.timestamp else None
    match = _SYSLOG.match(text, pos)
    if match:
        found.timestamp = _syslog_time(match["mon"], match["day"], match["time"])
        if found.timestamp is None:
            return None
        _keep(found.extra, host=match["host"], process=match["proc"], pid=match["pid"])
        return match.end()
    match = _EPOCH.match(text, pos) if pos == 0 else None
    if match and _EPOCH_RANGE[0] <= _epoch_seconds(match["epoch"]) < _EPOCH_RANGE[1]:
        found.timestamp = from_epoch(float(match["epoch"]))
        return match.end()
    return None


def _take_level(text: str, pos: int, found: _Prefix) -> int | None:
    for form in _LEVEL_FORMS:
        match = form.match(text, pos)
        if match:
            found.level = level_from_name(match["lvl"])
            if "logger" in form.groupindex:
                _keep(found.extra, logger=match["logger"])
            return match.end()
    return None


def _take_named_level(text: str, pos: int, found: _Prefix) -> int | None:
    name = _NAME.match(text, pos)
    if name is None:
        return None
    end = _take_level(text, name.end(), found)
    if end is not None:
        _keep(found.extra, thread=_unbracket(name["thread"]), logger=name["logger"])
    return end


def _take_request_id(text: str, pos: int, found: _Prefix) -> int:
    # AWS Lambda: "[ERROR]\t2024-01-02T03:04:05.123Z\t<request id>\tmessage".
    match = _REQUEST_ID.match(text, pos)
    if match is None:
        return pos
    found.extra["request_id"] = match["rid"]
    return match.end()


def _syslog_time(month: str, day: str, clock: str) -> datetime | None:
    # Syslog omits the year: take this year, unless that puts the line in the future (a log
    # from December read in January), then last year.
    now = datetime.now(UTC)
    hour, minute, second = (int(part) for part in clock.split(":"))
    for year in (now.year, now.year - 1):
        try:
            moment = datetime(
                year, _MONTHS.index(month) + 1, int(day), hour, minute, second, tzinfo=UTC
            )
        except ValueError:  # Feb 29 outside a leap year, "25:61:61", day 31 of a 30-day month
            continue
        if moment <= now + timedelta(days=1):
            return moment
    return None


def _epoch_seconds(text: str) -> float:
    value = float(text)
    return value / 1000.0 if len(text.split(".")[0]) == 13 else value


def _unbracket(name: str | None) -> str | None:
    return name.strip("[]") if name else None


def _keep(extra: dict[str, str], **values: str | None) -> None:
    """Store the values that are present."""
    for key, value in values.items():
        if value:
            extra[key] = value
