"""Trends: Mann-Kendall with Theil-Sen slope finds drifts, stays quiet on noise, checks input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from flowdoctor.analyze.trends import (
    TrendDirection,
    detect_trend,
    theil_sen_slope,
    trend_finding,
)
from flowdoctor.domain import IssueCategory, Stage
from flowdoctor.errors import InputError
from support.series import ar1

START = np.datetime64("2026-11-24T00:00")


def grid(n: int, minutes: int = 5) -> np.ndarray:
    return START + np.arange(n) * np.timedelta64(minutes, "m")


def test_rising_series_is_a_significant_trend_with_the_right_slope() -> None:
    rng = np.random.default_rng(1)
    n = 2016  # a week of five-minute points
    per_step = 0.01
    values = 50 + per_step * np.arange(n) + rng.normal(size=n)
    trend = detect_trend(values, grid(n))
    assert trend is not None
    assert trend.significant
    assert trend.direction is TrendDirection.RISING
    assert trend.p_value < 0.001
    expected_per_day = per_step * 288
    assert trend.slope_per_day == pytest.approx(expected_per_day, rel=0.05)
    assert trend.relative_slope_per_day == pytest.approx(expected_per_day / trend.level, rel=0.05)
    assert trend.n == n
    assert trend.start == datetime(2026, 11, 24)
    assert trend.span_days == pytest.approx((n - 1) / 288)


def test_falling_trend_in_autocorrelated_noise() -> None:
    rng = np.random.default_rng(2)
    n = 1000
    values = 100 - 0.005 * np.arange(n) + ar1(rng, n, 0.6)
    trend = detect_trend(values, grid(n))
    assert trend is not None
    assert trend.direction is TrendDirection.FALLING
    assert trend.slope_per_day == pytest.approx(-0.005 * 288, rel=0.15)
    assert trend.autocorrelation > 0.4
    assert trend.variance_inflation > 2


def test_sampled_theil_sen_slope_on_a_long_series_matches_the_truth() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(10_000, dtype=np.float64)
    y = 0.001 * t + rng.normal(size=t.size)
    assert theil_sen_slope(t, y) == pytest.approx(0.001, rel=0.03)


def test_theil_sen_ignores_an_outlier() -> None:
    t = np.arange(50, dtype=np.float64)
    y = 2 * t
    y[10] = 1e6
    assert theil_sen_slope(t, y) == pytest.approx(2.0)


@pytest.mark.parametrize(("phi", "bound"), [(0.0, 0.08), (0.6, 0.08)])
def test_false_alarm_rate_on_noise_is_near_alpha(phi: float, bound: float) -> None:
    """200 seeded noise series of 300 points: trends called at most 8% of the time (alpha 5%)."""
    rng = np.random.default_rng(40 + int(phi * 10))
    n = 300
    alarms = sum(
        bool(trend and trend.significant)
        for trend in (detect_trend(ar1(rng, n, phi) + 10, grid(n)) for _ in range(200))
    )
    assert alarms / 200 <= bound


def test_daily_cycle_is_not_a_trend_once_the_season_is_removed() -> None:
    rng = np.random.default_rng(5)
    n = 288 * 5
    t = np.arange(n)
    values = 10 + 3 * np.sin(2 * np.pi * t / 288) + rng.normal(size=n) * 0.5
    trend = detect_trend(values, grid(n), season=timedelta(days=1))
    assert trend is not None
    assert not trend.significant
    rising = values + 0.002 * t
    trend = detect_trend(rising, grid(n), season=timedelta(days=1))
    assert trend is not None and trend.significant
    assert trend.slope_per_day == pytest.approx(0.002 * 288, rel=0.1)


def test_season_needs_two_cycles() -> None:
    with pytest.raises(InputError, match="two cycles") as caught:
        detect_trend(np.arange(100.0), grid(100), season=timedelta(days=1))
    assert caught.value.field == "season"


def test_nan_values_are_dropped() -> None:
    values = np.arange(100, dtype=np.float64)
    with_gaps = values.copy()
    with_gaps[[3, 50, 51]] = np.nan
    trend = detect_trend(with_gaps, grid(100))
    assert trend is not None
    assert trend.n == 97
    assert trend.slope_per_day == pytest.approx(288.0)


def test_too_short_series_and_all_nan_give_no_trend() -> None:
    assert detect_trend([1.0, 2.0, 3.0], grid(3)) is None
    assert detect_trend([float("nan")] * 20, grid(20)) is None
    assert detect_trend(np.arange(30.0), grid(30), min_points=50) is None


def test_constant_series_is_flat() -> None:
    trend = detect_trend([4.0] * 50, grid(50))
    assert trend is not None
    assert trend.direction is TrendDirection.FLAT
    assert trend.p_value == 1.0
    assert not trend.significant
    assert trend_finding(trend, "latency") is None


def test_window_limits_the_points_used() -> None:
    values = np.r_[np.zeros(100), np.arange(100.0)]
    times = grid(200)
    trend = detect_trend(values, times, start=times[100])
    assert trend is not None
    assert trend.n == 100
    assert trend.start == datetime(2026, 11, 24, 8, 20)
    flat = detect_trend(values, times, end=times[99])
    assert flat is not None and flat.direction is TrendDirection.FLAT


def test_python_datetimes_aware_ones_come_back_in_utc() -> None:
    base = datetime(2026, 11, 24, tzinfo=UTC)
    times = [base + timedelta(hours=i) for i in range(48)]
    trend = detect_trend([float(i) for i in range(48)], times)
    assert trend is not None
    assert trend.start == base
    assert trend.end.tzinfo is UTC
    assert trend.slope_per_day == pytest.approx(24.0)


def test_finding_text_confidence_and_category() -> None:
    rng = np.random.default_rng(6)
    n = 2016
    values = 0.8 * (1 + 0.12 / 288 * np.arange(n)) + rng.normal(size=n) * 0.05
    trend = detect_trend(values, grid(n))
    assert trend is not None
    finding = trend_finding(trend, "p95_latency")
    assert finding is not None
    assert finding.kind == "metric_trend"
    assert finding.stage is Stage.ANALYSIS
    assert finding.subject == "p95_latency"
    assert finding.category is IssueCategory.PERFORMANCE
    assert finding.description.startswith("p95_latency rising ")
    assert "%/day since Tue 2026-11-24 (Mann-Kendall p<0.001, n=2,016)" in finding.description
    assert 0.3 < finding.confidence <= 0.95
    assert any("Theil-Sen" in line for line in finding.evidence)


def test_short_windows_are_reported_per_hour() -> None:
    times = START + np.arange(60) * np.timedelta64(1, "m")
    trend = detect_trend(100 + np.arange(60.0), times)
    assert trend is not None
    finding = trend_finding(trend, "queue_depth")
    assert finding is not None
    assert "%/min" in finding.description


def test_stronger_trends_are_more_confident() -> None:
    rng = np.random.default_rng(7)
    noise = rng.normal(size=500)
    weak = detect_trend(10 + 0.002 * np.arange(500) + noise, grid(500))
    strong = detect_trend(10 + 0.02 * np.arange(500) + noise, grid(500))
    assert weak is not None and strong is not None
    weak_finding, strong_finding = trend_finding(weak, "x"), trend_finding(strong, "x")
    assert weak_finding is not None and strong_finding is not None
    assert strong_finding.confidence > weak_finding.confidence


@pytest.mark.parametrize(
    ("values", "times", "field", "message"),
    [
        ([1.0, float("inf"), 2.0], grid(3), "values", "finite"),
        (["1", "2", "3"], grid(3), "values", "real numbers"),
        ([True, False, True], grid(3), "values", "real numbers"),
        (np.array(["a", "b"]), grid(2), "values", "real numbers"),
        (np.ones((2, 2)), grid(2), "values", "one-dimensional"),
        (5, grid(1), "values", "sequence"),
        ([1.0, 2.0, 3.0], grid(2), "timestamps", "2 entries for 3 values"),
        ([1.0, 2.0], grid(2)[::-1], "timestamps", "increasing"),
        ([1.0, 2.0], ["2026-11-24", "2026-11-25"], "timestamps", "datetimes"),
        ([1.0, 2.0], np.array([1, 2]), "timestamps", "datetime64"),
        ([1.0, 2.0], "2026-11-24", "timestamps", "sequence of datetimes"),
    ],
)
def test_bad_input_is_an_input_error(
    values: object, times: object, field: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        detect_trend(values, times)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_mixed_aware_and_naive_timestamps_are_refused() -> None:
    times = [datetime(2026, 11, 24), datetime(2026, 11, 25, tzinfo=UTC)]
    with pytest.raises(InputError, match="aware and naive"):
        detect_trend([1.0, 2.0], times)


def test_alpha_must_be_a_probability() -> None:
    with pytest.raises(InputError, match="alpha") as caught:
        detect_trend(np.arange(20.0), grid(20), alpha=1.5)
    assert caught.value.field == "alpha"
