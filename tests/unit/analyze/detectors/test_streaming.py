"""Every streaming detector: river-style conformance checks, then constructed series.

Conformance: scores finite and in [0, 1], ``score_one`` never changes the state, the state does
not grow, runs are deterministic, NaN and infinities raise ``InputError``. Behaviour: a spike is
flagged, a level shift alarms at its onset and then stops, a daily cycle does not alarm at its
peaks, a weekly cycle stops alarming once learnt, and pure noise (white, and a random walk)
raises alarms on under 1% of the points at the default threshold.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest

from flowdoctor.analyze.detectors import (
    RecordDetector,
    SeasonalZScore,
    StreamingDetector,
    Threshold,
)
from flowdoctor.errors import InputError
from support.series import run_stream

START = datetime(2026, 1, 5)  # a Monday
FIVE_MINUTES = timedelta(minutes=5)

STREAMING: dict[str, Callable[[], StreamingDetector]] = {
    "record": RecordDetector,
    "zscore": SeasonalZScore,
}


def stamps(n: int, step: timedelta = FIVE_MINUTES) -> list[datetime]:
    """``n`` timestamps ``step`` apart from ``START``."""
    return [START + k * step for k in range(n)]


def gaussian(n: int, seed: int = 1) -> list[float]:
    """White noise around 100."""
    return [float(v) for v in 100.0 + np.random.default_rng(seed).normal(size=n)]


def random_walk(n: int, seed: int = 2) -> list[float]:
    """A Gaussian random walk starting at 100."""
    return [float(v) for v in 100.0 + np.cumsum(np.random.default_rng(seed).normal(size=n))]


FACTORIES = pytest.mark.parametrize("make", STREAMING.values(), ids=list(STREAMING))


def _series() -> dict[str, list[float]]:
    rng = np.random.default_rng(7)
    n = 3000
    daily = 50 + 10 * np.sin(np.arange(n) * 2 * np.pi / 288) + rng.normal(size=n)
    spiky = rng.normal(size=n)
    spiky[::250] += 40.0
    return {
        "gaussian": gaussian(n),
        "random_walk": random_walk(n),
        "daily": daily.tolist(),
        "spiky": spiky.tolist(),
        "flat": [3.0] * n,
        "huge": (1e12 * (1 + rng.random(n))).tolist(),
        "tiny": (1e-9 * rng.random(n)).tolist(),
        "steps": ([0.0] * 500 + [1000.0] * 500) * 3,
    }


def _leaves(value: Any) -> int:
    """How many scalars a detector's state holds (its memory, up to the size of each scalar)."""
    if isinstance(value, dict):
        return sum(_leaves(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(_leaves(item) for item in value)
    return 1


@FACTORIES
def test_is_a_streaming_detector(make: Callable[[], StreamingDetector]) -> None:
    assert isinstance(make(), StreamingDetector)


@FACTORIES
@pytest.mark.parametrize("with_time", [True, False])
def test_scores_are_finite_and_in_unit_interval(
    make: Callable[[], StreamingDetector], with_time: bool
) -> None:
    for name, values in _series().items():
        times = stamps(len(values)) if with_time else None
        scores = run_stream(make(), values, times)
        assert all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores), name


@FACTORIES
def test_score_one_does_not_change_the_state(make: Callable[[], StreamingDetector]) -> None:
    detector = make()
    values, times = random_walk(500), stamps(500)
    run_stream(detector, values, times)
    before = pickle.dumps(detector)
    for value in (values[-1], 1e6, -1e6, 0.0):
        detector.score_one(value, times[-1])
        detector.score_one(value)
    assert pickle.dumps(detector) == before


@FACTORIES
def test_memory_is_constant(make: Callable[[], StreamingDetector]) -> None:
    detector = make()
    values, times = random_walk(11_000), stamps(11_000)
    run_stream(detector, values[:1000], times[:1000])
    size = _leaves(vars(detector))
    run_stream(detector, values[1000:], times[1000:])
    assert _leaves(vars(detector)) == size


@FACTORIES
def test_is_deterministic(make: Callable[[], StreamingDetector]) -> None:
    values, times = gaussian(2000), stamps(2000)
    assert run_stream(make(), values, times) == run_stream(make(), values, times)


@FACTORIES
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_raise_input_error(
    make: Callable[[], StreamingDetector], bad: float
) -> None:
    detector = make()
    run_stream(detector, gaussian(100))
    before = pickle.dumps(detector)
    with pytest.raises(InputError, match="finite"):
        detector.score_one(bad)
    with pytest.raises(InputError, match="finite"):
        detector.learn_one(bad)
    assert pickle.dumps(detector) == before


# --- constructed series ----------------------------------------------------------------------

DEFAULT = Threshold()


def _alarms(scores: list[float], start: int = 0, stop: int | None = None) -> list[int]:
    stop = len(scores) if stop is None else stop
    return [k for k in range(start, stop) if DEFAULT.is_anomalous(scores[k])]


@FACTORIES
def test_a_spike_in_noise_is_flagged(make: Callable[[], StreamingDetector]) -> None:
    values = gaussian(3000)
    values[2000] += 8.0
    scores = run_stream(make(), values, stamps(3000))
    assert DEFAULT.is_anomalous(scores[2000])
    assert max(range(500, 3000), key=scores.__getitem__) == 2000


@FACTORIES
def test_a_level_shift_alarms_at_onset_then_stops(make: Callable[[], StreamingDetector]) -> None:
    values = gaussian(6000)
    onset = 3000
    values[onset:] = [v + 10.0 for v in values[onset:]]
    scores = run_stream(make(), values, stamps(6000))
    assert _alarms(scores, onset, onset + 3), "no alarm at the onset of the shift"
    assert _alarms(scores, onset + 300) == []


@FACTORIES
def test_a_daily_cycle_does_not_alarm_at_its_peaks(make: Callable[[], StreamingDetector]) -> None:
    n = 288 * 21  # three weeks of five-minute points
    rng = np.random.default_rng(3)
    phase = np.arange(n) * 2 * math.pi / 288
    values = (100 + 20 * np.sin(phase) + rng.normal(size=n)).tolist()
    scores = run_stream(make(), values, stamps(n))
    after_two_days = 288 * 2
    peaks = [k for k in range(after_two_days, n) if math.sin(phase[k]) > 0.95]
    assert [k for k in peaks if DEFAULT.is_anomalous(scores[k])] == []
    assert len(_alarms(scores, after_two_days)) < 0.01 * (n - after_two_days)


@FACTORIES
def test_a_weekly_cycle_stops_alarming_once_learnt(make: Callable[[], StreamingDetector]) -> None:
    # Hourly points: busy weekdays, quiet weekends, a daily swing on top.
    rng = np.random.default_rng(9)
    times = stamps(24 * 7 * 8, step=timedelta(hours=1))
    values = [
        (50.0 if t.weekday() < 5 else 20.0)
        + 10.0 * math.sin(2 * math.pi * t.hour / 24)
        + float(rng.normal())
        for t in times
    ]
    scores = run_stream(make(), values, times)
    assert _alarms(scores, 24 * 7 * 3) == []


@FACTORIES
@pytest.mark.parametrize(
    "series",
    [gaussian(20_000, seed=11), random_walk(20_000, seed=12)],
    ids=["gaussian", "random_walk"],
)
def test_false_alarm_rate_on_pure_noise_is_low(
    make: Callable[[], StreamingDetector], series: list[float]
) -> None:
    scores = run_stream(make(), series, stamps(len(series)))
    rate = len(_alarms(scores, 500)) / (len(series) - 500)
    assert rate < 0.01, f"false-alarm rate {rate:.4f}"
