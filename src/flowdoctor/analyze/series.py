"""Checked numeric series for the trend, change-point and correlation analyses.

The three analyses take plain values and timestamps from callers they do not control (an API
payload, a database column, a benchmark), so the checks live here once: values must be real
numbers, timestamps must be datetimes (``numpy.datetime64`` or ``datetime``) in increasing
order. A bad input raises ``InputError`` naming the field.

Timestamps are held as int64 nanoseconds. Aware datetimes are converted to UTC; naive ones and
``datetime64`` values are taken as they are, and results are given back the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt

from flowdoctor.analyze.thresholds import ALIASES, METRIC_SPECS, MetricSpec, format_value
from flowdoctor.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
TimesLike = Sequence[datetime] | npt.NDArray[np.datetime64]
"""Timestamps: ``datetime`` objects or a ``numpy.datetime64`` array."""

_NS_PER_S = 1_000_000_000
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Checked timestamps: strictly increasing int64 nanoseconds, and whether they were aware."""

    ns: IntArray
    aware: bool

    def at(self, index: int) -> datetime:
        """The timestamp at ``index`` as a ``datetime`` (UTC-aware when the input was aware)."""
        return ns_to_datetime(int(self.ns[index]), aware=self.aware)

    def take(self, keep: npt.NDArray[np.bool_]) -> Timeline:
        """The timestamps where ``keep`` is true."""
        return Timeline(self.ns[keep], self.aware)


def check_values(values: object, *, field: str = "values", allow_nan: bool = False) -> FloatArray:
    """A 1-D float64 array of ``values``; ``InputError`` for anything but finite real numbers.

    NaN passes only with ``allow_nan`` (callers that drop missing points say so).

    >>> check_values([1, 2.5]).tolist()
    [1.0, 2.5]
    >>> check_values(["1"])
    Traceback (most recent call last):
    ...
    flowdoctor.errors.InputError: values must be real numbers, got str at position 0
    """
    array = _as_float_array(values, field)
    if array.ndim != 1:
        raise InputError(f"{field} must be one-dimensional, got shape {array.shape}", field=field)
    bad = np.isinf(array) if allow_nan else ~np.isfinite(array)
    if bad.any():
        where = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{field} must be finite, got {array[where]} at position {where}", field=field
        )
    return array


def check_times(timestamps: object, length: int, *, field: str = "timestamps") -> Timeline:
    """Timestamps as a ``Timeline``; ``InputError`` unless ``length`` increasing datetimes.

    >>> minutes = np.array(["2026-11-24T00:00", "2026-11-24T00:05"], "datetime64[m]")
    >>> int(np.diff(check_times(minutes, 2).ns)[0]) // 1_000_000_000
    300
    """
    if isinstance(timestamps, np.ndarray):
        if timestamps.dtype.kind != "M":
            raise InputError(f"{field} must be datetime64, got {timestamps.dtype}", field=field)
        if np.isnat(timestamps).any():
            raise InputError(f"{field} must not contain NaT", field=field)
        timeline = Timeline(timestamps.astype("datetime64[ns]").view(np.int64), aware=False)
    elif isinstance(timestamps, Sequence) and not isinstance(timestamps, str | bytes):
        timeline = _python_times(timestamps, field)
    else:
        kind = type(timestamps).__name__
        raise InputError(f"{field} must be a sequence of datetimes, got {kind}", field=field)
    if timeline.ns.shape != (length,):
        raise InputError(f"{field} has {timeline.ns.size} entries for {length} values", field=field)
    if length > 1 and not (np.diff(timeline.ns) > 0).all():
        raise InputError(f"{field} must be strictly increasing", field=field)
    return timeline


