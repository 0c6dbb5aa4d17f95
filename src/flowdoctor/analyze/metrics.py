"""Metric snapshot analysis: thresholds and baselines turned into findings of the analysis stage.

Two checks run on every metric, each a plain function returning at most one finding:

- ``threshold_finding``: the value against the default limits of ``analyze.thresholds``;
- ``baseline_finding``: the value against the same metric in a baseline snapshot.

Streaming detectors (anomaly scores, trends, change points) are a later addition; they will emit
findings of their own kinds next to these, and ``analyze_metrics`` stays the place that gathers
them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from flowdoctor.analyze.thresholds import (
    MetricSpec,
    Reading,
    check_metrics,
    format_value,
    resolve,
)
from flowdoctor.domain import DiagnosticFinding, Stage

UNKNOWN_CHANGE = 0.5
"""Relative change of a metric flowdoctor does not know that is worth an info finding."""
UNKNOWN_MAX_CONFIDENCE = 0.3
"""An unknown metric's direction cannot be judged, so its findings stay low-confidence."""


def analyze_metrics(
    metrics: Mapping[str, float], *, baseline: Mapping[str, float] | None = None
) -> list[DiagnosticFinding]:
    """Findings about a metrics snapshot, most confident first.

    Raises ``InputError`` (``field`` = the metric's name, ``baseline.<name>`` for the baseline) for
    a value that is not a finite real number or is out of range for its unit.

    >>> [f.subject for f in analyze_metrics({"avg_response_time": 8.5, "error_rate": 0.01})]
    ['avg_response_time']
    """
    readings = [resolve(name, value) for name, value in check_metrics(metrics).items()]
    base = _baseline_readings(baseline)
    findings: list[DiagnosticFinding] = []
    for reading in readings:
        found = (threshold_finding(reading), baseline_finding(reading, base.get(reading.name)))
        findings.extend(finding for finding in found if finding is not None)
    findings.sort(key=lambda finding: (-finding.confidence, finding.subject or "", finding.kind))
    return findings


def threshold_finding(reading: Reading) -> DiagnosticFinding | None:
    """A ``metric_threshold`` finding when a known metric is past its warning level."""
    spec = reading.spec
    if spec is None or spec.warn is None:
        return None
    confidence = threshold_confidence(reading.value, spec)
    if confidence <= 0:
        return None
    severe = spec.severe is not None and _past(reading.value, spec.severe, spec)
    limit = spec.severe if severe and spec.severe is not None else spec.warn
    side = "above" if spec.higher_is_worse else "below"
    level = "limit" if severe else "warning level"
    text = (
        f"{reading.label} is {format_value(reading.value, spec.unit)}, {side} the "
        f"{format_value(limit, spec.unit)} {level}: {spec.problem}{_category_suffix(spec)}"
    )
    evidence = [
        f"{spec.name} = {format_value(reading.value, spec.unit)}",
        _threshold_text(spec),
        f"level: {'severe' if severe else 'warning'}",
    ]
    return _finding("metric_threshold", reading, text, confidence, evidence)


def baseline_finding(reading: Reading, base: Reading | None) -> DiagnosticFinding | None:
    """A ``metric_baseline`` finding when the value moved markedly away from its baseline."""
    if base is None:
        return None
    if reading.spec is None:
        return _unknown_baseline_finding(reading, base.value)
    spec = reading.spec
    excess = baseline_excess(reading.value, base.value, spec)
    if excess < 1.0:
        return None
    confidence = min(1.0, 0.45 + 0.3 * (excess - 1.0))
    now, before = format_value(reading.value, spec.unit), format_value(base.value, spec.unit)
    text = (
        f"{reading.label} is {now}, {_change_text(reading.value, base.value, spec)} its baseline "
        f"of {before}: {spec.problem}{_category_suffix(spec)}"
    )
    evidence = [f"{spec.name} = {now}", f"baseline {spec.name} = {before}", "level: warning"]
    return _finding("metric_baseline", reading, text, confidence, evidence)


