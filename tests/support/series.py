"""Constructed series for the analysis tests."""

from __future__ import annotations

import numpy as np


def minute_grid(start: np.datetime64, n: int, minutes: int = 1) -> np.ndarray:
    """``n`` timestamps ``minutes`` apart from ``start``."""
    return start + np.arange(n) * np.timedelta64(minutes, "m")


def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """An AR(1) series x[i] = phi x[i-1] + noise, started from its stationary distribution."""
    noise = rng.normal(size=n)
    x = np.empty(n)
    x[0] = noise[0] / np.sqrt(1 - phi**2)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + noise[i]
    return x


def run_stream(
    detector: object, values: list[float], times: list[object] | None = None
) -> list[float]:
    """The streaming protocol over ``values``: score each point, then learn it; the scores."""
    scores = []
    for k, value in enumerate(values):
        moment = times[k] if times is not None else None
        scores.append(detector.score_one(value, moment))  # type: ignore[attr-defined]
        detector.learn_one(value, moment)  # type: ignore[attr-defined]
    return scores
