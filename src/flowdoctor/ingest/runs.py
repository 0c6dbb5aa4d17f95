"""Run events from JSON-like mappings, validated strictly, with errors that name the field.

A batch is all or nothing: :func:`parse_run_events` validates every event and raises on the first
bad one, naming it (``events[3].started_at``), so a caller never stores half a batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.errors import InputError
from flowdoctor.ingest.timestamps import parse_timestamp_value

MAX_ID_CHARS = 200
MAX_ERROR_MESSAGE_CHARS = 10_000

STATUS_SYNONYMS: dict[str, RunStatus] = {
    **{status.value: status for status in RunStatus},
    "succeeded": RunStatus.SUCCESS,
    "successful": RunStatus.SUCCESS,
    "ok": RunStatus.SUCCESS,
    "completed": RunStatus.SUCCESS,
    "complete": RunStatus.SUCCESS,
    "done": RunStatus.SUCCESS,
    "passed": RunStatus.SUCCESS,
    "failed": RunStatus.FAILURE,
    "fail": RunStatus.FAILURE,
    "error": RunStatus.FAILURE,
    "errored": RunStatus.FAILURE,
    "crashed": RunStatus.FAILURE,
    "timed_out": RunStatus.FAILURE,
    "timeout": RunStatus.FAILURE,
    "in_progress": RunStatus.RUNNING,
    "started": RunStatus.RUNNING,
    "skip": RunStatus.SKIPPED,
    "canceled": RunStatus.CANCELLED,
    "aborted": RunStatus.CANCELLED,
    "stopped": RunStatus.CANCELLED,
}
"""Status spellings accepted (lowercase, ``-`` and spaces read as ``_``) -> :class:`RunStatus`."""


def parse_run_event(obj: Mapping[str, object], *, index: int | None = None) -> RunEvent:
    """One run event from a mapping (a decoded JSON object); raises :class:`InputError`.

    ``index`` is the event's position in its batch, used to name the bad field
    (``events[3].started_at``). Keys that are not fields of :class:`RunEvent` are ignored, so a
    platform's export can be passed as it is.

    >>> parse_run_event({"workflow_id": "sync", "run_id": "r1", "status": "succeeded",
    ...                  "started_at": "2024-01-02T03:04:05Z"}).status
    <RunStatus.SUCCESS: 'success'>
    """
    where = "event" if index is None else f"events[{index}]"
    if not isinstance(obj, Mapping):
        raise InputError(f"{where} must be an object, not {type(obj).__name__}", field=where)
    fields = _Validator(obj, where)
    return RunEvent(
        workflow_id=fields.identifier("workflow_id"),
        run_id=fields.identifier("run_id"),
        status=fields.status("status"),
        started_at=fields.timestamp("started_at"),
        step=fields.optional_text("step", MAX_ID_CHARS),
        platform=fields.optional_text("platform", MAX_ID_CHARS),
        duration_ms=fields.duration("duration_ms"),
        error_message=fields.optional_text("error_message", MAX_ERROR_MESSAGE_CHARS, cut=True),
        error_code=fields.code("error_code"),
        http_status=fields.integer("http_status", low=100, high=599),
        records_processed=fields.integer("records_processed", low=0),
        attempt=fields.integer("attempt", low=1) or 1,
    )


def parse_run_events(objs: Iterable[Mapping[str, object]]) -> list[RunEvent]:
    """Every event of a batch, or :class:`InputError` naming the first bad one (all or nothing)."""
    return [parse_run_event(obj, index=position) for position, obj in enumerate(objs)]


class _Validator:
    """Reads and checks one field at a time, naming ``<where>.<field>`` in every error."""

    def __init__(self, obj: Mapping[str, object], where: str) -> None:
        self._obj = obj
        self._where = where

    def identifier(self, name: str) -> str:
        """A required, non-empty string of at most MAX_ID_CHARS characters, stripped."""
        value = self._required(name)
        if not isinstance(value, str) or not value.strip():
            raise self._error(name, f"must be a non-empty string, got {_describe(value)}")
        if len(value.strip()) > MAX_ID_CHARS:
            raise self._error(name, f"is longer than {MAX_ID_CHARS} characters")
        return value.strip()

    def status(self, name: str) -> RunStatus:
        """A required run status, accepting common synonyms (``succeeded``, ``failed``...)."""
        value = self._required(name)
        status = STATUS_SYNONYMS.get(_status_key(value)) if isinstance(value, str) else None
        if status is None:
            allowed = ", ".join(member.value for member in RunStatus)
            raise self._error(name, f"must be one of {allowed}, got {_describe(value)}")
        return status

    def timestamp(self, name: str) -> datetime:
        """A required ISO-8601 string or epoch number (seconds or millis), as UTC."""
        value = self._required(name)
        moment = None if _is_bad_number(value) else parse_timestamp_value(value)
        if moment is None:
            raise self._error(
                name, f"must be an ISO-8601 timestamp or epoch number, got {_describe(value)}"
            )
        return moment

    def optional_text(self, name: str, limit: int, *, cut: bool = False) -> str | None:
        """An optional string; empty means absent. Longer than ``limit``: cut, or refused."""
        return self._text(name, self._obj.get(name), limit, cut=cut)

    def code(self, name: str) -> str | None:
        """An optional error code: a string, or an integer turned into one."""
        value = self._obj.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > 64:
                raise self._error(name, "is too large an integer to be an error code")
            value = str(value)
        return self._text(name, value, MAX_ID_CHARS)

    def _text(self, name: str, value: object, limit: int, *, cut: bool = False) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._error(name, f"must be a string, got {_describe(value)}")
        text = value.strip()
        if len(text) > limit and not cut:
            raise self._error(name, f"is longer than {limit} characters")
        return text[:limit] or None

    def duration(self, name: str) -> float | None:
        """An optional finite, non-negative number."""
        value = self._obj.get(name)
        if value is None:
            return None
        number = _finite(value)
        if number is None:
            raise self._error(name, f"must be a finite number, got {_describe(value)}")
        if number < 0:
            raise self._error(name, f"must not be negative, got {_describe(value)}")
        return number

    def integer(self, name: str, *, low: int, high: int | None = None) -> int | None:
        """An optional integer within ``low..high`` (booleans are not integers)."""
        value = self._obj.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._error(name, f"must be an integer, got {_describe(value)}")
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise self._error(name, f"must be {bounds}, got {_describe(value)}")
        return value

    def _required(self, name: str) -> object:
        value = self._obj.get(name)
        if value is None:
            raise self._error(name, "is required")
        return value

    def _error(self, name: str, problem: str) -> InputError:
        path = f"{self._where}.{name}"
        return InputError(f"{path} {problem}", field=path)


def _finite(value: object) -> float | None:
    """``value`` as a finite float, or ``None`` (booleans, NaN, infinities, huge integers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float range
        return None
    return number if math.isfinite(number) else None


def _is_bad_number(value: object) -> bool:
    """True for NaN and infinities, which no field accepts."""
    return isinstance(value, float) and not math.isfinite(value)


def _status_key(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def _describe(value: object) -> str:
    """A short, safe rendering of a bad value for an error message."""
    if isinstance(value, int) and value.bit_length() > 64:
        # repr() of a huge int is slow and refused past 4300 digits.
        return "a very large integer"
    if isinstance(value, str | int | float | bool) or value is None:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return type(value).__name__
