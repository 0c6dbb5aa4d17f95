"""``RecordDetector``: how far a point's deviation beats the largest deviations seen lately.

Five deviations are computed per point, each against a baseline with bounded memory:

0. ``x - previous x``: spikes and steps;
1. ``x - hour-of-day offset - level``: departures from the daily cycle;
2. ``fast mean - slow mean`` of the value less its hour-of-day offset: drifts, sustained shifts;
3. ``x - level - hour-of-week offset``: departures from the weekly cycle;
4. an exponentially weighted mean of channel 3: a stretch unlike the same hours of past weeks.

The hour offsets learn per point (``day_rate``, ``week_rate``), so within an hour of dense data
they follow the current values and across hours they carry what that hour looked like before.
Without timestamps every point falls in one bucket and the offsets act as a fast local level.

Each channel keeps the largest deviation seen so far, decaying slowly (``decay`` per point), and a
second, fast-decaying maximum (``recent_decay``). A point's ratio on a channel is its deviation
over the larger of the two maxima, times a channel weight; the detector's ratio is the largest
over the channels and the score is ``ratio / (ratio + alarm_ratio)``: 0.5 when the ratio reaches
``alarm_ratio``. So a point scores high only when it beats the biggest deviations the series has
shown recently, which calibrates itself per series (a heavy-tailed series must beat its own
extremes) and gives one alarm per event: once an anomaly has raised a maximum, the points that
follow must beat it. After a level shift the baselines adapt and the maxima absorb the new
deviations, so the alarms stop. One point raises the slow maximum at most ``clip``-fold, so a
single huge outlier does not mask the next anomaly for long; the fast maximum still holds back its
echoes. A point that alarms (score 0.5 or more) also starts a refractory period: for the next
``refractory`` points ratios are multiplied by ``damping`` (like the "rest period" of the CAD OSE
detector on NAB), so one event yields one alarm rather than a burst.

The record-breaking idea follows the "extreme value" view of streaming anomalies (e.g. Siffer et
al., "Anomaly detection in streams with extreme value theory", KDD 2017) in a much simpler form;
the per-channel time scales echo the multi-scale features of the NAB detectors. The default
parameters were tuned on the NAB corpus (one set for every file; see ``benchmarks/nab.py``).
"""

from __future__ import annotations

import math
from datetime import datetime

from flowdoctor.analyze.detectors.base import check_value
from flowdoctor.analyze.detectors.seasonal import HOURS_PER_DAY, HOURS_PER_WEEK, season_keys
from flowdoctor.errors import InputError

_CHANNELS = 5
_TINY = 1e-12
_TINY_FLOOR = 1e-9
_COUNT_CAP = 1_000_000  # counters only steer the warm-up; capping them keeps the state bounded


