"""RecordDetector specifics: the refractory period and its parameters."""

from __future__ import annotations

import numpy as np
import pytest

from flowdoctor.analyze.detectors import RecordDetector, Threshold
from flowdoctor.errors import InputError
from support.series import run_stream


def _noise_with_spikes(at: list[int]) -> list[float]:
    values = [float(v) for v in 10.0 + np.random.default_rng(4).normal(size=3000)]
    for k in at:
        values[k] += 12.0
    return values


def test_an_echo_inside_the_refractory_period_is_damped() -> None:
    values = _noise_with_spikes([2000, 2030])
    damped = run_stream(RecordDetector(), values)
    undamped = run_stream(RecordDetector(damping=1.0), values)
    assert Threshold().is_anomalous(damped[2000])
    assert damped[2030] < undamped[2030]
    assert not Threshold().is_anomalous(damped[2030])


def test_after_the_refractory_period_a_new_record_alarms_again() -> None:
    values = _noise_with_spikes([2000, 2600])
    values[2600] += 6.0  # bigger than the first: a new record
    scores = run_stream(RecordDetector(), values)
    assert Threshold().is_anomalous(scores[2000])
    assert Threshold().is_anomalous(scores[2600])


@pytest.mark.parametrize(
    "bad",
    [
        {"weights": (1.0, 1.0)},
        {"weights": (1.0, 1.0, 0.0, 1.0, 1.0)},
        {"decay": 1.5},
        {"damping": 0.0},
        {"clip": 0.5},
        {"refractory": -1},
    ],
)
def test_bad_parameters_raise_input_error(bad: dict[str, object]) -> None:
    with pytest.raises(InputError):
        RecordDetector(**bad)  # type: ignore[arg-type]
