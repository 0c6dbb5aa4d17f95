"""Fields written inline in a text message: ``key=value`` pairs and HTTP statuses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from flowdoctor.domain import LogLevel
from flowdoctor.ingest.levels import level_from_name
from flowdoctor.ingest.timestamps import parse_timestamp_value

MAX_ID_CHARS = 200
"""Identifiers longer than this are not identifiers; they are left in the message."""

_MAX_PAIRS = 64
"""Pairs looked at per line; a line of thousands of ``a=b`` is data, not metadata."""

_PAIR = re.compile(
    r"(?<![\w.\-])(?P<key>[A-Za-z_@][\w.\-]{0,40})="
    r"(?P<val>\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s\"',;]+)"
)
_HTTP_STATUS = re.compile(
    r"(?:\bhttp[_ ]?status(?:[_ ]?code)?|\bhttp(?:/\d(?:\.\d)?)?(?:\s+error)?"
    r"|\bstatus(?:[_ ]?code)?|\bresponse[_ ]?code|\bhttpcode)"
    r"[\"']?\s*[=:]?\s*[\"']?(?P<code>[1-5]\d{2})(?!\d)",
    re.IGNORECASE,
)

_TARGETS: dict[str, str] = {
    "workflow_id": "workflow_id",
    "workflowid": "workflow_id",
    "workflow": "workflow_id",
    "flow_id": "workflow_id",
    "flowid": "workflow_id",
    "flow": "workflow_id",
    "run_id": "run_id",
    "runid": "run_id",
    "run": "run_id",
    "execution_id": "run_id",
    "executionid": "run_id",
    "step": "step",
    "step_name": "step",
    "node": "step",
    "task": "step",
    "platform": "platform",
    "level": "level",
    "lvl": "level",
    "severity": "level",
    "loglevel": "level",
    "time": "timestamp",
    "ts": "timestamp",
    "timestamp": "timestamp",
    "msg": "message",
    "message": "message",
    "error_code": "error_code",
    "errorcode": "error_code",
    "code": "error_code",
}
"""Lowercased key -> the field it fills."""

_KEPT_IN_MESSAGE = frozenset({"error_code"})
"""Targets whose pair stays in the message: an error code is part of what went wrong."""


@dataclass(frozen=True, slots=True)
class KeyValues:
    """What the ``key=value`` pairs of a message said, and the message without the metadata."""

    message: str
    timestamp: datetime | None = None
    level: LogLevel | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    step: str | None = None
    platform: str | None = None
    error_code: str | None = None


def take_key_values(text: str) -> KeyValues:
    """Pull the known ``key=value`` pairs out of ``text``.

    Metadata pairs (workflow, run, step, platform, level, time) are removed from the message;
    with a logfmt ``msg=`` the message is its value followed by whatever else is left.

    >>> take_key_values('level=error msg="boom" workflow=sync').workflow_id
    'sync'
    """
    if "=" not in text:
        return KeyValues(message=text)
    found: dict[str, Any] = {}
    kept: list[str] = []
    last = 0
    for match in islice(_PAIR.finditer(text), _MAX_PAIRS):
        target = _TARGETS.get(match["key"].lower())
        if target is None or target in found:
            continue
        value = _CONVERTERS.get(target, _as_identifier)(_unquote(match["val"]))
        # A pair is only taken (and removed from the message) when its value means something:
        # "time=35ms" is a duration, not a timestamp, and must stay in the message.
        if value is None:
            continue
        found[target] = value
        if target not in _KEPT_IN_MESSAGE:
            kept.append(text[last : match.start()])
            last = match.end()
    kept.append(text[last:])
    leftover = " ".join(piece.strip() for piece in kept if piece.strip())
    message = found.pop("message", None)
    return KeyValues(message=f"{message} {leftover}".strip() if message else leftover, **found)


def find_http_status(text: str) -> int | None:
    """The first HTTP status written as ``HTTP 503``, ``status code 429``, ``status=401``...

    >>> find_http_status("Request failed with status code 429")
    429
    """
    lowered = text.lower()
    # Substring checks are ~20x cheaper than the regex search, and most lines have none.
    if "http" not in lowered and "status" not in lowered and "code" not in lowered:
        return None
    match = _HTTP_STATUS.search(text)
    return int(match["code"]) if match else None


def _as_identifier(value: str) -> str | None:
    return value if value.strip() and len(value) <= MAX_ID_CHARS else None


def _as_message(value: str) -> str | None:
    return value if value.strip() else None


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "timestamp": parse_timestamp_value,
    "level": level_from_name,
    "message": _as_message,
}
"""Targets whose value is more than an identifier; the rest use :func:`_as_identifier`."""


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if value[0] == '"' else inner
    return value
