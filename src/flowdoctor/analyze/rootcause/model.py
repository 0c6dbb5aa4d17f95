"""The inputs and the output of the root-cause ranking: plain frozen dataclasses, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class MetricSeries:
    """One metric of one node on the shared time index; NaN marks a missing sample.

    Attributes:
        values: the samples to explain (the incident window, or longer).
        reference: samples of the same metric in a period known to be normal; when None, the
            start of ``values`` serves (see ``RankingParams.reference_fraction``).
        direction: +1 when only rises are bad (latency, errors), -1 when only drops are
            (availability, throughput), 0 when both are.
        min_scale: the smallest change that matters, in the metric's unit (e.g. 1 percentage
            point of availability); keeps a metric that never moved from alarming on noise.
    """

    values: FloatArray
    reference: FloatArray | None = None
    direction: int = 0
    min_scale: float = 0.0


@dataclass(frozen=True)
class Symptom:
    """What is being explained: ``metric`` of ``node`` (e.g. the SLO-violating latency)."""

    node: str
    metric: str


@dataclass(frozen=True)
class ChangeMarker:
    """A candidate cause with a point in time: a deploy, a config change, a credential rotation.

    ``index`` is a position on the shared time index; ``node`` ties the change to a node of the
    graph (its anomaly then counts for the change), None for a change with no known target.
    """

    name: str
    index: int
    node: str | None = None


class HypothesisKind(Enum):
    """What a hypothesis names."""

    NODE = "node"
    CHANGE = "change"


@dataclass(frozen=True)
class Hypothesis:
    """One ranked root-cause candidate; ``evidence`` holds human-readable reasons."""

    name: str
    kind: HypothesisKind
    score: float
    confidence: float
    evidence: tuple[str, ...] = field(default_factory=tuple)