def threshold_confidence(value: float, spec: MetricSpec) -> float:
    """0 within the warning level, 0.4..0.75 between warning and severe, up to 1 beyond.

    Beyond the severe level, one more warning-to-severe span reaches full confidence.
    """
    if spec.warn is None:
        return 0.0
    sign = 1.0 if spec.higher_is_worse else -1.0
    x, warn = sign * value, sign * spec.warn
    severe = sign * spec.severe if spec.severe is not None else warn
    if x <= warn:
        return 0.0
    if x <= severe:
        return 0.4 + 0.35 * (x - warn) / (severe - warn)
    span = severe - warn if severe > warn else abs(warn) or 1.0
    return min(1.0, 0.75 + 0.25 * (x - severe) / span)


def baseline_excess(value: float, base: float, spec: MetricSpec) -> float:
    """How many ``baseline_factor``s worse than the baseline ``value`` is (>= 1: a deviation).

    0 when the metric is never compared, the change is smaller than ``min_delta`` or goes the
    good way. A baseline of zero is floored at ``min_delta`` so 0 -> 1% is not an infinite change.
    """
    if spec.baseline_factor is None:
        return 0.0
    if spec.complement:
        value, base = 1.0 - value, 1.0 - base
    worse_up = spec.higher_is_worse or spec.complement
    worse, better = (value, base) if worse_up else (base, value)
    if worse - better <= spec.min_delta:
        return 0.0
    floor = max(better, spec.min_delta)
    ratio = worse / floor if floor > 0 else math.inf
    return ratio / spec.baseline_factor


def _baseline_readings(baseline: Mapping[str, float] | None) -> dict[str, Reading]:
    if baseline is None:
        return {}
    checked = check_metrics(baseline, field_prefix="baseline.")
    readings = (resolve(name, value, field_prefix="baseline.") for name, value in checked.items())
    return {reading.name: reading for reading in readings}


def _unknown_baseline_finding(reading: Reading, base: float) -> DiagnosticFinding | None:
    change = abs(reading.value - base) / abs(base) if base else math.inf
    if change < UNKNOWN_CHANGE or reading.value == base:
        return None
    confidence = min(UNKNOWN_MAX_CONFIDENCE, 0.1 + 0.1 * min(change, 2.0))
    moved = f"{'up' if reading.value > base else 'down'}"
    amount = f" {change:.0%}" if math.isfinite(change) else ""
    text = (
        f"{reading.given} is {reading.value:g}, {moved}{amount} from its baseline of {base:g} "
        "(a metric flowdoctor has no thresholds for: direction not judged)"
    )
    evidence = [f"{reading.given} = {reading.value:g}", f"baseline = {base:g}", "level: info"]
    return _finding("metric_baseline", reading, text, confidence, evidence)


def _change_text(value: float, base: float, spec: MetricSpec) -> str:
    if spec.higher_is_worse and base > 0:
        return f"{value / base:.1f}x"
    if spec.higher_is_worse:
        return "up from"
    drop = (base - value) / base if base else 0.0
    return f"down {drop:.0%} from"


def _past(value: float, limit: float, spec: MetricSpec) -> bool:
    return value > limit if spec.higher_is_worse else value < limit


def _threshold_text(spec: MetricSpec) -> str:
    side = ">" if spec.higher_is_worse else "<"
    assert spec.warn is not None
    text = f"threshold: warning {side} {format_value(spec.warn, spec.unit)}"
    if spec.severe is not None:
        text += f", severe {side} {format_value(spec.severe, spec.unit)}"
    return text


def _category_suffix(spec: MetricSpec) -> str:
    return f" ({spec.category.value})" if spec.category else ""


def _finding(
    kind: str, reading: Reading, text: str, confidence: float, evidence: list[str]
) -> DiagnosticFinding:
    if reading.note:
        evidence.append(reading.note)
    return DiagnosticFinding(
        kind=kind,
        description=text,
        confidence=round(confidence, 4),
        stage=Stage.ANALYSIS,
        subject=reading.name,
        category=reading.spec.category if reading.spec else None,
        evidence=tuple(evidence),
    )