def remove_season(values: FloatArray, timeline: Timeline, season: timedelta) -> FloatArray:
    """``values`` less their average profile over one ``season`` (a day, a week); level kept.

    The profile has one value per phase of the cycle (phases one sampling step wide), fitted
    together with a straight line so a trend is not folded into it. Needs at least two cycles of
    data (``InputError`` otherwise). With few cycles a level shift leaks into the profile in
    part (a shift of d over k cycles puts a step of about d/k in it).

    >>> hours = np.datetime64("2026-11-01") + np.arange(96).astype("timedelta64[h]")
    >>> daily = 10 + np.tile([0.0, 5.0], 48)
    >>> remove_season(daily, check_times(hours, 96), timedelta(hours=2)).round(2).tolist()[:3]
    [12.5, 12.5, 12.5]
    """
    season_ns = (season // timedelta(microseconds=1)) * 1000
    if season_ns <= 0:
        raise InputError(f"season must be a positive duration, got {season}", field="season")
    ns = timeline.ns - timeline.ns[0]
    if values.size < 3 or ns[-1] < 2 * season_ns:
        raise InputError(f"season {season} needs at least two cycles of data", field="season")
    step = int(np.median(np.diff(ns)))
    bins = max(1, round(season_ns / step))
    phase = (ns % season_ns) * bins // season_ns
    # Least squares of values on a line plus one mean per phase (Frisch-Waugh: the slope from
    # values and times centred within each phase). Fitting the profile after a separate line
    # would not do: a cycle tilts that line, and the tilt returns as a saw-tooth in every cycle.
    t = ns.astype(np.float64) / 1e9
    counts = np.bincount(phase, minlength=bins)
    occupied = np.maximum(counts, 1)
    t_centred = t - (np.bincount(phase, weights=t, minlength=bins) / occupied)[phase]
    y_means = np.bincount(phase, weights=values, minlength=bins) / occupied
    y_centred = values - y_means[phase]
    slope = float(t_centred @ y_centred) / float(t_centred @ t_centred or 1.0)
    profile = y_means - slope * np.bincount(phase, weights=t, minlength=bins) / occupied
    profile -= float(counts @ profile) / values.size
    deseasoned: FloatArray = values - profile[phase]
    return deseasoned


def ns_to_datetime(ns: int, *, aware: bool) -> datetime:
    """int64 nanoseconds since the epoch as a ``datetime`` (microsecond precision)."""
    moment = _EPOCH + timedelta(microseconds=ns // 1000)
    return moment.replace(tzinfo=UTC) if aware else moment


def datetime_to_ns(moment: datetime | np.datetime64) -> int:
    """A ``datetime`` (aware: converted to UTC; naive: taken as is) or ``datetime64`` as ns."""
    if isinstance(moment, np.datetime64):
        return int(moment.astype("datetime64[ns]").view(np.int64))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _NS_PER_S + delta.microseconds * 1000


def metric_spec(name: str) -> MetricSpec | None:
    """The spec of a known metric (through its aliases) or None; used for units and categories."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    canonical, scale = ALIASES.get(key, (key, 1.0))
    spec = METRIC_SPECS.get(canonical)
    # An alias with a scale (``latency_ms``) is in other units than its spec: format it plainly.
    return spec if spec is not None and scale == 1.0 else None


def format_level(value: float, name: str) -> str:
    """A series value for a sentence, in the metric's unit when flowdoctor knows it.

    >>> format_level(0.061, "error_rate"), format_level(1234.5, "custom")
    ('6.1%', '1.23e+03')
    """
    spec = metric_spec(name)
    return format_value(value, spec.unit) if spec else f"{value:.3g}"


def format_duration(seconds: float) -> str:
    """A short duration: ``45 s``, ``3 min``, ``2.5 h``, ``4 d``.

    >>> format_duration(180), format_duration(9000)
    ('3 min', '2.5 h')
    """
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def _as_float_array(values: object, field: str) -> FloatArray:
    if isinstance(values, np.ndarray):
        if values.dtype.kind not in "iuf":
            raise InputError(f"{field} must be real numbers, got {values.dtype}", field=field)
        return values.astype(np.float64)
    if not isinstance(values, Sequence) or isinstance(values, str | bytes):
        raise InputError(
            f"{field} must be a sequence of numbers, got {type(values).__name__}", field=field
        )
    for position, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, Real):
            kind = type(value).__name__
            raise InputError(
                f"{field} must be real numbers, got {kind} at position {position}", field=field
            )
    return np.asarray(values, dtype=np.float64)


def _python_times(timestamps: Sequence[Any], field: str) -> Timeline:
    aware: set[bool] = set()
    ns = np.empty(len(timestamps), dtype=np.int64)
    for position, moment in enumerate(timestamps):
        if isinstance(moment, np.datetime64) and not np.isnat(moment):
            aware.add(False)
        elif isinstance(moment, datetime):
            aware.add(moment.tzinfo is not None)
        else:
            kind = type(moment).__name__
            raise InputError(
                f"{field} must be datetimes, got {kind} at position {position}", field=field
            )
        ns[position] = datetime_to_ns(moment)
    if len(aware) > 1:
        raise InputError(f"{field} mixes timezone-aware and naive datetimes", field=field)
    return Timeline(ns, aware=bool(aware) and aware.pop())
