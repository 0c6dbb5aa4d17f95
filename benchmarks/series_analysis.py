"""Benchmark: trend, change-point and correlation analysis on generated metric series.

Generates ``--series`` series of ``--points`` points on a one-minute grid, in groups of ten with
one series of each kind per group:

====  =====================================================================================
slot  kind (noise is AR(1) with phi drawn from 0.3..0.8 unless said otherwise)
====  =====================================================================================
0     white noise
1     AR(1) noise
2     linear trend (total change 0.2..3 noise sd over the window, either sign) plus noise
3     one to three level shifts of 0.5..3 sd (white noise, at least 400 points apart)
4     one variance shift, spread x1.5..x4 up or down (white noise)
5     daily seasonality (amplitude 1..2 sd) plus noise
6     follows the symptom series by 1..30 steps (coupling 0.1..1 of the noise sd)
7     follows slot 1 of its group by 1..30 steps
8     AR(1) noise
9     white noise with 20 spikes of 8..15 sd
====  =====================================================================================

The symptom series is AR(1) with phi = 0.95. Each analysis runs on every series: the trend test
(``detect_trend``, alpha 0.05) and change points (``detect_change_points``) one series at a time,
and correlation in one ``lagged_correlations`` call (max lag 30, FDR 0.05) over each series
against the symptom plus every pair within each group of ten (1,000 + 4,500 pairs at the
defaults). Generating the series is not timed.

Truth: trends in slot 2; trend false positives are counted over slots 0, 1, 4, 5, 7, 8, 9 (level
shifts in slot 3 are monotone changes and the symptom's followers wander with it, so neither is
counted either way). Change points in slots 3 and 4, matched within +-``--tolerance`` points;
false ones are counted apart on stationary series (slots 0, 1, 6-9), on the level and variance
series, on trends (which a mean-shift detector cuts into steps) and on seasonal series (analysed
blind, then again with ``season=1 day``, timed apart). Correlations: slot 6 with the symptom
and slot 7 with slot 1; every other pair tested is a false discovery if reported.

    python benchmarks/series_analysis.py [--series 1000] [--points 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from scipy import signal as sp_signal

from flowdoctor.analyze.changepoints import detect_change_points
from flowdoctor.analyze.correlation import lagged_correlations
from flowdoctor.analyze.trends import detect_trend

KINDS = ("white", "ar1", "trend", "level", "variance", "seasonal", "follows symptom",
         "follows slot 1", "ar1", "spikes")  # fmt: skip
TREND_NEGATIVE_SLOTS = (0, 1, 4, 5, 7, 8, 9)
STATIONARY_SLOTS = (0, 1, 6, 7, 8, 9)
MAX_LAG = 30
DAY = 1440
DAY_DELTA = timedelta(days=1)


@dataclass
class Truth:
    """What was put into the generated series."""

    trend_slope: dict[int, float] = field(default_factory=dict)
    """Series index -> slope per day."""
    breaks: dict[int, list[int]] = field(default_factory=dict)
    """Series index -> indices of its level or variance changes."""
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    """(leader, follower) -> lag in steps."""


def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Unit-variance AR(1) noise."""
    noise = rng.normal(size=n) * np.sqrt(1 - phi**2)
    return sp_signal.lfilter([1.0], [1.0, -phi], noise)


