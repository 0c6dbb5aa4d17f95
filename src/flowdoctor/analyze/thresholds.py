"""The metrics flowdoctor knows, as data: unit, direction, default thresholds, aliases.

Detectors live elsewhere (``analyze.metrics``); this module only says what a value means. To teach
flowdoctor a metric, add a ``MetricSpec`` to ``METRIC_SPECS`` (and any other spelling to
``ALIASES``): no code changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real

from flowdoctor.domain import IssueCategory
from flowdoctor.errors import InputError

MAX_NAME_LENGTH = 200


class Unit(StrEnum):
    """How a metric's value is expressed once normalised."""

    FRACTION = "fraction"
    """0..1; a value above 1 given under the canonical name is read as a percentage."""
    SECONDS = "seconds"
    COUNT = "count"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """What one metric means and when it is a problem.

    ``warn``/``severe`` are crossed upwards when ``higher_is_worse``, downwards otherwise.
    ``baseline_factor`` is how many times worse than the baseline counts as a deviation (``None``:
    never compared, e.g. utilisation or window-dependent counts); ``min_delta`` is the smallest
    absolute change worth reporting. ``complement`` compares ``1 - value`` (a success rate is
    judged by its failure share).
    """

    name: str
    unit: Unit
    problem: str
    category: IssueCategory | None = None
    higher_is_worse: bool = True
    warn: float | None = None
    severe: float | None = None
    baseline_factor: float | None = 2.0
    min_delta: float = 0.0
    complement: bool = False
    max_value: float | None = None


def _latency(name: str) -> MetricSpec:
    return MetricSpec(
        name, Unit.SECONDS, "requests are slow", IssueCategory.PERFORMANCE, warn=2.0, severe=5.0,
        min_delta=0.2,
    )  # fmt: skip


def _utilisation(name: str, problem: str, warn: float) -> MetricSpec:
    return MetricSpec(
        name, Unit.FRACTION, problem, IssueCategory.RESOURCE, warn=warn, severe=0.95,
        baseline_factor=None,
    )  # fmt: skip


_SPECS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "error_rate", Unit.FRACTION, "runs are failing", warn=0.05, severe=0.2, min_delta=0.02,
        max_value=1.0,
    ),
    MetricSpec(
        "success_rate", Unit.FRACTION, "too few runs succeed", higher_is_worse=False, warn=0.95,
        severe=0.8, min_delta=0.02, complement=True, max_value=1.0,
    ),
    MetricSpec(
        "timeout_rate", Unit.FRACTION, "operations are timing out", IssueCategory.TIMEOUT,
        warn=0.01, severe=0.05, min_delta=0.01, max_value=1.0,
    ),
    MetricSpec(
        "retry_rate", Unit.FRACTION, "runs need retries to get through",
        IssueCategory.EXTERNAL_SERVICE, warn=0.1, severe=0.3, min_delta=0.05, max_value=1.0,
    ),
    MetricSpec(
        "rate_limit_rate", Unit.FRACTION, "requests are being rate limited", IssueCategory.RESOURCE,
        warn=0.01, severe=0.1, min_delta=0.01, max_value=1.0,
    ),
    _latency("avg_response_time"),
    _latency("p95_response_time"),
    _latency("latency"),
    MetricSpec(
        "throughput", Unit.NUMBER, "the workflow gets less done than it used to",
        IssueCategory.PERFORMANCE, higher_is_worse=False, baseline_factor=1.5,
    ),
    _utilisation("cpu_utilization", "CPU is near saturation", 0.8),
    _utilisation("memory_utilization", "memory is nearly exhausted", 0.8),
    _utilisation("disk_utilization", "the disk is nearly full", 0.85),
    MetricSpec(
        "queue_depth", Unit.COUNT, "work is piling up", IssueCategory.PERFORMANCE, warn=1000,
        severe=10000, baseline_factor=3.0, min_delta=10,
    ),
    MetricSpec(
        "backlog", Unit.COUNT, "work is piling up", IssueCategory.PERFORMANCE, warn=1000,
        severe=10000, baseline_factor=3.0, min_delta=10,
    ),
    MetricSpec("run_count", Unit.COUNT, "", baseline_factor=None),
)  # fmt: skip

METRIC_SPECS: Mapping[str, MetricSpec] = {spec.name: spec for spec in _SPECS}
"""Canonical metric name -> its spec."""

