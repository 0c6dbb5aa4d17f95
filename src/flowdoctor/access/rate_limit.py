"""Per-key request rates: a token bucket per key, in this process.

Each key may make ``per_minute`` requests a minute on average and up to ``burst`` at once. With
several server processes each keeps its own buckets, so a key's ceiling is that many times
higher; put a proxy in front for one exact global limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_BUCKETS = 100_000


class RateLimiter:
    """``check(key)`` says whether a request may go now, or how long to wait."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("per_minute and burst must be at least 1")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def check(self, key: str) -> int | None:
        """Take one request from ``key``'s bucket: ``None`` when it may go, else the whole
        seconds to wait (for a ``Retry-After`` header)."""
        now = self._monotonic()
        with self._lock:
            tokens, when = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - when) * self._rate)
            if tokens >= 1.0:
                if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
                    self._buckets.clear()  # bounded memory; a reset only forgives
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self._rate))