def make_series(
    slot: int, rng: np.random.Generator, n: int, symptom: np.ndarray, group: list[np.ndarray]
) -> tuple[np.ndarray, float | None, list[int], int | None]:
    """One series of ``slot``'s kind: (values, trend slope per day, breaks, lag it follows at)."""
    t = np.arange(n)
    noise = ar1(rng, n, rng.uniform(0.3, 0.8))
    if slot in (0, 3, 4, 9):
        noise = rng.normal(size=n)
    if slot == 2:
        change = rng.uniform(0.2, 3.0) * rng.choice([-1, 1])
        return 100 + change * t / n + noise, change / n * DAY, [], None
    if slot == 3:
        count = int(rng.integers(1, 4))
        # Breaks 500 apart plus an offset, so they do not sit on the detector's block edges.
        slots = rng.choice(np.arange(1, n // 500 - 1), count, replace=False)
        breaks = sorted(int(k) * 500 + int(rng.integers(0, 100)) for k in slots)
        shifted = noise + 100
        for k in breaks:
            shifted[k:] += rng.uniform(0.5, 3) * rng.choice([-1, 1])
        return shifted, None, breaks, None
    if slot == 4:
        k = int(rng.integers(n // 5, 4 * n // 5))
        factor = rng.uniform(1.5, 4) ** rng.choice([-1, 1])
        noise[k:] *= factor
        return 100 + noise, None, [k], None
    if slot == 5:
        amplitude = rng.uniform(1, 2)
        return 100 + amplitude * np.sin(2 * np.pi * t / DAY) + noise, None, [], None
    if slot in (6, 7):
        lag = int(rng.integers(1, MAX_LAG + 1))
        source = symptom if slot == 6 else group[1]
        coupling = rng.uniform(0.1, 1.0)
        return 100 + coupling * np.roll(source, lag) + noise, None, [], lag
    if slot == 9:
        spikes = rng.choice(n, 20, replace=False)
        noise[spikes] += rng.uniform(8, 15, 20) * rng.choice([-1, 1], 20)
    return 100 + noise, None, [], None


def generate(count: int, n: int, seed: int) -> tuple[dict[str, np.ndarray], Truth]:
    """``count`` series named ``s0000``... plus ``symptom``, and what is in them."""
    rng = np.random.default_rng(seed)
    symptom = ar1(rng, n, 0.95)
    series: dict[str, np.ndarray] = {"symptom": symptom}
    truth = Truth()
    group: list[np.ndarray] = []
    for index in range(count):
        slot = index % 10
        if slot == 0:
            group = []
        values, slope, breaks, lag = make_series(slot, rng, n, symptom, group)
        group.append(values)
        name = f"s{index:04d}"
        series[name] = values
        if slope is not None:
            truth.trend_slope[index] = slope
        truth.breaks[index] = breaks
        if lag is not None:
            leader = "symptom" if slot == 6 else f"s{index - 6:04d}"
            truth.pairs[(leader, name)] = lag
    return series, truth


def pairs_to_test(count: int) -> list[tuple[str, str]]:
    """Each series against the symptom, and every pair within each group of ten."""
    names = [f"s{index:04d}" for index in range(count)]
    pairs = [("symptom", name) for name in names]
    for start in range(0, count, 10):
        members = names[start : start + 10]
        pairs += [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    return pairs


def run_trends(series: dict[str, np.ndarray], times: np.ndarray, truth: Truth) -> list[str]:
    """Time the trend test over every series and score it; returns table rows."""
    names = [name for name in series if name != "symptom"]
    start = time.perf_counter()
    trends = []
    for number, name in enumerate(names):
        trends.append(detect_trend(series[name], times))
        if number % 200 == 199:
            print(f"trends: {number + 1}/{len(names)}", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    found = {i for i, trend in enumerate(trends) if trend is not None and trend.significant}
    positives = set(truth.trend_slope)
    negatives = [i for i in range(len(names)) if i % 10 in TREND_NEGATIVE_SLOTS]
    errors = [
        abs(trends[i].slope_per_day / slope - 1)  # type: ignore[union-attr]
        for i, slope in truth.trend_slope.items()
        if i in found
    ]
    level_flagged = sum(1 for i in range(len(names)) if i % 10 == 3 and i in found)
    quality = (
        f"recall {len(found & positives)}/{len(positives)}; false positives "
        f"{len(found.intersection(negatives))}/{len(negatives)} "
        f"({len(found.intersection(negatives)) / max(len(negatives), 1):.1%}); median slope error "
        f"{np.median(errors) if errors else float('nan'):.1%}; level-shift series flagged "
        f"{level_flagged}/{len(names) // 10}"
    )
    return [_row("trend (Mann-Kendall + Theil-Sen)", len(names), elapsed, quality)]


def run_change_points(
    series: dict[str, np.ndarray], times: np.ndarray, truth: Truth, tolerance: int
) -> list[str]:
    """Time change-point detection over every series and score it; returns table rows."""
    names = [name for name in series if name != "symptom"]
    start = time.perf_counter()
    found = []
    for number, name in enumerate(names):
        found.append([point.index for point in detect_change_points(series[name], times)])
        if number % 200 == 199:
            print(f"change points: {number + 1}/{len(names)}", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    hits = total = 0
    false_by_kind: Counter[str] = Counter()
    quiet_series = noisy_series = 0
    for index, detected in enumerate(found):
        unmatched = list(detected)
        for k in truth.breaks[index]:
            near = [j for j in unmatched if abs(j - k) <= tolerance]
            total += 1
            if near:
                hits += 1
                unmatched.remove(min(near, key=lambda j: abs(j - k)))
        false_by_kind[KINDS[index % 10]] += len(unmatched)
        if index % 10 in STATIONARY_SLOTS:
            quiet_series += 1
            noisy_series += bool(unmatched)
    stationary = sum(false_by_kind[KINDS[slot]] for slot in set(STATIONARY_SLOTS))
    quality = (
        f"recall {hits}/{total} within +-{tolerance} points; false breaks: {stationary} on "
        f"stationary series ({noisy_series}/{quiet_series} series with any), "
        f"{false_by_kind['level'] + false_by_kind['variance']} extra on level/variance series, "
        f"{false_by_kind['trend']} on trends (a staircase), "
        f"{false_by_kind['seasonal']} on seasonal series"
    )
    rows = [_row("change points (KernelCPD linear)", len(names), elapsed, quality)]
    seasonal = [name for index, name in enumerate(names) if index % 10 == 5]
    start = time.perf_counter()
    breaks = sum(
        len(detect_change_points(series[name], times, season=DAY_DELTA)) for name in seasonal
    )
    elapsed = time.perf_counter() - start
    quality = f"false breaks {breaks} with the daily profile removed first"
    rows.append(_row("change points, seasonal, season=1 day", len(seasonal), elapsed, quality))
    return rows


def run_correlation(series: dict[str, np.ndarray], truth: Truth, count: int) -> list[str]:
    """Time one correlation call over all pairs and score it; returns table rows."""
    pairs = pairs_to_test(count)
    print(f"correlation: {len(pairs)} pairs", file=sys.stderr, flush=True)
    start = time.perf_counter()
    found = lagged_correlations(series, pairs=pairs, max_lag=MAX_LAG)
    elapsed = time.perf_counter() - start
    true_found = right_lag = 0
    for correlation in found:
        key = (correlation.leader, correlation.follower)
        if key in truth.pairs:
            true_found += 1
            right_lag += truth.pairs[key] == abs(correlation.lag)
    false_found = len(found) - true_found
    quality = (
        f"recall {true_found}/{len(truth.pairs)} (lag exact in {right_lag}); false discoveries "
        f"{false_found}/{len(found)} ({false_found / max(len(found), 1):.1%}) at FDR 0.05"
    )
    return [_row(f"correlation (lags +-{MAX_LAG})", len(pairs), elapsed, quality, unit="pairs")]


def _row(name: str, count: int, seconds: float, quality: str, unit: str = "series") -> str:
    per = seconds / max(count, 1) * 1000
    return f"| {name} | {count:,} {unit} | {seconds:.2f} | {per:.2f} | {quality} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000, help="series to generate (x10)")
    parser.add_argument("--points", type=int, default=10000, help="points per series")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator")
    parser.add_argument("--tolerance", type=int, default=10, help="change-point match, points")
    args = parser.parse_args()
    if args.series < 10 or args.series % 10 or args.points < 1000:
        parser.error("--series must be a multiple of 10 and --points at least 1000")
    start = time.perf_counter()
    series, truth = generate(args.series, args.points, args.seed)
    times = np.datetime64("2026-11-22T00:00") + np.arange(args.points).astype("timedelta64[m]")
    generated = time.perf_counter() - start
    print(f"generated {args.series} series in {generated:.1f} s", file=sys.stderr, flush=True)
    rows = []
    rows += run_trends(series, times, truth)
    rows += run_change_points(series, times, truth, args.tolerance)
    rows += run_correlation(series, truth, args.series)
    total = sum(float(row.split("|")[3]) for row in rows)
    print(f"{args.series:,} series x {args.points:,} points, seed {args.seed}\n")
    print("| analysis | input | wall time (s) | per item (ms) | detection quality |")
    print("|---|---|---:|---:|---|")
    print("\n".join(rows))
    print(f"| **total** | | **{total:.2f}** | | |")


if __name__ == "__main__":
    main()
