"""JSON log lines (pino, bunyan, structlog, ECS, platform exports) as :class:`LogRecord`.

Fields are found by their common names, case-insensitively; ``log.level`` style names match
either a dotted key or a nested object. Whatever is left over and scalar goes to ``extra``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from flowdoctor.domain import LogLevel, LogRecord
from flowdoctor.errors import InputError
from flowdoctor.ingest.decoding import scrub_surrogates as _scrub
from flowdoctor.ingest.inline import MAX_ID_CHARS
from flowdoctor.ingest.levels import level_from_value
from flowdoctor.ingest.timestamps import parse_timestamp_value

T = TypeVar("T")

MAX_EXTRA_KEYS = 20
MAX_EXTRA_KEY_CHARS = 100
MAX_EXTRA_VALUE_CHARS = 500

MESSAGE_KEYS = ("message", "msg", "@message", "text", "log", "event")
ERROR_KEYS = ("error", "err", "error_message", "errormessage", "exception")
LEVEL_KEYS = ("level", "severity", "levelname", "lvl", "log.level", "loglevel", "severity_text")
TIME_KEYS = ("timestamp", "time", "ts", "@timestamp", "datetime", "date", "eventtime")
WORKFLOW_KEYS = ("workflow_id", "workflowid", "workflow", "flow_id", "flowid", "flow", "zap_id")
RUN_KEYS = ("run_id", "runid", "execution_id", "executionid", "run", "execution")
STEP_KEYS = ("step", "node", "task", "action", "step_name", "stepname", "nodename")
PLATFORM_KEYS = ("platform", "service", "integration", "app")
CODE_KEYS = ("error_code", "code", "errorcode", "err_code")
STATUS_KEYS = (
    "http_status",
    "status_code",
    "statuscode",
    "status",
    "httpcode",
    "http.status_code",
    "http.response.status_code",
)
# Inside an error object ({"error": {"message": ..., "code": ...}}).
_NESTED_MESSAGE_KEYS = ("message", "description", "msg", "reason", "detail", "error")
_NESTED_NAME_KEYS = ("id", "name")
_MAX_NESTING = 3
_ERROR_LEVELS = (LogLevel.ERROR, LogLevel.CRITICAL)


def parse_json_line(line: str, line_number: int | None = None, *, brief: bool = False) -> LogRecord:
    """One JSON-object log line as a :class:`LogRecord`.

    Raises :class:`InputError` (and nothing else) when the line is not a JSON object. Values that
    do not fit a field (a NaN timestamp, ``"status": "failed"``) are tolerated, not fatal. With
    ``brief``, a line whose level is below ERROR keeps only its level and raw text (its message
    is the line itself): for callers that look only at errors.

    >>> rec = parse_json_line('{"level": 50, "msg": "boom", "statusCode": 503}')
    >>> rec.level, rec.message, rec.http_status
    (<LogLevel.ERROR: 'error'>, 'boom', 503)
    """
    raw = line.rstrip("\r\n")
    fields = _Fields(_load_object(raw))
    level = fields.pick(LEVEL_KEYS, level_from_value)
    if brief and level is not None and level not in _ERROR_LEVELS:
        return LogRecord(message=raw.strip(), raw=raw, level=level, line_number=line_number)
    error_object = fields.first_mapping(ERROR_KEYS)
    error = fields.pick(ERROR_KEYS, _as_error)
    return LogRecord(
        message=_message(fields.pick(MESSAGE_KEYS, _as_text), error, raw),
        raw=raw,
        timestamp=fields.pick(TIME_KEYS, parse_timestamp_value),
        level=level,
        workflow_id=fields.pick(WORKFLOW_KEYS, _as_id),
        run_id=fields.pick(RUN_KEYS, _as_id),
        step=fields.pick(STEP_KEYS, _as_id),
        platform=fields.pick(PLATFORM_KEYS, _as_id),
        error_code=fields.pick(CODE_KEYS, _as_code) or error_object.pick(CODE_KEYS, _as_code),
        http_status=fields.pick(STATUS_KEYS, as_http_status)
        or error_object.pick(STATUS_KEYS, as_http_status),
        line_number=line_number,
        extra=fields.leftovers(),
    )


def as_http_status(value: object) -> int | None:
    """``value`` as an HTTP status when it is int-like and within 100..599, else ``None``."""
    number: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) == 3 else None
    return number if number is not None and 100 <= number <= 599 else None


class _Fields:
    """The object's keys, looked up case-insensitively, remembering which ones were used."""

    def __init__(self, obj: Mapping[str, object]) -> None:
        self._obj = obj
        self._keys = {key.lower(): key for key in reversed(list(obj))}  # first spelling wins
        self._used: set[str] = set()

    def pick(self, names: tuple[str, ...], convert: Callable[[object], T | None]) -> T | None:
        """The first of ``names`` whose value converts; that key then counts as used."""
        if self._keys.keys().isdisjoint(_HEADS.get(names) or _heads(names)):
            return None  # the common case for most names: none of them is in this object
        for key, value in self._candidates(names):
            converted = convert(value)
            if converted is not None:
                self._used.add(key)
                return converted
        return None

    def first_mapping(self, names: tuple[str, ...]) -> _Fields:
        """The first of ``names`` holding an object, as fields (empty when there is none)."""
        for _, value in self._candidates(names):
            if isinstance(value, Mapping):
                return _Fields(value)
        return _Fields({})

    def leftovers(self) -> dict[str, str]:
        """Unused scalar values as strings, bounded in number and length."""
        extra: dict[str, str] = {}
        for key, value in self._obj.items():
            if len(extra) >= MAX_EXTRA_KEYS:
                break
            text = _scalar_text(value)
            if key not in self._used and text is not None:
                extra[_scrub(key[:MAX_EXTRA_KEY_CHARS])] = text[:MAX_EXTRA_VALUE_CHARS]
        return extra

    def _candidates(self, names: tuple[str, ...]) -> Iterator[tuple[str, object]]:
        """``(key, value)`` for each of ``names`` present, in the order of ``names``."""
        # Lines are parsed by the million: a plain dict membership test per name keeps this cheap.
        keys = self._keys
        for name in names:
            if name in keys:
                yield keys[name], self._obj[keys[name]]
            elif "." in name:
                # "log.level" as {"log": {"level": ...}} (Elastic Common Schema nests it).
                head, _, tail = name.partition(".")
                inner = self._obj[keys[head]] if head in keys else None
                if isinstance(inner, Mapping):
                    for _, value in _Fields(inner)._candidates((tail,)):
                        yield keys[head], value


