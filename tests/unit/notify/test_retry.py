"""The backoff schedule: exponential, capped, jittered downwards, never shrinking before the cap."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from flowdoctor.errors import ConfigurationError
from flowdoctor.notify.retry import RetryPolicy

S = timedelta(seconds=1)


def test_schedule_without_jitter_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base=10 * S, factor=2, cap=100 * S, jitter=0)
    rng = random.Random(1)
    assert [policy.delay(n, rng) for n in range(1, 7)] == [
        10 * S,
        20 * S,
        40 * S,
        80 * S,
        100 * S,
        100 * S,
    ]


def test_jitter_stays_within_bounds_and_the_waits_still_grow() -> None:
    policy = RetryPolicy(base=10 * S, factor=2, cap=10_000 * S, jitter=0.5)
    rng = random.Random(3)
    for _ in range(200):
        waits = [policy.delay(n, rng) for n in range(1, 9)]
        for n, wait in enumerate(waits, start=1):
            assert policy.ceiling(n) / 2 <= wait <= policy.ceiling(n)
        assert waits == sorted(waits)


def test_jitter_spreads_rows_that_failed_together() -> None:
    policy = RetryPolicy(base=60 * S, jitter=0.5)
    rng = random.Random(5)
    assert len({policy.delay(1, rng) for _ in range(50)}) > 40


def test_attempts_are_limited() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.exhausted(n) for n in (1, 2, 3)] == [False, False, True]


@pytest.mark.parametrize(
    "settings",
    [
        {"base": 0 * S},
        {"base": 10 * S, "cap": 5 * S},
        {"factor": 0.5},
        {"jitter": 1.0},
        {"max_attempts": 0},
    ],
)
def test_nonsense_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy(**settings)  # type: ignore[arg-type]
