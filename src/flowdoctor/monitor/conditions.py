"""Whether a rule's condition holds for one scope right now: a pure function of what was seen."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

from flowdoctor.domain import AlertRule, Condition


def _equal(value: float, threshold: float) -> bool:
    return math.isclose(value, threshold, rel_tol=1e-9, abs_tol=1e-12)


def _not_equal(value: float, threshold: float) -> bool:
    return not _equal(value, threshold)


_COMPARE: dict[Condition, Callable[[float, float], bool]] = {
    Condition.GREATER_THAN: operator.gt,
    Condition.LESS_THAN: operator.lt,
    Condition.GREATER_OR_EQUAL: operator.ge,
    Condition.LESS_OR_EQUAL: operator.le,
    Condition.EQUAL: _equal,
    Condition.NOT_EQUAL: _not_equal,
}


@dataclass(frozen=True, slots=True)
class Observation:
    """What the evaluator saw of one metric of one scope.

    ``value`` in the current window, ``previous`` in the window before it (for rate of change),
    ``anomaly_score`` from a detector (for anomaly rules), ``seconds_since_data`` since the last
    run or sample (``None``: never seen).
    """

    value: float | None = None
    previous: float | None = None
    anomaly_score: float | None = None
    seconds_since_data: float | None = None


def condition_holds(rule: AlertRule, seen: Observation) -> tuple[bool, float | None]:
    """``(holds, the value it was judged on)``.

    >>> from flowdoctor.domain import Severity
    >>> rule = AlertRule("wf", "error_rate", Condition.GREATER_THAN, 0.1, "errors", Severity.HIGH)
    >>> condition_holds(rule, Observation(value=0.25))
    (True, 0.25)
    >>> condition_holds(rule, Observation())
    (False, None)
    """
    if rule.condition is Condition.ABSENT:
        if seen.seconds_since_data is None:
            return True, None
        minutes = seen.seconds_since_data / 60.0
        return minutes >= rule.threshold, minutes
    if rule.condition is Condition.ANOMALY:
        score = seen.anomaly_score
        return (score is not None and score >= rule.threshold), score
    if seen.value is None:
        return False, None
    if rule.condition is Condition.RATE_OF_CHANGE:
        if seen.previous is None:
            return False, None
        if seen.previous == 0:
            change = 0.0 if seen.value == 0 else math.inf
        else:
            change = (seen.value - seen.previous) / abs(seen.previous)
        return abs(change) >= rule.threshold, change
    return _COMPARE[rule.condition](seen.value, rule.threshold), seen.value
