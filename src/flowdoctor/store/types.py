"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

TimeBinder = Callable[[datetime | None], Any]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; flowdoctor keeps UTC-aware times")
    return value.astimezone(UTC)


def _sqlite_time(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME text ("2026-01-02 03:04:05.000006", always six fractional
    # digits, so text order is time order), made by one C call instead of a %-format per value.
    if value is None:
        return None
    return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _aware_time(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def time_binder(dialect: str) -> TimeBinder:
    """How a UTC-aware datetime is handed to the driver of ``dialect`` (``sqlite``,
    ``postgresql``) by code that writes rows through the driver directly: the value
    ``UTCDateTime`` binds (a test holds the two to the same stored text), without SQLAlchemy's
    per-value processing."""
    return _sqlite_time if dialect == "sqlite" else _aware_time


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in and out.

    SQLite keeps no zone and hands back naive values; without this a round trip through SQLite
    would change a value's type and comparisons with aware datetimes would raise.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _aware_time(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
