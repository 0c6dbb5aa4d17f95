"""The first rule set and the classifier that applies it.

:data:`FIRST_RULES` is one ordered table; the first rule whose pattern matches decides. The order
encodes the taxonomy's tie-breaks (``shared/taxonomy.md``):

(Platform signatures such as ``channel_not_found`` are tried before this table: they live in the
knowledge base, ``detect/knowledge``.)

1. rate limits, quotas and capacity: 429/throttling is resource even inside a 503;
2. unset credentials before wrong ones: an unset key is configuration, a wrong key permissions;
3. timeouts before connectivity: 504 and "connect timed out" are timeout;
4. permissions; then records named by the data that do not exist (data) before configured things
   that do not exist (configuration); then connectivity;
5. named code defects (``KeyError``...) before data, so "list index out of range" is logic;
6. data; then other code defects (a JSON ``SyntaxError`` is data, other syntax errors logic);
7. leftover "limit exceeded"; remote 5xx; performance; vague "try again later"; bare statuses.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence

from flowdoctor.detect.platforms import detect_platform
from flowdoctor.detect.prefilter import RulePrefilter
from flowdoctor.detect.rule_model import ErrorRule, make_rule, status_pattern
from flowdoctor.detect.rules_access import (
    CONFIGURATION_RULES,
    CONNECTIVITY_RULES,
    PERMISSION_RULES,
    UNSET_CREDENTIAL_RULES,
)
from flowdoctor.detect.rules_capacity import (
    CAPACITY_RULES,
    LATE_RESOURCE_RULES,
    RATE_LIMIT_RULES,
    TIMEOUT_RULES,
)
from flowdoctor.detect.rules_content import (
    DATA_RULES,
    EXTERNAL_SERVICE_RULES,
    HTTP_FALLBACK_RULES,
    LATE_LOGIC_RULES,
    LOGIC_RULES,
    PERFORMANCE_RULES,
    RECORD_NOT_FOUND_RULES,
    VAGUE_EXTERNAL_RULES,
)
from flowdoctor.detect.text import examined_text, hint_text
from flowdoctor.domain import Classification

__all__ = ["FIRST_RULES", "ErrorRule", "RuleClassifier", "make_rule", "status_pattern"]

FIRST_RULES: tuple[ErrorRule, ...] = (
    RATE_LIMIT_RULES
    + CAPACITY_RULES
    + UNSET_CREDENTIAL_RULES
    + TIMEOUT_RULES
    + PERMISSION_RULES
    + RECORD_NOT_FOUND_RULES
    + CONFIGURATION_RULES
    + CONNECTIVITY_RULES
    + LOGIC_RULES
    + DATA_RULES
    + LATE_LOGIC_RULES
    + LATE_RESOURCE_RULES
    + EXTERNAL_SERVICE_RULES
    + PERFORMANCE_RULES
    + VAGUE_EXTERNAL_RULES
    + HTTP_FALLBACK_RULES
)
"""The first rule set, in the order it is tried."""

_SNIPPET_CHARS = 80


class RuleClassifier:
    """Classify a message by the first of ``rules`` that matches it; ``None`` when none does.

    Verdicts for the last ``cache_size`` distinct (text, hints, platform) are remembered: a log
    repeats the same line many times, and the rules are the costly part.

    >>> RuleClassifier(FIRST_RULES).classify("Error: connect ECONNREFUSED 10.0.0.5:5432").category
    <IssueCategory.CONNECTIVITY: 'connectivity'>
    """

    def __init__(
        self,
        rules: Sequence[ErrorRule],
        *,
        cache_size: int = 2048,
        detect: Callable[[str], str | None] = detect_platform,
    ) -> None:
        repeated = sorted(
            rule_id for rule_id, n in Counter(r.rule_id for r in rules).items() if n > 1
        )
        if repeated:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(repeated)}")
        self._rules = tuple(rules)
        self._detect = detect
        self._prefilter = RulePrefilter([rule.pattern for rule in self._rules])
        self._cached_verdict = functools.lru_cache(maxsize=cache_size)(self._verdict)

    @property
    def rules(self) -> tuple[ErrorRule, ...]:
        """The rules, in the order they are tried."""
        return self._rules

    def classify(
        self,
        message: str,
        *,
        platform: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
    ) -> Classification | None:
        """The first matching rule's verdict on ``message`` and its hints, or ``None``.

        Only a bounded part of the message is examined, so this is fast and never raises for any
        string. ``platform`` given by the caller wins over a rule's platform, which wins over one
        detected in the text.
        """
        body = examined_text(message)
        hints = hint_text(http_status=http_status, error_code=error_code)
        return self._cached_verdict(body, hints, platform)

    def _verdict(self, body: str, hints: str, platform: str | None) -> Classification | None:
        text = f"{body}\n{hints}" if hints else body
        candidates = self._prefilter.may_match(text)
        known: str | None = platform
        detected = platform is not None
        # Only the candidates, in rule order: the others lack a word every match contains. With
        # a thousand knowledge-base rules, walking all of them per line was the cost.
        for index in sorted(candidates):
            rule = self._rules[index]
            if rule.scope is not None:
                if not detected:  # detect once, and only when a scoped rule needs it
                    known, detected = self._detect(body), True
                if known != rule.scope:
                    continue
            match = rule.pattern.search(text)
            if match is not None:
                return _classification(
                    rule, match, body=body, platform=platform, detect=self._detect
                )
        return None


def _classification(
    rule: ErrorRule,
    match: re.Match[str],
    *,
    body: str,
    platform: str | None,
    detect: Callable[[str], str | None],
) -> Classification:
    """What ``rule`` matching says, with the evidence a user needs to check it."""
    snippet = " ".join(match.group(0).split())[:_SNIPPET_CHARS]
    evidence = [f"rule {rule.rule_id}", f"matched {snippet!r}"]
    if match.start() > len(body):
        evidence.append("matched in the http_status/error_code hints")
    found = platform or rule.platform
    if found is None:
        found = detect(body)
        if found is not None:
            evidence.append(f"platform {found} detected in the text")
    return Classification(
        category=rule.category,
        severity=rule.severity,
        retryable=rule.retryable,
        confidence=rule.confidence,
        platform=found,
        replay_safety=rule.replay_safety,
        rule_id=rule.rule_id,
        evidence=tuple(evidence),
    )
