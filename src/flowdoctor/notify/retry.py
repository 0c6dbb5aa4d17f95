"""When to try a failed delivery again: exponential backoff, capped, with jitter.

The n-th retry waits ``min(cap, base * factor ** (n - 1))`` shortened by up to ``jitter`` of
itself at random, so many rows that failed together (a receiver was down) do not all come back in
the same second. With ``factor * (1 - jitter) >= 1`` the waits never shrink before the cap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from flowdoctor.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff settings; ``max_attempts`` counts the first try."""

    base: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 10
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ConfigurationError("retry base must be positive and no longer than the cap")
        if self.factor < 1 or not 0 <= self.jitter < 1 or self.max_attempts < 1:
            raise ConfigurationError(
                "retry factor must be >= 1, jitter in [0, 1) and max_attempts >= 1"
            )

    def ceiling(self, attempt: int) -> timedelta:
        """The wait after the ``attempt``-th failed try, before jitter.

        >>> RetryPolicy(base=timedelta(seconds=10), cap=timedelta(seconds=60)).ceiling(4)
        datetime.timedelta(seconds=60)
        """
        seconds = self.base.total_seconds() * self.factor ** max(0, attempt - 1)
        return min(self.cap, timedelta(seconds=seconds))

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """The wait after the ``attempt``-th failed try, jitter included."""
        return self.ceiling(attempt) * (1 - self.jitter * rng.random())

    def exhausted(self, attempts: int) -> bool:
        """Whether ``attempts`` tries are all that is allowed."""
        return attempts >= self.max_attempts
