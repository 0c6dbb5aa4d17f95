"""Turning scores into decisions: kept apart from the detectors so the threshold is the caller's.

>>> Threshold(level=0.7).is_anomalous(0.9)
True
>>> Threshold().decide(0.2).anomalous
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flowdoctor.errors import InputError


@dataclass(frozen=True, slots=True)
class AnomalyDecision:
    """One score and what the threshold made of it."""

    score: float
    level: float
    anomalous: bool


@dataclass(frozen=True, slots=True)
class Threshold:
    """A point is anomalous when its score is at least ``level`` (a number in [0, 1])."""

    level: float = 0.5

    def __post_init__(self) -> None:
        if not (math.isfinite(self.level) and 0.0 <= self.level <= 1.0):
            raise InputError(
                f"threshold level must be in [0, 1], got {self.level!r}", field="level"
            )

    def is_anomalous(self, score: float) -> bool:
        """Whether ``score`` reaches the level."""
        return score >= self.level

    def decide(self, score: float) -> AnomalyDecision:
        """The decision for ``score``, with the score and level kept for the record."""
        return AnomalyDecision(score=score, level=self.level, anomalous=score >= self.level)
