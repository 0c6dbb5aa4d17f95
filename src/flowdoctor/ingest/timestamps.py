"""Timestamps in the shapes logs and exports use, always returned as UTC-aware datetimes."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

_MAX_TIMESTAMP_CHARS = 64
"""Longer strings are not timestamps; refusing them early keeps parsing cheap."""

_ZONE_NAME = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}(?::?\d{2})?)$")
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")
_EPOCH_TEXT = re.compile(r"^-?\d{1,19}(?:\.\d{1,9})?$")


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_iso_timestamp(text: str) -> datetime | None:
    """An ISO-8601 timestamp (``T`` or space, optional fraction, ``Z``/offset/``UTC``) or ``None``.

    Also accepts ``2024/01/02 03:04:05`` and a comma before the fraction (Python logging).

    >>> parse_iso_timestamp("2024-01-02 03:04:05,123")
    datetime.datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=datetime.timezone.utc)
    """
    cleaned = text.strip()
    if not cleaned or len(cleaned) > _MAX_TIMESTAMP_CHARS or not cleaned[0].isdigit():
        return None
    try:
        # Most timestamps need no cleaning; trying them as they are first is much faster.
        return to_utc(datetime.fromisoformat(cleaned))
    except (ValueError, OverflowError):
        pass
    cleaned = _SLASH_DATE.sub(r"\1-\2-\3", cleaned)
    cleaned = _ZONE_NAME.sub("+00:00", cleaned)
    cleaned = _SPACED_OFFSET.sub(r"\1", cleaned)
    try:
        return to_utc(datetime.fromisoformat(cleaned))
    except (ValueError, OverflowError):
        return None


def from_epoch(value: float) -> datetime | None:
    """The moment an epoch number names, guessing its unit from its size; ``None`` if impossible.

    Seconds, milliseconds, microseconds and nanoseconds are told apart by magnitude: any date
    after 1973 in milliseconds is larger than any plausible date in seconds.
    """
    if not math.isfinite(value):
        return None
    seconds = value
    for threshold, divisor in ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3)):
        if abs(value) >= threshold:
            seconds = value / divisor
            break
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def parse_timestamp_value(value: object) -> datetime | None:
    """A timestamp from a JSON-ish value: a datetime, an ISO string, or epoch seconds/millis.

    Anything else (booleans, NaN, unparseable text) gives ``None``; this never raises.
    """
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return from_epoch(float(value))
        except OverflowError:  # an int too large for a float
            return None
    if isinstance(value, str):
        text = value.strip()
        if _EPOCH_TEXT.match(text):
            return from_epoch(float(text))
        return parse_iso_timestamp(text)
    return None
