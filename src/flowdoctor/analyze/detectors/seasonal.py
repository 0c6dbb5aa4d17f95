"""Seasonal buckets from timestamps: hour of day (24) and hour of week (168).

Detectors keep one small baseline per bucket, so daily and weekly cycles are learnt with memory
bounded by the number of buckets, whatever the sampling rate.
"""

from __future__ import annotations

from datetime import datetime

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168


def season_keys(t: datetime | None) -> tuple[int, int]:
    """``(hour of day, hour of week)`` of ``t``; ``(0, 0)`` without a timestamp (no seasonality).

    >>> season_keys(datetime(2026, 11, 30, 13, 5))  # a Monday
    (13, 13)
    """
    if t is None:
        return 0, 0
    hour = t.hour
    return hour, t.weekday() * HOURS_PER_DAY + hour