_MS = 0.001
ALIASES: Mapping[str, tuple[str, float]] = {
    "failure_rate": ("error_rate", 1.0),
    "error_percent": ("error_rate", 0.01),
    "error_rate_percent": ("error_rate", 0.01),
    "success_percent": ("success_rate", 0.01),
    "timeout_percent": ("timeout_rate", 0.01),
    "throttle_rate": ("rate_limit_rate", 1.0),
    "throttled_rate": ("rate_limit_rate", 1.0),
    "response_time": ("avg_response_time", 1.0),
    "avg_latency": ("avg_response_time", 1.0),
    "response_time_ms": ("avg_response_time", _MS),
    "avg_response_time_ms": ("avg_response_time", _MS),
    "avg_latency_ms": ("avg_response_time", _MS),
    "avg_duration_ms": ("avg_response_time", _MS),
    "duration_ms": ("avg_response_time", _MS),
    "p95_latency": ("p95_response_time", 1.0),
    "p95_latency_ms": ("p95_response_time", _MS),
    "p95_response_time_ms": ("p95_response_time", _MS),
    "p95_duration_ms": ("p95_response_time", _MS),
    "latency_ms": ("latency", _MS),
    "records_per_run": ("throughput", 1.0),
    "cpu": ("cpu_utilization", 1.0),
    "cpu_usage": ("cpu_utilization", 1.0),
    "cpu_percent": ("cpu_utilization", 0.01),
    "memory_usage": ("memory_utilization", 1.0),
    "mem_utilization": ("memory_utilization", 1.0),
    "memory_percent": ("memory_utilization", 0.01),
    "disk_usage": ("disk_utilization", 1.0),
    "queue_size": ("queue_depth", 1.0),
    "queue_length": ("queue_depth", 1.0),
    "consumer_lag": ("backlog", 1.0),
}
"""Other spellings -> (canonical name, factor that converts the value into the canonical unit)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One metric value, resolved: the name it was given under, its spec and normalised value."""

    given: str
    value: float
    spec: MetricSpec | None
    note: str | None = None

    @property
    def name(self) -> str:
        """The canonical name (the given one for metrics flowdoctor does not know)."""
        return self.spec.name if self.spec else self.given

    @property
    def label(self) -> str:
        """How to name it to the user: ``response_time_ms (avg_response_time)`` for an alias."""
        return self.given if self.given == self.name else f"{self.given} ({self.name})"


def check_metrics(metrics: object, *, field_prefix: str = "") -> dict[str, float]:
    """Validate a name -> value mapping; ``InputError`` names the offending metric as its field.

    Names are non-empty strings of at most 200 characters; values are finite real numbers
    (``bool`` is not a number).
    """
    if not isinstance(metrics, Mapping):
        raise InputError("metrics must be a mapping of name to number", field=field_prefix or None)
    checked: dict[str, float] = {}
    for name, value in metrics.items():
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
            raise InputError(
                f"metric names must be non-empty strings of at most {MAX_NAME_LENGTH} characters",
                field=field_prefix.rstrip(".") or "metrics",
            )
        field = f"{field_prefix}{name}"
        if isinstance(value, bool) or not isinstance(value, Real):
            raise InputError(f"{name} must be a number, not {type(value).__name__}", field=field)
        number = float(value)
        if not math.isfinite(number):
            raise InputError(f"{name} must be a finite number, got {number}", field=field)
        checked[name] = number
    return checked


def resolve(name: str, value: float, *, field_prefix: str = "") -> Reading:
    """Map a checked metric onto its spec and canonical unit; ``InputError`` when out of range."""
    canonical, scale = ALIASES.get(_key(name), (_key(name), 1.0))
    spec = METRIC_SPECS.get(canonical)
    if spec is None:
        return Reading(name, value, None)
    field = f"{field_prefix}{name}"
    if value < 0:
        raise InputError(f"{name} cannot be negative, got {value:g}", field=field)
    note = None
    normalised = value * scale
    if spec.unit is Unit.FRACTION and scale == 1.0 and normalised > 1.0:
        normalised /= 100.0
        note = f"{name} = {value:g} read as a percentage"
    elif scale != 1.0:
        note = f"{name} = {value:g} read as {spec.name} = {format_value(normalised, spec.unit)}"
    if spec.max_value is not None and normalised > spec.max_value:
        limit = format_value(spec.max_value, spec.unit)
        raise InputError(f"{name} cannot exceed {limit}, got {value:g}", field=field)
    return Reading(name, normalised, spec, note)


def format_value(value: float, unit: Unit | None) -> str:
    """A value for a sentence: ``8.5 s``, ``250 ms``, ``15.0%``, ``1,200``."""
    if unit is Unit.FRACTION:
        return f"{value * 100:.1f}%"
    if unit is Unit.SECONDS:
        return f"{round(value, 2):g} s" if value >= 1 else f"{round(value * 1000, 1):g} ms"
    if unit is Unit.COUNT:
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return f"{round(value, 2):g}"


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")
