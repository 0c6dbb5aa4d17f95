"""Change points: level and variance shifts found where they are, none on noise, events linked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from flowdoctor.analyze.changepoints import (
    ChangePoint,
    ChangePointKind,
    change_point_findings,
    detect_change_points,
    link_change_events,
)
from flowdoctor.domain import Stage
from flowdoctor.errors import InputError
from support.series import ar1

START = np.datetime64("2026-11-24T12:00")


def grid(n: int) -> np.ndarray:
    return START + np.arange(n) * np.timedelta64(1, "m")


@dataclass(frozen=True)
class RecordedChange:
    """Shaped like the domain's change event, which this module must not import."""

    event_id: str
    workflow_id: str
    occurred_at: datetime
    kind: str
    description: str


def point_at(minute: int, kind: ChangePointKind = ChangePointKind.LEVEL) -> ChangePoint:
    when = datetime(2026, 11, 24, 14, 0) + timedelta(minutes=minute)
    return ChangePoint(minute, when, kind, 0.0, 1.0, 0.1, 0.1, 10.0, 0.8)


def test_level_shift_is_found_within_a_few_points() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=600)
    values[347:] += 2.0
    points = detect_change_points(values, grid(600))
    assert [point.kind for point in points] == [ChangePointKind.LEVEL]
    point = points[0]
    assert abs(point.index - 347) <= 3
    assert point.timestamp == datetime(2026, 11, 24, 12, 0) + timedelta(minutes=point.index)
    assert point.mean_before == pytest.approx(0.0, abs=0.2)
    assert point.mean_after == pytest.approx(2.0, abs=0.2)
    assert point.magnitude == pytest.approx(2.0, abs=0.5)
    assert 0.5 <= point.confidence <= 0.95


def test_level_shifts_in_a_long_series_are_placed_at_point_resolution() -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(size=10_000)
    values[3_217:] += 1.5
    values[6_123:] -= 2.5
    points = detect_change_points(values, grid(10_000))
    assert [point.kind for point in points] == [ChangePointKind.LEVEL, ChangePointKind.LEVEL]
    assert abs(points[0].index - 3_217) <= 5
    assert abs(points[1].index - 6_123) <= 5


def test_variance_shift_is_found_and_not_taken_for_level_shifts() -> None:
    rng = np.random.default_rng(3)
    values = 5 + rng.normal(size=1000)
    values[400:] = 5 + (values[400:] - 5) * 3
    points = detect_change_points(values, grid(1000))
    assert [point.kind for point in points] == [ChangePointKind.VARIANCE]
    point = points[0]
    assert abs(point.index - 400) <= 15
    assert point.spread_after / point.spread_before == pytest.approx(3.0, rel=0.25)
    assert point.magnitude == pytest.approx(3.0, rel=0.25)


@pytest.mark.parametrize("phi", [0.0, 0.6])
def test_noise_rarely_has_breaks(phi: float) -> None:
    """200 seeded noise series of 600 points: at most 5% show any change point."""
    rng = np.random.default_rng(10 + int(phi * 10))
    noisy = sum(bool(detect_change_points(ar1(rng, 600, phi), grid(600))) for _ in range(200))
    assert noisy / 200 <= 0.05


def test_spikes_are_not_change_points() -> None:
    rng = np.random.default_rng(4)
    values = rng.normal(size=2000)
    values[[100, 700, 701, 1500]] += 12.0
    assert detect_change_points(values, grid(2000)) == []


def test_a_daily_cycle_needs_the_season_removed() -> None:
    rng = np.random.default_rng(5)
    n = 1440 * 3
    values = 2 * np.sin(2 * np.pi * np.arange(n) / 1440) + rng.normal(size=n)
    assert detect_change_points(values, grid(n))  # cut into steps when the cycle is unknown
    assert detect_change_points(values, grid(n), season=timedelta(days=1)) == []


def test_nan_values_are_dropped_and_indices_refer_to_the_input() -> None:
    rng = np.random.default_rng(6)
    values = rng.normal(size=400)
    values[250:] += 3.0
    values[[10, 20, 30, 40]] = np.nan
    points = detect_change_points(values, grid(400))
    assert len(points) == 1
    assert abs(points[0].index - 250) <= 3


def test_constant_and_short_series_have_no_change_points() -> None:
    assert detect_change_points([2.0] * 100, grid(100)) == []
    assert detect_change_points([1.0] * 10 + [5.0] * 10, grid(20)) == []


