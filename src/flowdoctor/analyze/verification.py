"""Verification: did the fix work? Runs before and after it, or two metric snapshots, compared.

Each function returns a ``VerificationResult`` whose ``reason`` carries the numbers the verdict was
drawn from, so a user can disagree with the verdict on the facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flowdoctor.analyze.runs import RunStats
from flowdoctor.analyze.thresholds import Reading, check_metrics, format_value, resolve
from flowdoctor.domain import VerificationResult
from flowdoctor.errors import InputError

LATENCY_FLOOR_MS = 100.0
"""A latency change smaller than this is never 'markedly worse', whatever the ratio."""

_HIGHER_IS_BETTER_WORDS = ("success", "throughput", "availability", "uptime", "processed")
_LOWER_IS_BETTER_WORDS = (
    "error", "fail", "latency", "duration", "time", "timeout", "retry", "backlog", "queue", "lag",
)  # fmt: skip


def verify_fix(
    before: RunStats,
    after: RunStats,
    *,
    fix_applied_at: datetime | None = None,
    min_runs_after: int = 3,
    max_error_rate_ratio: float = 0.5,
    max_latency_ratio: float = 1.5,
) -> VerificationResult:
    """Compare runs before and after a fix.

    Verified when at least ``min_runs_after`` runs finished after the fix, the error rate after is
    at most ``max_error_rate_ratio`` times the error rate before (so with no failures before, none
    after), and the p95 (else average) duration did not grow past ``max_latency_ratio`` times its
    value before. With no runs before the fix, zero failures after is the test.

    >>> verify_fix(RunStats(runs=10, failures=4, error_rate=0.4),
    ...            RunStats(runs=12, failures=0, error_rate=0.0)).reason
    'error rate 40.0% -> 0.0% over 12 runs after the fix'
    """
    _check_parameters(min_runs_after, max_error_rate_ratio, max_latency_ratio)

    def result(verified: bool, reason: str) -> VerificationResult:
        return VerificationResult(
            verified, reason, _snapshot(before), _snapshot(after), fix_applied_at
        )

    if after.runs < min_runs_after:
        return result(
            False,
            f"not enough data: {after.runs} run(s) after the fix, at least {min_runs_after} "
            "needed to judge it",
        )
    if before.runs == 0:
        return result(
            after.failures == 0,
            f"no runs before the fix to compare with; {after.failures} of {after.runs} runs "
            "failed after it",
        )
    errors = (
        f"error rate {_pct(before.error_rate)} -> {_pct(after.error_rate)} over {after.runs} "
        "runs after the fix"
    )
    allowed = max_error_rate_ratio * before.error_rate
    if after.error_rate > allowed:
        return result(
            False, f"{errors}: more than the {_pct(allowed)} allowed ({max_error_rate_ratio:g}x)"
        )
    latency = _latency_change(before, after)
    if latency is not None and latency.worse(max_latency_ratio):
        return result(False, f"{errors}, but {latency.text} ({max_latency_ratio:g}x allowed)")
    return result(True, errors if latency is None else f"{errors}; {latency.text}")


def verify_metrics(
    before: Mapping[str, float], after: Mapping[str, float], *, tolerance: float = 0.1
) -> VerificationResult:
    """Compare two metric snapshots taken before and after a fix.

    Lower is better for error, latency, timeout, retry and backlog metrics; higher is better for
    success rate and throughput (unknown names are judged by such words in them, or skipped).
    A change counts when it exceeds ``tolerance`` of the value before (and the metric's smallest
    meaningful change). Verified when something improved, nothing got worse and no metric is still
    past its warning level.
    """
    if not 0 <= tolerance < 1:
        raise InputError("tolerance must be in [0, 1)", field="tolerance")
    checked_before = check_metrics(before, field_prefix="before.")
    checked_after = check_metrics(after, field_prefix="after.")
    old = _readings(checked_before, "before.")
    changes = [
        change
        for name, reading in _readings(checked_after, "after.").items()
        if name in old and (change := _compare(old[name], reading, tolerance)) is not None
    ]
    verified, reason = _verdict(changes)
    return VerificationResult(verified, reason, checked_before, checked_after)


@dataclass(frozen=True, slots=True)
class _LatencyChange:
    name: str
    before_ms: float
    after_ms: float

    @property
    def text(self) -> str:
        b, a = format_value(self.before_ms / 1000, None), format_value(self.after_ms / 1000, None)
        return f"{self.name} duration {b} s -> {a} s"

    def worse(self, max_ratio: float) -> bool:
        grew = self.after_ms - self.before_ms > LATENCY_FLOOR_MS
        return grew and self.after_ms > self.before_ms * max_ratio


@dataclass(frozen=True, slots=True)
class _Change:
    reading: Reading
    before: float
    status: str  # "better", "worse", "unchanged"
    past_warning: bool

    @property
    def text(self) -> str:
        unit = self.reading.spec.unit if self.reading.spec else None
        b, a = format_value(self.before, unit), format_value(self.reading.value, unit)
        return f"{self.reading.name} {b} -> {a}"


def _latency_change(before: RunStats, after: RunStats) -> _LatencyChange | None:
    if before.p95_duration_ms is not None and after.p95_duration_ms is not None:
        return _LatencyChange("p95", before.p95_duration_ms, after.p95_duration_ms)
    if before.avg_duration_ms is not None and after.avg_duration_ms is not None:
        return _LatencyChange("average", before.avg_duration_ms, after.avg_duration_ms)
    return None


def _compare(old: Reading, new: Reading, tolerance: float) -> _Change | None:
    higher_is_worse = _higher_is_worse(new)
    if higher_is_worse is None:
        return None
    spec = new.spec
    margin = max(tolerance * abs(old.value), spec.min_delta if spec else 0.0, 1e-12)
    bad_delta = new.value - old.value if higher_is_worse else old.value - new.value
    status = "worse" if bad_delta > margin else "better" if -bad_delta > margin else "unchanged"
    past = False
    if spec is not None and spec.warn is not None:
        past = new.value > spec.warn if spec.higher_is_worse else new.value < spec.warn
    return _Change(new, old.value, status, past)


def _higher_is_worse(reading: Reading) -> bool | None:
    spec = reading.spec
    if spec is not None:
        judged = spec.warn is not None or spec.baseline_factor is not None
        return spec.higher_is_worse if judged else None
    name = reading.name.lower()
    if any(word in name for word in _HIGHER_IS_BETTER_WORDS):
        return False
    if any(word in name for word in _LOWER_IS_BETTER_WORDS):
        return True
    return None


def _verdict(changes: list[_Change]) -> tuple[bool, str]:
    if not changes:
        return False, "no metric appears in both snapshots with a direction flowdoctor can judge"
    worse = [c.text for c in changes if c.status == "worse"]
    better = [c.text for c in changes if c.status == "better"]
    still = [c.text for c in changes if c.past_warning]
    if worse:
        return False, "worse after the fix: " + "; ".join(worse)
    if still:
        return False, "still past the warning level after the fix: " + "; ".join(still)
    if not better:
        unchanged = "; ".join(c.text for c in changes)
        return False, f"no metric improved after the fix: {unchanged}"
    return True, "improved after the fix: " + "; ".join(better)


def _readings(metrics: Mapping[str, float], prefix: str) -> dict[str, Reading]:
    readings = (resolve(name, value, field_prefix=prefix) for name, value in metrics.items())
    return {reading.name: reading for reading in readings}


def _snapshot(stats: RunStats) -> dict[str, float]:
    snapshot = {
        "runs": float(stats.runs),
        "failures": float(stats.failures),
        "error_rate": stats.error_rate,
        "retry_rate": stats.retry_rate,
    }
    if stats.avg_duration_ms is not None:
        snapshot["avg_duration_ms"] = stats.avg_duration_ms
    if stats.p95_duration_ms is not None:
        snapshot["p95_duration_ms"] = stats.p95_duration_ms
    return snapshot


def _check_parameters(min_runs_after: int, error_ratio: float, latency_ratio: float) -> None:
    if min_runs_after < 1:
        raise InputError("min_runs_after must be at least 1", field="min_runs_after")
    if not 0 <= error_ratio <= 1:
        raise InputError("max_error_rate_ratio must be in [0, 1]", field="max_error_rate_ratio")
    if latency_ratio < 1:
        raise InputError("max_latency_ratio must be at least 1", field="max_latency_ratio")


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"
