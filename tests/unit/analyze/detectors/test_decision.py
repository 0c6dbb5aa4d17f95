"""Threshold: the decision kept apart from the score."""

from __future__ import annotations

import math

import pytest

from flowdoctor.analyze.detectors import AnomalyDecision, Threshold
from flowdoctor.errors import InputError


def test_default_level_is_one_half() -> None:
    assert Threshold().level == 0.5
    assert Threshold().is_anomalous(0.5)
    assert not Threshold().is_anomalous(0.4999)


def test_level_is_configurable() -> None:
    strict = Threshold(level=0.9)
    assert not strict.is_anomalous(0.8)
    assert strict.decide(0.95) == AnomalyDecision(score=0.95, level=0.9, anomalous=True)


@pytest.mark.parametrize("level", [-0.1, 1.5, math.nan, math.inf])
def test_level_outside_the_unit_interval_is_refused(level: float) -> None:
    with pytest.raises(InputError, match="threshold level"):
        Threshold(level=level)