class RecordDetector:
    """Multi-channel record-ratio detector; see the module docstring.

    >>> detector = RecordDetector()
    >>> for i in range(300):
    ...     detector.learn_one(10.0 + (i % 7) * 0.1)
    >>> detector.score_one(10.3) < 0.5 < detector.score_one(25.0)
    True
    """

    def __init__(
        self,
        *,
        level_rate: float = 0.02,
        fast_rate: float = 0.02,
        slow_rate: float = 0.002,
        day_rate: float = 0.3,
        week_rate: float = 0.3,
        week_smoothing: float = 0.1,
        decay: float = 0.999925,
        recent_decay: float = 0.9988,
        clip: float = 2.0,
        weights: tuple[float, ...] = (0.72, 0.94, 1.08, 1.0, 1.0),
        floor: float = 1e-3,
        warmup: int = 50,
        alarm_ratio: float = 1.1,
        refractory: int = 120,
        damping: float = 0.65,
    ) -> None:
        if len(weights) != _CHANNELS or min(weights) <= 0.0:
            raise InputError(f"weights needs {_CHANNELS} positive entries", field="weights")
        rates = {"level_rate": level_rate, "fast_rate": fast_rate, "slow_rate": slow_rate}
        rates |= {"day_rate": day_rate, "week_rate": week_rate, "week_smoothing": week_smoothing}
        rates |= {"decay": decay, "recent_decay": recent_decay, "damping": damping}
        for name, rate in rates.items():
            if not 0.0 < rate <= 1.0:
                raise InputError(f"{name} must be in (0, 1], got {rate!r}", field=name)
        # _update_maxima relies on clip >= 1: a point can always raise a maximum to itself.
        if clip < 1.0 or alarm_ratio <= 0.0 or refractory < 0 or warmup < 0 or floor < 0.0:
            raise InputError(
                "need clip >= 1, alarm_ratio > 0, and refractory, warmup, floor >= 0",
                field="parameters",
            )
        self.level_rate = level_rate
        self.fast_rate = fast_rate
        self.slow_rate = slow_rate
        self.day_rate = day_rate
        self.week_rate = week_rate
        self.week_smoothing = week_smoothing
        self.decay = decay
        self.recent_decay = recent_decay
        self.clip = clip
        self.weights = weights
        self.floor = floor
        self.warmup = warmup
        self.alarm_ratio = alarm_ratio
        self.refractory = refractory
        self.damping = damping
        self.n = 0
        self.quiet = 0  # points left in the refractory period
        self.last = self.level = self.fast = self.slow = self.week_mean = 0.0
        self.lo = math.inf
        self.hi = -math.inf
        self.noise_floor = _TINY_FLOOR
        self.day = [0.0] * HOURS_PER_DAY
        self.day_seen = [0] * HOURS_PER_DAY
        self.week = [0.0] * HOURS_PER_WEEK
        self.week_seen = [0] * HOURS_PER_WEEK
        # The slow maxima start tiny and may at most grow ``clip``-fold per point, so they climb
        # to the series' ordinary deviations rather than jump to its first outliers.
        self.peak = [_TINY] * _CHANNELS  # slow-decaying maxima of the deviations
        self.recent = [_TINY] * _CHANNELS  # fast-decaying maxima
        # Per-channel divisors max(peak, recent) / weight, refreshed by learn_one, so that
        # score_one is a handful of float operations.
        self.scale = [math.inf] * _CHANNELS

    def _deviations(self, x: float, hour: int, week_hour: int) -> tuple[float, ...]:
        """The five signed deviations of ``x`` (see the module docstring), before learning it."""
        y = x - self.day[hour]
        rate = max(self.fast_rate, 1.0 / (self.n + 1))
        if self.week_seen[week_hour]:
            weekly = x - self.level - self.week[week_hour]
            smoothed = self.week_mean + self.week_smoothing * (weekly - self.week_mean)
        else:  # no baseline for this hour of the week yet
            weekly = smoothed = 0.0
        return (
            x - self.last,
            y - self.level,
            self.fast + rate * (y - self.fast) - self.slow,
            weekly,
            smoothed,
        )

    def score_one(self, x: float, t: datetime | None = None) -> float:
        """Score in [0, 1]; 0.5 or more: a deviation ``alarm_ratio`` times the recent maxima."""
        x = check_value(x)
        if self.n < self.warmup:
            return 0.0  # the maxima are not meaningful yet
        hour, week_hour = season_keys(t)
        ratio = self._ratio(self._deviations(x, hour, week_hour))
        if self.quiet:
            ratio *= self.damping
        return ratio / (ratio + self.alarm_ratio)

    def _ratio(self, deviations: tuple[float, ...]) -> float:
        floor = self.noise_floor
        ratio = 0.0
        for deviation, scale in zip(deviations, self.scale, strict=True):
            value = (abs(deviation) + floor) / scale
            if value > ratio:
                ratio = value
        return ratio

    def learn_one(self, x: float, t: datetime | None = None) -> None:
        """Update the maxima with ``x``'s deviations, then the baselines."""
        x = check_value(x)
        hour, week_hour = season_keys(t)
        if self.n == 0:
            self.last = self.level = self.fast = self.slow = x
        deviations = self._deviations(x, hour, week_hour)
        if self.n >= self.warmup:  # early deviations reflect the baselines settling, not the data
            # A point that alarmed (score >= 0.5) starts a refractory period: NAB-like costs
            # punish every extra alarm, and the echoes of one event (its rise, its fall, the
            # baselines catching up) are not new events.
            ratio = self._ratio(deviations)
            if self.quiet:
                ratio *= self.damping
            if ratio >= self.alarm_ratio:
                self.quiet = self.refractory
            elif self.quiet:
                self.quiet -= 1
            self._update_maxima(deviations)
        self._update_baselines(x, hour, week_hour, deviations[3])
        if x < self.lo:
            self.lo = x
        if x > self.hi:
            self.hi = x
        # Added to every deviation: a floor relative to the range seen, so that a flat series
        # (all deviations zero) neither divides by zero nor makes the tiniest wiggle a record.
        self.noise_floor = self.floor * (self.hi - self.lo) + _TINY_FLOOR
        self.n = min(self.n + 1, _COUNT_CAP)

    def _update_maxima(self, deviations: tuple[float, ...]) -> None:
        # Plain comparisons rather than min()/max(): this runs for every point and channel.
        floor, decay, recent_decay, clip = (
            self.noise_floor,
            self.decay,
            self.recent_decay,
            self.clip,
        )
        peak, recent, scale, weights = self.peak, self.recent, self.scale, self.weights
        for i in range(_CHANNELS):
            size = abs(deviations[i]) + floor
            slow = peak[i] * decay
            if size > slow:  # then min(size, clip * peak) >= slow, as clip >= 1 >= decay
                cap = clip * peak[i]
                slow = size if size < cap else cap
            peak[i] = slow
            fast = recent[i] * recent_decay
            if size > fast:
                fast = size
            recent[i] = fast
            scale[i] = (slow if slow > fast else fast) / weights[i]

    def _update_baselines(self, x: float, hour: int, week_hour: int, weekly: float) -> None:
        # Early on, plain running means (rate 1/n) instead of the slow rates, so the first
        # values do not linger in the baselines.
        warm = 1.0 / (self.n + 1)
        if self.week_seen[week_hour]:
            self.week_mean += self.week_smoothing * (weekly - self.week_mean)
        seen = self.week_seen[week_hour] = min(self.week_seen[week_hour] + 1, _COUNT_CAP)
        self.week[week_hour] += max(self.week_rate, 1.0 / seen) * (
            x - self.level - self.week[week_hour]
        )
        seen = self.day_seen[hour] = min(self.day_seen[hour] + 1, _COUNT_CAP)
        self.day[hour] += max(self.day_rate, 1.0 / seen) * (x - self.level - self.day[hour])
        y = x - self.day[hour]
        self.level += max(self.level_rate, warm) * (y - self.level)
        self.fast += max(self.fast_rate, warm) * (y - self.fast)
        self.slow += max(self.slow_rate, warm) * (y - self.slow)
        self.last = x
