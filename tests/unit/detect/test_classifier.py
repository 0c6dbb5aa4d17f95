"""The classifier seam: the chain, the UNCLASSIFIED verdict and the rule model."""

from __future__ import annotations

import re

import pytest

from flowdoctor.detect import (
    FIRST_RULES,
    ChainClassifier,
    Classifier,
    RuleClassifier,
    default_classifier,
    unclassified,
)
from flowdoctor.detect.rule_model import ErrorRule, make_rule, status_pattern
from flowdoctor.domain import Classification, IssueCategory, ReplaySafety, Severity


class _Fixed:
    """A classifier with one canned answer, recording what it was asked."""

    def __init__(self, answer: Classification | None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str | None, int | None, str | None]] = []

    def classify(
        self,
        message: str,
        *,
        platform: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
    ) -> Classification | None:
        self.calls.append((message, platform, http_status, error_code))
        return self.answer


_LOGIC = Classification(IssueCategory.LOGIC, Severity.HIGH, False, 0.5, rule_id="canned")


def test_the_chain_returns_the_first_answer_and_stops() -> None:
    silent, answering, never = _Fixed(None), _Fixed(_LOGIC), _Fixed(None)
    chain = ChainClassifier([silent, answering, never])
    assert chain.classify("boom", platform="slack", http_status=500, error_code="E1") is _LOGIC
    assert silent.calls == [("boom", "slack", 500, "E1")]
    assert answering.calls == [("boom", "slack", 500, "E1")]
    assert never.calls == []


def test_the_chain_reports_unclassified_when_nobody_answers() -> None:
    result = ChainClassifier([_Fixed(None)]).classify("the flux capacitor is sad")
    assert result.category is IssueCategory.UNCLASSIFIED
    assert (result.severity, result.retryable, result.confidence) == (Severity.MEDIUM, False, 0.0)
    assert result.evidence == ("no rule matched",)
    assert result.rule_id is None


def test_unclassified_keeps_a_known_platform() -> None:
    chain = ChainClassifier([])
    assert chain.classify("weird", platform="notion").platform == "notion"
    assert chain.classify("weird thing at https://api.hubapi.com/x").platform == "hubspot"
    assert unclassified().platform is None


def test_default_classifier_chains_knowledge_base_rules_and_the_learned_fallback() -> None:
    from flowdoctor.detect.classifier import MaskedTextCache
    from flowdoctor.detect.learned import LearnedClassifier

    chain = default_classifier()
    assert isinstance(chain, Classifier)
    kinds = [type(member) for member in chain.classifiers]
    assert kinds == [RuleClassifier, RuleClassifier, RuleClassifier, MaskedTextCache]
    fallback = chain.classifiers[-1]
    assert isinstance(fallback, MaskedTextCache) and type(fallback.inner) is LearnedClassifier
    generic = chain.classifiers[1]
    assert isinstance(generic, RuleClassifier) and generic.rules == FIRST_RULES


def test_evidence_names_the_rule_and_the_matched_text() -> None:
    result = default_classifier().classify("Error: connect ECONNREFUSED 10.0.0.5:5432")
    assert result.rule_id == "network.econnrefused"
    assert result.evidence[:2] == ("rule network.econnrefused", "matched 'ECONNREFUSED'")
    assert 0.0 < result.confidence <= 1.0


def test_repeated_messages_give_equal_verdicts() -> None:
    classifier = RuleClassifier([make_rule("t.x", r"boom", IssueCategory.LOGIC)], cache_size=1)
    first = classifier.classify("boom one")
    assert classifier.classify("boom two") == first
    assert classifier.classify("boom one", platform="slack") == Classification(
        IssueCategory.LOGIC,
        Severity.HIGH,
        False,
        0.8,
        platform="slack",
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        rule_id="t.x",
        evidence=("rule t.x", "matched 'boom'"),
    )


def test_rule_order_decides() -> None:
    first = make_rule("a.first", r"alpha", IssueCategory.DATA)
    second = make_rule("b.second", r"alpha beta", IssueCategory.LOGIC)
    assert RuleClassifier([first, second]).classify("alpha beta").rule_id == "a.first"  # type: ignore[union-attr]
    assert RuleClassifier([second, first]).classify("alpha beta").rule_id == "b.second"  # type: ignore[union-attr]


def test_rule_ids_must_be_unique() -> None:
    rule = make_rule("dup", r"x", IssueCategory.DATA)
    with pytest.raises(ValueError, match="dup"):
        RuleClassifier([rule, rule])


def test_make_rule_fills_defaults_from_the_category() -> None:
    rule = make_rule("t.timeout", r"too slow", IssueCategory.TIMEOUT)
    assert rule.pattern.flags & re.IGNORECASE
    assert (rule.severity, rule.retryable, rule.replay_safety) == (
        Severity.MEDIUM,
        True,
        ReplaySafety.MAY_DUPLICATE_WRITES,
    )
    explicit = make_rule("t.oom", r"oom", IssueCategory.RESOURCE, retryable=False)
    assert explicit.retryable is False


@pytest.mark.parametrize("confidence", [-0.1, 1.5])
def test_a_rule_refuses_an_impossible_confidence(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        ErrorRule(
            "x",
            re.compile("x"),
            IssueCategory.DATA,
            Severity.LOW,
            False,
            ReplaySafety.SAFE,
            confidence=confidence,
        )


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("HTTP 429", True),
        ("HTTP/1.1 429 Too Many Requests", True),
        ("Request failed with status code 429", True),
        ('{"status": 429}', True),
        ("statusCode=429", True),
        ("429 Too Many Requests", True),
        ("processed row 429 of 1000", False),
        ("order 4290 shipped", False),
    ],
)
def test_status_pattern_needs_the_number_to_be_a_status(text: str, matches: bool) -> None:
    pattern = re.compile(status_pattern(429, reason="too many"), re.IGNORECASE)
    assert bool(pattern.search(text)) is matches
