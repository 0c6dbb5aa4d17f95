"""A seasonal robust z-score: how many deviations a point lies from its seasonal baseline.

The baseline is a level (exponentially weighted mean) plus a per-hour-of-day offset plus a
per-hour-of-week offset (what is left of the weekly cycle once the daily one is taken out: quiet
weekends, a busy Monday morning); without timestamps both offsets stay in one bucket. The spread is
an exponentially weighted mean absolute deviation of the residuals (a streaming stand-in for the
MAD). The score is the two-sided Gaussian tail probability ``p`` of the robust z, on a log scale
and squashed into [0, 1): ``score = d / (d + tail_digits)`` with ``d = -log10(p)``, so with the
default ``tail_digits=5`` a point with a tail probability of 1e-5 (about 4.4 deviations) scores
0.5, and far tails still rank (no saturation at 1).

After a level shift the level and the spread both adapt within roughly ``1 / alpha`` points, so
the detector alarms at the onset and then stops. Simple and explainable; ``RecordDetector`` is
the stronger of the two on the NAB benchmark.
"""

from __future__ import annotations

import math
from datetime import datetime

from flowdoctor.analyze.detectors.base import check_value
from flowdoctor.analyze.detectors.seasonal import HOURS_PER_DAY, HOURS_PER_WEEK, season_keys

# E|X - mu| = sigma * sqrt(2 / pi) for a Gaussian: turns a mean absolute deviation into a sigma.
_MAD_TO_SIGMA = math.sqrt(math.pi / 2.0)
_COUNT_CAP = 1_000_000  # counters only steer the warm-up; capping them keeps the state bounded


def _tail_digits(z: float) -> float:
    """``-log10`` of the two-sided Gaussian tail probability of ``z``."""
    if z < 30.0:
        return max(0.0, -math.log10(math.erfc(z / math.sqrt(2.0))))
    # erfc underflows out here: its asymptote exp(-z^2/2) / (z sqrt(pi/2)) in log10.
    return z * z / (2.0 * math.log(10.0)) + math.log10(z * math.sqrt(math.pi / 2.0))


class SeasonalZScore:
    """Robust z-score against a seasonal baseline, scored by its Gaussian tail probability.

    >>> detector = SeasonalZScore()
    >>> for value in [10.0, 11.0, 9.0, 10.5, 9.5] * 20:
    ...     detector.learn_one(value)
    >>> detector.score_one(10.2) < 0.1 < 0.9 < detector.score_one(40.0)
    True
    """

    def __init__(
        self,
        *,
        alpha: float = 0.02,
        season_alpha: float = 0.1,
        week_alpha: float = 0.03,
        scale_alpha: float = 0.02,
        tail_digits: float = 5.0,
        warmup: int = 30,
    ) -> None:
        self.alpha = alpha
        self.season_alpha = season_alpha
        self.week_alpha = week_alpha
        self.scale_alpha = scale_alpha
        self.tail_digits = tail_digits
        self.warmup = warmup
        self.n = 0
        self.level = 0.0
        self.spread = 0.0
        self.lo = math.inf
        self.hi = -math.inf
        self.day = [0.0] * HOURS_PER_DAY
        self.day_seen = [0] * HOURS_PER_DAY
        self.week = [0.0] * HOURS_PER_WEEK
        self.week_seen = [0] * HOURS_PER_WEEK

    def _residual(self, x: float, hour: int, week_hour: int) -> float:
        return x - self.level - self.day[hour] - self.week[week_hour]

    def score_one(self, x: float, t: datetime | None = None) -> float:
        """Score in [0, 1): ``d / (d + tail_digits)``, ``d`` the tail probability's ``-log10``."""
        x = check_value(x)
        if self.n < self.warmup:
            return 0.0  # too few points for a spread: no opinion yet
        hour, week_hour = season_keys(t)
        # A floor relative to the range seen keeps a perfectly flat series from dividing by zero.
        floor = 1e-6 * (self.hi - self.lo) + 1e-12
        z = abs(self._residual(x, hour, week_hour)) / (_MAD_TO_SIGMA * self.spread + floor)
        digits = _tail_digits(z)
        return digits / (digits + self.tail_digits)

    def learn_one(self, x: float, t: datetime | None = None) -> None:
        """Update the level, the two hour offsets and the spread with ``x``."""
        x = check_value(x)
        hour, week_hour = season_keys(t)
        if self.n == 0:
            self.level = x
        # Early on, plain running means (rate 1/n) instead of the slow rates, so the first
        # values do not linger in the baseline.
        rate = max(self.alpha, 1.0 / (self.n + 1))
        residual = self._residual(x, hour, week_hour)
        self.spread += max(self.scale_alpha, 1.0 / (self.n + 1)) * (abs(residual) - self.spread)
        seen = self.day_seen[hour] = min(self.day_seen[hour] + 1, _COUNT_CAP)
        self.day[hour] += max(self.season_alpha, 1.0 / seen) * residual
        # The weekly offset learns what the daily one left over.
        seen = self.week_seen[week_hour] = min(self.week_seen[week_hour] + 1, _COUNT_CAP)
        self.week[week_hour] += max(self.week_alpha, 1.0 / seen) * self._residual(
            x, hour, week_hour
        )
        self.level += rate * (x - self.day[hour] - self.week[week_hour] - self.level)
        self.lo = min(self.lo, x)
        self.hi = max(self.hi, x)
        self.n = min(self.n + 1, _COUNT_CAP)