def _heads(names: tuple[str, ...]) -> frozenset[str]:
    """The top-level keys that can hold one of ``names`` (``log`` for ``log.level``)."""
    return frozenset(name.partition(".")[0] for name in names)


_FIELD_NAMES = (MESSAGE_KEYS, ERROR_KEYS, LEVEL_KEYS, TIME_KEYS, WORKFLOW_KEYS, RUN_KEYS)
_HEADS: dict[tuple[str, ...], frozenset[str]] = {
    names: _heads(names)
    for names in (*_FIELD_NAMES, STEP_KEYS, PLATFORM_KEYS, CODE_KEYS, STATUS_KEYS)
}
""":func:`_heads` of the field name lists, worked out once."""


def _load_object(raw: str) -> Mapping[str, object]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # ValueError covers malformed JSON and integers too long to convert.
        raise InputError(f"not valid JSON: {str(exc)[:200]}", field="line") from exc
    if not isinstance(value, dict):
        raise InputError(
            f"a JSON log line must be an object, not {type(value).__name__}", field="line"
        )
    return value


def _message(primary: str | None, error: str | None, raw: str) -> str:
    # "request failed" plus the error object's "ECONNREFUSED": the classifier needs both.
    if primary and error and error not in primary:
        return f"{primary}: {error}"
    return primary or error or raw.strip()


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return _scrub(value.strip()) or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _as_error(value: object, depth: int = 0) -> str | None:
    if isinstance(value, Mapping) and depth < _MAX_NESTING:
        for name in _NESTED_MESSAGE_KEYS:
            found = _as_error(_lookup(value, name), depth + 1)
            if found:
                return found
        return None
    return _as_text(value)


def _as_id(value: object) -> str | None:
    if isinstance(value, Mapping):
        # n8n and others nest the workflow as {"id": ..., "name": ...}.
        for name in _NESTED_NAME_KEYS:
            found = _as_code(_lookup(value, name))
            if found:
                return found
        return None
    return _as_code(value)


def _as_code(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and value.strip() and len(value) <= MAX_ID_CHARS:
        return _scrub(value.strip())
    return None


def _lookup(obj: Mapping[object, object], name: str) -> object:
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == name:
            return value
    return None


def _scalar_text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _scrub(value)
    if isinstance(value, int | float):
        return str(value)
    return None