def test_sensitivity_trades_small_shifts_for_false_ones() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=400)
    values[200:] += 0.35
    assert detect_change_points(values, grid(400)) == []
    found = detect_change_points(values, grid(400), sensitivity=3.0)
    assert any(abs(point.index - 200) <= 10 for point in found)


def test_event_shortly_before_is_linked_closest_first() -> None:
    point = point_at(5)
    events = [
        ("deploy-1", datetime(2026, 11, 24, 13, 40), "deploy", "release 4.2"),
        ("cred-7", datetime(2026, 11, 24, 14, 2), "config", "credential rotated"),
        ("late", datetime(2026, 11, 24, 14, 8), "config", "after the change"),
        ("old", datetime(2026, 11, 24, 11, 0), "deploy", "too early"),
    ]
    links = link_change_events([point], events)
    assert [link.event_id for link in links] == ["cred-7", "deploy-1"]
    assert links[0].lead == timedelta(minutes=3)
    assert links[0].change_point is point
    later = link_change_events([point], events, max_lag=timedelta(minutes=5))
    assert [link.event_id for link in later] == ["cred-7", "late", "deploy-1"]
    assert later[1].lead == -timedelta(minutes=3)
    assert link_change_events([point], events, max_lead=timedelta(minutes=2)) == []


def test_events_may_be_objects_and_aware_times_compare_in_utc() -> None:
    point = point_at(5)  # naive timestamps are read as UTC
    event = RecordedChange(
        "ev-1", "wf-1", datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "config", "timeout raised"
    )
    links = link_change_events([point], [event])
    assert len(links) == 1
    assert links[0].lead == timedelta(0)
    assert links[0].kind == "config"


def test_finding_names_the_shift_and_the_change_before_it() -> None:
    rng = np.random.default_rng(8)
    n = 240
    values = np.where(np.arange(n) < 125, 0.004, 0.061) + rng.normal(size=n) * 0.0005
    times = START + np.arange(n) * np.timedelta64(1, "m")
    points = detect_change_points(values, times)
    assert len(points) == 1
    assert points[0].index == 125
    event = ("ev-9", datetime(2026, 11, 24, 14, 2), "config", "credential rotated")
    findings = change_point_findings(points, "error_rate", events=[event])
    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == "change_point"
    assert finding.stage is Stage.ANALYSIS
    assert finding.subject == "error_rate"
    assert finding.description == (
        "error_rate shifted from 0.4% to 6.1% at 2026-11-24 14:05, 3 min after 'credential rotated'"
    )
    assert any("ev-9 (config)" in line for line in finding.evidence)
    alone = change_point_findings(points, "error_rate")
    assert alone[0].confidence < finding.confidence
    assert "after" not in alone[0].description


def test_variance_finding_says_noisier() -> None:
    point = ChangePoint(
        3, datetime(2026, 11, 24, 9, 30), ChangePointKind.VARIANCE, 1, 1, 0.1, 0.4, 4, 0.7
    )
    finding = change_point_findings([point], "latency")[0]
    assert "became noisier (spread 100 ms to 400 ms) at 2026-11-24 09:30" in finding.description


@pytest.mark.parametrize(
    ("values", "times", "options", "field", "message"),
    [
        ([1.0, float("inf")], grid(2), {}, "values", "finite"),
        (["a", "b"], grid(2), {}, "values", "real numbers"),
        ([1.0, 2.0, 3.0], grid(2), {}, "timestamps", "entries"),
        ([1.0, 2.0], [1, 2], {}, "timestamps", "datetimes"),
        ([1.0, 2.0], grid(2), {"min_size": 1}, "min_size", "at least 2"),
        ([1.0, 2.0], grid(2), {"sensitivity": 0}, "sensitivity", "positive"),
    ],
)
def test_bad_input_is_an_input_error(
    values: object, times: object, options: dict[str, float], field: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        detect_change_points(values, times, **options)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (("ev", datetime(2026, 11, 24)), "tuple must be"),
        (("ev", "2026-11-24 14:00", "config", "x"), "must be a datetime"),
    ],
)
def test_bad_events_are_input_errors(event: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        link_change_events([point_at(0)], [event])  # type: ignore[list-item]
    assert caught.value.field == "events"
