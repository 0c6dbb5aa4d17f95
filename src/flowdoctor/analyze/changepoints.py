"""Change points in the level or the spread of a metric series, and the changes that caused them.

``detect_change_points`` finds where a series moved to a new mean (``LEVEL``) or became noisier
or steadier (``VARIANCE``):

1. Variance first, on the clipped squared first differences: differencing removes the level, so a
   level shift leaves one large difference, which the clipping at six median absolute differences
   turns harmless. The log of block means of that signal changes in mean where the spread changes.
2. Each variance segment is scaled about its median to unit spread, so a noisy stretch cannot
   pass for a string of level shifts; points far from a running median are pulled in, so a burst
   shorter than half of ``min_size`` cannot either. Then the level shifts are searched for.

Each search is ``ruptures.KernelCPD(kernel="linear")`` (least-squares mean shifts) on block means:
its exact solver is quadratic in the length (a quarter of a second for 10,000 points), so series
are averaged into at most ``MAX_BLOCKS`` blocks and each break found is then placed at single-point
resolution by the best split within two blocks of it. The penalty comes from the data,
``c * long_run_variance * log(n)``: the noise variance is estimated from the first differences,
which a few shifts barely touch, and widened by the lag-1 autocorrelation, which would otherwise
make every slow wander of AR noise look like a shift.

``link_change_events`` pairs change points with the changes people recorded (a deploy, a rotated
credential) shortly before them; ``change_point_findings`` turns both into ``change_point``
findings. NaN values are dropped; indices refer to positions in the input as given.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import numpy as np
import ruptures as rpt
from scipy import ndimage

from flowdoctor.analyze.series import (
    FloatArray,
    TimesLike,
    check_times,
    check_values,
    datetime_to_ns,
    format_duration,
    format_level,
    metric_spec,
    remove_season,
)
from flowdoctor.domain import DiagnosticFinding, Stage
from flowdoctor.errors import InputError

MAX_BLOCKS = 1_000
"""Coarsest resolution of the search: longer series are averaged into this many blocks."""
LEVEL_PENALTY = 3.0
VARIANCE_PENALTY = 3.0
"""Multipliers c of ``c * variance * log(n)``; chosen so that fewer than 1 in 20 noise series of
600 to 10,000 points (white, or AR(1) with phi = 0.6) show any break (tests/unit/analyze and
benchmarks/series_analysis.py measure it)."""
_CLIP = 6.0
_SPIKE = 5.0
_MIN_VARIANCE_BLOCK = 8
_MAX_PHI = 0.9


class ChangePointKind(StrEnum):
    """What changed at a change point."""

    LEVEL = "level"
    VARIANCE = "variance"


@dataclass(frozen=True, slots=True)
class ChangePoint:
    """Where a series changed: ``index`` is the first point of the new regime.

    Means and spreads (median absolute deviation scaled to a standard deviation) are over the
    segments on either side. ``magnitude`` is the shift in spreads of the quieter side for a
    ``LEVEL`` change, and the ratio of the larger spread to the smaller for a ``VARIANCE`` one.
    """

    index: int
    timestamp: datetime
    kind: ChangePointKind
    mean_before: float
    mean_after: float
    spread_before: float
    spread_after: float
    magnitude: float
    confidence: float


class ChangeEventLike(Protocol):
    """A recorded change (a deploy, a config edit): the attributes linking needs."""

    @property
    def event_id(self) -> object: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...


EventInput = ChangeEventLike | tuple[object, datetime, str, str]
"""A change event, or a plain ``(event_id, occurred_at, kind, description)`` tuple."""


@dataclass(frozen=True, slots=True)
class EventLink:
    """A change event linked to a change point; ``lead`` is how long before it the event came."""

    change_point: ChangePoint
    event_id: str
    kind: str
    description: str
    occurred_at: datetime
    lead: timedelta


def detect_change_points(
    values: object,
    timestamps: TimesLike,
    *,
    min_size: int = 10,
    sensitivity: float = 1.0,
    season: timedelta | None = None,
) -> list[ChangePoint]:
    """Level and variance change points of ``values``, in time order.

    ``min_size`` is the shortest segment in points; ``sensitivity`` divides the penalty (2 finds
    smaller shifts and more false ones); ``season`` removes a known cycle's average profile
    first, without which a daily pattern is cut into level segments. NaN values are dropped.
    ``InputError`` for infinite or non-numeric values, timestamps that are not increasing
    datetimes or do not match in number.

    >>> days = np.datetime64("2026-11-01") + np.arange(200).astype("timedelta64[h]")
    >>> values = np.where(np.arange(200) < 120, 1.0, 5.0) + np.sin(np.arange(200)) / 10
    >>> [(c.index, c.kind.value) for c in detect_change_points(values, days)]
    [(120, 'level')]
    """
    if min_size < 2:
        raise InputError(f"min_size must be at least 2, got {min_size}", field="min_size")
    if not sensitivity > 0:
        raise InputError(f"sensitivity must be positive, got {sensitivity}", field="sensitivity")
    raw = check_values(values, allow_nan=True)
    timeline = check_times(timestamps, raw.size)
    kept = np.flatnonzero(~np.isnan(raw))
    y = raw[kept]
    if y.size < 3 * min_size or np.ptp(y) == 0.0:
        return []
    if season is not None:
        y = remove_season(y, timeline.take(~np.isnan(raw)), season)
    variance_breaks = _variance_breaks(y, min_size, VARIANCE_PENALTY / sensitivity)
    z = _standardise(y, variance_breaks, min_size)
    level_breaks = _level_breaks(z, min_size, LEVEL_PENALTY / sensitivity)
    # A level shift and a spread change at the same place are one event: keep the level shift,
    # whose spreads before and after show the other.
    variance_breaks = [
        (k, s) for k, s in variance_breaks if all(abs(k - j) >= min_size for j, _ in level_breaks)
    ]
    points = []
    for breaks, kind in (
        (level_breaks, ChangePointKind.LEVEL),
        (variance_breaks, ChangePointKind.VARIANCE),
    ):
        cuts = [0, *(k for k, _ in breaks), y.size]
        for number, (k, strength) in enumerate(breaks, start=1):
            before, after = y[cuts[number - 1] : k], y[k : cuts[number + 1]]
            if before.size == 0 or after.size == 0:
                continue  # two refined breaks landed on one point: the first one stands
            index = int(kept[k])
            points.append(_change_point(index, timeline.at(index), kind, before, after, strength))
    return sorted(points, key=lambda point: point.index)


def link_change_events(
    change_points: Iterable[ChangePoint],
    events: Iterable[EventInput],
    *,
    max_lead: timedelta = timedelta(hours=1),
    max_lag: timedelta = timedelta(0),
) -> list[EventLink]:
    """Events from ``max_lead`` before to ``max_lag`` after each change point, closest first.

    A change point's timestamp is only as exact as the series' sampling, so ``max_lag`` lets an
    event recorded just after it count; naive timestamps are read as UTC.

    >>> at = datetime(2026, 11, 24, 14, 5)
    >>> point = ChangePoint(5, at, ChangePointKind.LEVEL, 0.0, 1.0, 0.1, 0.1, 10.0, 0.8)
    >>> event = ("ev-1", datetime(2026, 11, 24, 14, 2), "config", "credential rotated")
    >>> [(link.event_id, str(link.lead)) for link in link_change_events([point], [event])]
    [('ev-1', '0:03:00')]
    """
    normalised = [_event_tuple(event) for event in events]
    links: list[EventLink] = []
    for point in change_points:
        at = datetime_to_ns(point.timestamp)
        found = []
        for event_id, occurred_at, kind, description in normalised:
            lead = timedelta(microseconds=(at - datetime_to_ns(occurred_at)) // 1000)
            if -max_lag <= lead <= max_lead:
                found.append(EventLink(point, event_id, kind, description, occurred_at, lead))
        links.extend(sorted(found, key=lambda link: (abs(link.lead), link.event_id)))
    return links


def change_point_findings(
    change_points: Sequence[ChangePoint],
    metric: str,
    *,
    events: Iterable[EventInput] = (),
    max_lead: timedelta = timedelta(hours=1),
    max_lag: timedelta = timedelta(0),
) -> list[DiagnosticFinding]:
    """One ``change_point`` finding per change point, naming the closest linked event.

    A linked event adds 0.1 to the confidence: a shift with a recorded cause is less likely noise.
    """
    links = link_change_events(change_points, events, max_lead=max_lead, max_lag=max_lag)
    spec = metric_spec(metric)
    findings = []
    for point in change_points:
        linked = [link for link in links if link.change_point is point]
        text = f"{metric} {_what_changed(point, metric)} at {point.timestamp:%Y-%m-%d %H:%M}"
        if linked:
            text += f", {_lead_text(linked[0])}"
        evidence = [
            f"mean {format_level(point.mean_before, metric)} before, "
            f"{format_level(point.mean_after, metric)} after",
            f"spread {format_level(point.spread_before, metric)} before, "
            f"{format_level(point.spread_after, metric)} after",
            f"{point.kind.value} change of magnitude {point.magnitude:.3g}",
        ]
        evidence += [
            f"change event {link.event_id} ({link.kind}): '{link.description}', {_lead_text(link)}"
            for link in linked
        ]
        confidence = min(0.99, point.confidence + (0.1 if linked else 0.0))
        findings.append(
            DiagnosticFinding(
                kind="change_point",
                description=text,
                confidence=round(confidence, 4),
                stage=Stage.ANALYSIS,
                subject=metric,
                category=spec.category if spec else None,
                evidence=tuple(evidence),
            )
        )
    return findings


def _variance_breaks(y: FloatArray, min_size: int, c: float) -> list[tuple[int, float]]:
    d = np.abs(np.diff(y))
    scale = float(np.median(d)) or float(d.mean())
    squared = np.minimum(d, _CLIP * scale) ** 2
    m = max(_block_size(squared.size), _MIN_VARIANCE_BLOCK)
    # A block of all-zero differences (a flat stretch) would be log(0); floor it far below noise.
    signal = np.log(_block_means(squared, m) + (1e-6 * scale) ** 2)
    found = _search(signal, max(2, math.ceil(min_size / m)), c)
    refined = _refine(squared, found, m, min_size, _variance_gain)
    # d[j] straddles y[j] and y[j + 1]: a break at d[j] starts the new regime at y[j + 1].
    return [(k + 1, strength) for k, strength in refined]


def _level_breaks(z: FloatArray, min_size: int, c: float) -> list[tuple[int, float]]:
    m = _block_size(z.size)
    found = _search(_block_means(z, m), max(2, math.ceil(min_size / m)), c)
    return _refine(z, found, m, min_size, _level_gain)


def _search(signal: FloatArray, min_size: int, c: float) -> list[tuple[int, float]]:
    """Breaks of the coarse signal with their gain over the penalty (how clear each one is)."""
    if signal.size < 2 * min_size:
        return []
    variance = _long_run_variance(signal)
    if variance <= 0.0:
        return []
    penalty = c * variance * math.log(signal.size)
    algo = rpt.KernelCPD(kernel="linear", min_size=min_size).fit(signal)
    ends = [int(end) for end in algo.predict(pen=penalty)]
    cuts = [0, *ends]
    found = []
    for number in range(1, len(ends)):
        a, k, b = cuts[number - 1], cuts[number], cuts[number + 1]
        gain = float(_level_gain(signal[a:b])[k - a - 1])
        found.append((k, gain / penalty))
    return found


class GainFunction(Protocol):
    """The gain of splitting a segment after each of its first n-1 points."""

    def __call__(self, segment: FloatArray, /) -> FloatArray: ...


def _refine(
    signal: FloatArray, found: list[tuple[int, float]], m: int, min_size: int, gain: GainFunction
) -> list[tuple[int, float]]:
    """Place each coarse break (in blocks) at the best split of ``signal`` within two blocks."""
    cuts = [0, *(k * m for k, _ in found), signal.size]
    refined = []
    for number, (_, strength) in enumerate(found, start=1):
        a, guess, b = cuts[number - 1], cuts[number], cuts[number + 1]
        low, high = max(a + min_size, guess - 2 * m), min(b - min_size, guess + 2 * m)
        if low >= high:
            refined.append((guess, strength))
            continue
        scores = gain(signal[a:b])[low - a - 1 : high - a]
        refined.append((low + int(np.argmax(scores)), strength))
    return refined


def _level_gain(segment: FloatArray) -> FloatArray:
    """Drop in squared error from splitting ``segment`` after each of its first n-1 points."""
    n = segment.size
    left = np.cumsum(segment)[:-1]
    n1 = np.arange(1, n, dtype=np.float64)
    total = left[-1] + segment[-1] if n > 1 else 0.0
    right = total - left
    return left**2 / n1 + right**2 / (n - n1) - total**2 / n


def _variance_gain(squares: FloatArray) -> FloatArray:
    """Gain in Gaussian log-likelihood of a spread change after each of the first n-1 points."""
    n = squares.size
    tiny = 1e-300
    # Rounding in the running sum can leave a hair below zero, and log() of that is NaN.
    left = np.maximum(np.cumsum(squares)[:-1], 0.0)
    n1 = np.arange(1, n, dtype=np.float64)
    right = np.maximum(float(squares.sum()) - left, 0.0)
    whole = n * math.log(float(squares.sum()) / n + tiny)
    return whole - n1 * np.log(left / n1 + tiny) - (n - n1) * np.log(right / (n - n1) + tiny)


def _long_run_variance(signal: FloatArray) -> float:
    """Noise variance of ``signal`` from its differences, widened for lag-1 autocorrelation.

    For AR(1) noise, consecutive differences correlate at -(1 - phi) / 2 and have variance
    2 sigma^2 (1 - phi); a handful of shifts moves neither the median nor that correlation much.
    """
    d = np.diff(signal)
    if d.size < 4:
        return 0.0
    sd = 1.4826 * float(np.median(np.abs(d - np.median(d)))) or float(d.std())
    centred = d - d.mean()
    denominator = float(centred @ centred)
    r = float(centred[1:] @ centred[:-1]) / denominator if denominator > 0 else -0.5
    phi = min(max(1.0 + 2.0 * r, 0.0), _MAX_PHI)
    sigma2 = sd**2 / (2.0 * (1.0 - phi))
    return sigma2 * (1.0 + phi) / (1.0 - phi)


def _standardise(y: FloatArray, breaks: list[tuple[int, float]], min_size: int) -> FloatArray:
    """``y`` in units of its noise: each variance segment scaled about its own median.

    Scaling about the median keeps a segment's level where it was (in units of the median noise
    spread), so a spread change is not turned into a level shift. Points further than
    ``_SPIKE`` spreads from a running median over ``min_size`` points are pulled in: a burst
    shorter than half a segment is not a new level.
    """
    cuts = [0, *(k for k, _ in breaks), y.size]
    spreads = [_difference_spread(y[a:b]) for a, b in itertools.pairwise(cuts)]
    positive = [spread for spread in spreads if spread > 0]
    if not positive:
        return y.copy()
    pooled = float(np.median(positive))
    z = y / pooled
    for (a, b), spread in zip(itertools.pairwise(cuts), spreads, strict=True):
        if spread > 0:
            centre = float(np.median(y[a:b]))
            z[a:b] = (y[a:b] - centre) / spread + centre / pooled
    running = ndimage.median_filter(z, size=min_size | 1, mode="nearest")
    return np.clip(z, running - _SPIKE, running + _SPIKE)


def _difference_spread(segment: FloatArray) -> float:
    """Noise standard deviation from the median absolute first difference (level-blind)."""
    d = np.abs(np.diff(segment))
    return 1.4826 * float(np.median(d)) / math.sqrt(2.0) if d.size else 0.0


def _block_size(n: int) -> int:
    return max(1, math.ceil(n / MAX_BLOCKS))


def _block_means(signal: FloatArray, m: int) -> FloatArray:
    if m == 1:
        return signal
    starts = np.arange(0, signal.size, m)
    counts = np.diff(np.append(starts, signal.size))
    return np.add.reduceat(signal, starts) / counts


def _robust_spread(segment: FloatArray) -> float:
    return 1.4826 * float(np.median(np.abs(segment - np.median(segment))))


def _change_point(
    index: int,
    timestamp: datetime,
    kind: ChangePointKind,
    before: FloatArray,
    after: FloatArray,
    strength: float,
) -> ChangePoint:
    mean_before, mean_after = float(before.mean()), float(after.mean())
    spread_before, spread_after = _robust_spread(before), _robust_spread(after)
    if kind is ChangePointKind.LEVEL:
        quiet = min(spread_before, spread_after) or max(spread_before, spread_after) or 1.0
        magnitude = abs(mean_after - mean_before) / quiet
    else:
        low, high = sorted((spread_before, spread_after))
        magnitude = high / low if low > 0 else math.inf
    # strength is the break's gain over the penalty: 1 is borderline, 10 unmistakable.
    confidence = min(0.95, max(0.5, 1.0 - 0.5 / max(strength, 1e-9)))
    return ChangePoint(
        index,
        timestamp,
        kind,
        mean_before,
        mean_after,
        spread_before,
        spread_after,
        magnitude,
        round(confidence, 4),
    )


def _event_tuple(event: EventInput) -> tuple[str, datetime, str, str]:
    if isinstance(event, tuple):
        if len(event) != 4:
            raise InputError(
                "a change event tuple must be (event_id, occurred_at, kind, description)",
                field="events",
            )
        event_id, occurred_at, kind, description = event
    else:
        event_id, occurred_at = event.event_id, event.occurred_at
        kind, description = event.kind, event.description
    moment: object = occurred_at  # typed as a datetime, but tuples come from anywhere
    if not isinstance(moment, datetime):
        name = type(moment).__name__
        raise InputError(
            f"change event {event_id} occurred_at must be a datetime, got {name}", field="events"
        )
    return str(event_id), moment, str(kind), str(description)


def _what_changed(point: ChangePoint, metric: str) -> str:
    if point.kind is ChangePointKind.LEVEL:
        before = format_level(point.mean_before, metric)
        return f"shifted from {before} to {format_level(point.mean_after, metric)}"
    word = "noisier" if point.spread_after > point.spread_before else "steadier"
    before = format_level(point.spread_before, metric)
    after = format_level(point.spread_after, metric)
    return f"became {word} (spread {before} to {after})"


def _lead_text(link: EventLink) -> str:
    seconds = link.lead.total_seconds()
    if seconds == 0:
        return f"at the same time as '{link.description}'"
    if seconds > 0:
        return f"{format_duration(seconds)} after '{link.description}'"
    return f"{format_duration(-seconds)} before '{link.description}'"
