"""Time, injected. Services ask a clock instead of calling ``datetime.now`` so tests can fix it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time, timezone-aware, in UTC."""

    def now(self) -> datetime:
        """The current time."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: it stands still until told to ``advance``."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """The fixed time."""
        return self._now

    def advance(self, **delta: float) -> None:
        """Move forward, e.g. ``clock.advance(minutes=5)``."""
        self._now += timedelta(**delta)
