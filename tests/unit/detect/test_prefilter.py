"""The rule prefilter is only ever a shortcut: wherever a pattern matches, its words are present, so
classifying with the filter gives exactly the verdicts of trying every pattern."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdoctor.detect.platforms import default_platform_detector, detect_platform
from flowdoctor.detect.prefilter import normalize, required_literals, required_word_sets
from flowdoctor.detect.rules import FIRST_RULES, RuleClassifier
from flowdoctor.detect.text import examined_text

SHARED = Path("/work/shared/benchmarks")


def _first_match_naively(text: str) -> str | None:
    for rule in FIRST_RULES:
        if rule.pattern.search(text):
            return rule.rule_id
    return None


def test_every_first_rule_has_a_filter() -> None:
    # not required for correctness, but a rule without one runs on every line: say which
    missing = [r.rule_id for r in FIRST_RULES if required_literals(r.pattern) is None]
    assert missing == []


def test_case_folding_table_matches_the_regex_engine() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    for code in range(128, sys.maxunicode + 1):
        char = chr(code)
        if letter.fullmatch(char) or any(ord(c) < 128 for c in char.lower()):
            folded = normalize(char)
            assert len(folded) == 1 and letter.fullmatch(folded), hex(code)


def test_patterns_without_provable_words_get_no_filter() -> None:
    assert required_literals(re.compile(r"\d+ failed|x", re.I)) is None
    assert required_literals(re.compile(r"(?:abc)?def", re.I)) == frozenset({"def"})
    assert required_literals(re.compile(r"(?:abc)*de", re.I)) is None
    assert required_literals(re.compile(r"(?:timeout){1,3}", re.I)) == frozenset({"timeout"})


# Words the rules look for, mixed with noise and with the odd characters case folding equates.
_WORDS = [(rule, required_word_sets(rule.pattern)) for rule in FIRST_RULES]
_RULE_WORDS = sorted({w for r in FIRST_RULES for w in required_literals(r.pattern) or ()})
_ODD = ["\u0130", "\u0131", "\u017f", "\u212a", "\u00df", " ", ":", "429", "503", "\n"]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(
            st.one_of(st.sampled_from(_RULE_WORDS), st.sampled_from(_ODD), st.text(max_size=8)),
            max_size=8,
        )
    )
    text = " ".join(parts)
    if draw(st.booleans()):
        text = text.upper()
    return text.replace("i", draw(st.sampled_from(["i", "\u0130", "\u0131"])))


@settings(max_examples=800, deadline=None)
@given(_texts())
def test_wherever_a_pattern_matches_its_words_are_present(text: str) -> None:
    normalized = normalize(text)
    for rule, word_sets in _WORDS:
        if rule.pattern.search(text):
            for words in word_sets:
                assert any(w in normalized for w in words), (rule.rule_id, words, text)


def test_platform_detection_equals_trying_every_signature(
    real_log_lines: Callable[[int], list[str]],
) -> None:
    lines = real_log_lines(4)
    if not lines:
        pytest.skip(f"benchmark data not found under {SHARED}")
    detected = 0
    for line in lines:
        examined = examined_text(line)
        patterns = default_platform_detector().patterns
        naive = next((p for p, pattern in patterns if pattern.search(examined)), None)
        assert detect_platform(line) == naive, line
        detected += naive is not None
    assert detected > 50


def test_filtered_verdicts_equal_naive_ones_on_real_logs(
    real_log_lines: Callable[[int], list[str]],
) -> None:
    lines = real_log_lines(4)
    if not lines:
        pytest.skip(f"benchmark data not found under {SHARED}")
    classifier = RuleClassifier(FIRST_RULES, cache_size=0)
    matched = 0
    for line in lines:
        verdict = classifier.classify(line)
        expected = _first_match_naively(examined_text(line))
        got = verdict.rule_id if verdict is not None else None
        assert got == expected, line
        matched += got is not None
    assert matched > 100  # the comparison covered lines that rules do match
