"""What one classification rule is, and the helpers the rule tables are written with.

A rule is a case-insensitive regular expression plus what a match means: a category, a severity, a
retryable flag, whether a replay is safe, the platform when the signature belongs to one, and how
sure the rule is. Rules are data; :class:`flowdoctor.detect.rules.RuleClassifier` tries them in
order and the first match wins, so a table lists its most specific rules first.

Patterns are written to stay linear on any input: no nested quantifiers, and every gap between two
words is bounded (``[^\\n]{0,40}``), never ``.*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flowdoctor.domain import IssueCategory, ReplaySafety, Severity


@dataclass(frozen=True, slots=True)
class ErrorRule:
    """One signature: a match of ``pattern`` means this category, severity and replay advice."""

    rule_id: str
    pattern: re.Pattern[str]
    category: IssueCategory
    severity: Severity
    retryable: bool
    replay_safety: ReplaySafety
    platform: str | None = None
    confidence: float = 0.8
    scope: str | None = None
    """When set, the rule applies only to messages known to come from this platform."""

    def __post_init__(self) -> None:
        if not self.rule_id:
            raise ValueError("a rule needs a rule_id")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"rule {self.rule_id}: confidence must be within 0..1")


_DEFAULTS: dict[IssueCategory, tuple[Severity, bool, ReplaySafety]] = {
    # Non-retryable failures keep failing until a human acts: high, and do not replay before then.
    IssueCategory.CONFIGURATION: (Severity.HIGH, False, ReplaySafety.UNSAFE_UNTIL_FIXED),
    IssueCategory.PERMISSIONS: (Severity.HIGH, False, ReplaySafety.UNSAFE_UNTIL_FIXED),
    IssueCategory.DATA: (Severity.HIGH, False, ReplaySafety.UNSAFE_UNTIL_FIXED),
    IssueCategory.LOGIC: (Severity.HIGH, False, ReplaySafety.UNSAFE_UNTIL_FIXED),
    # A refused or unresolved connection never reached the service: replaying cannot duplicate.
    IssueCategory.CONNECTIVITY: (Severity.MEDIUM, True, ReplaySafety.SAFE),
    # A rate-limited request was rejected before it did anything.
    IssueCategory.RESOURCE: (Severity.MEDIUM, True, ReplaySafety.SAFE),
    # A timeout or a 5xx may come after the write happened on the other side.
    IssueCategory.TIMEOUT: (Severity.MEDIUM, True, ReplaySafety.MAY_DUPLICATE_WRITES),
    IssueCategory.EXTERNAL_SERVICE: (Severity.MEDIUM, True, ReplaySafety.MAY_DUPLICATE_WRITES),
    # Slow is not failed: nothing to replay.
    IssueCategory.PERFORMANCE: (Severity.LOW, False, ReplaySafety.SAFE),
}


def category_defaults(category: IssueCategory) -> tuple[Severity, bool, ReplaySafety]:
    """The severity, retryable flag and replay advice a category has unless a rule says otherwise.

    >>> category_defaults(IssueCategory.TIMEOUT)[1:]
    (True, <ReplaySafety.MAY_DUPLICATE_WRITES: 'may_duplicate_writes'>)
    """
    return _DEFAULTS[category]


def make_rule(
    rule_id: str,
    pattern: str,
    category: IssueCategory,
    *,
    severity: Severity | None = None,
    retryable: bool | None = None,
    replay_safety: ReplaySafety | None = None,
    platform: str | None = None,
    confidence: float = 0.8,
    scope: str | None = None,
) -> ErrorRule:
    """Compile ``pattern`` (case-insensitive) into a rule, filling unset facts from the category.

    >>> make_rule("x.refused", r"connection refused", IssueCategory.CONNECTIVITY).retryable
    True
    """
    default_severity, default_retryable, default_replay = _DEFAULTS[category]
    return ErrorRule(
        rule_id=rule_id,
        pattern=re.compile(pattern, re.IGNORECASE),
        category=category,
        severity=default_severity if severity is None else severity,
        retryable=default_retryable if retryable is None else retryable,
        replay_safety=default_replay if replay_safety is None else replay_safety,
        platform=platform,
        confidence=confidence,
        scope=scope,
    )


_STATUS_PREFIX = (
    r"(?:\bhttp(?:/\d(?:\.\d)?)?|\bstatus(?:[ _]?code)?|\berror(?:[ _]?code)?"
    r"|\bresponse(?:[ _]?code)?"
    r"|\bcode|\breturned|\bwith)[\s:=#(\[\"']{0,5}"
)


def status_pattern(*codes: int, reason: str | None = None) -> str:
    """A pattern for an HTTP status written as one: ``HTTP 429``, ``status code: 429``.

    A bare number is not enough (``row 429`` is not a status); ``reason`` also accepts the code
    followed by its reason phrase (``429 Too Many Requests``).
    """
    alternatives = "|".join(str(code) for code in codes)
    pattern = rf"{_STATUS_PREFIX}(?:{alternatives})\b"
    if reason:
        pattern += rf"|\b(?:{alternatives})[ :-]{{1,3}}{reason}"
    return pattern
