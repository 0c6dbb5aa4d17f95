"""Whatever the input, the classifier answers, quickly, and never raises."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdoctor.detect.classifier import default_classifier
from flowdoctor.detect.platforms import detect_platform
from flowdoctor.domain import Classification, IssueCategory

CLASSIFIER = default_classifier()

_WORDS = st.sampled_from(
    [
        "timeout",
        "429",
        "HTTP",
        "status",
        "rate limit",
        "KeyError",
        "'",
        '"',
        ":",
        "not found",
        "connection",
        "refused",
        "invalid",
        "API key",
        "\n",
        " ",
        "0x1f",
        "é",
        "错误",
        "\x00",
    ]
)
_ERRORISH = st.lists(_WORDS, max_size=60).map("".join)


def _check(result: Classification) -> None:
    assert isinstance(result.category, IssueCategory)
    assert 0.0 <= result.confidence <= 1.0
    assert result.evidence


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=2_000), st.one_of(st.none(), st.integers()), st.one_of(st.none(), st.text())
)
def test_any_text_and_hints_are_classified(
    message: str, status: int | None, code: str | None
) -> None:
    _check(CLASSIFIER.classify(message, http_status=status, error_code=code))


@settings(max_examples=300, deadline=None)
@given(_ERRORISH, st.one_of(st.none(), st.text(max_size=20)))
def test_error_shaped_text_is_classified(message: str, platform: str | None) -> None:
    result = CLASSIFIER.classify(message, platform=platform)
    _check(result)
    if platform:
        assert result.platform == platform


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2_000))
def test_binary_looking_text_is_classified(raw: bytes) -> None:
    _check(CLASSIFIER.classify(raw.decode("latin-1")))
    _check(CLASSIFIER.classify(raw.decode("utf-8", "surrogateescape")))


_HUGE = [
    "",
    " ",
    "a" * 1_000_000,
    "0" * 1_000_000,
    "'" * 1_000_000,
    "@." * 500_000,
    "rate " * 200_000,
    "status " * 200_000,
    "token " * 200_000,
    "table " * 200_000,
    ("record with id " * 70_000),
    "\x00\xff\ufffd" * 300_000,
    "::" * 500_000,
    "connection " + "x" * 1_000_000,
]


@pytest.mark.parametrize("message", _HUGE, ids=[f"{m[:12]!r}x{len(m)}" for m in _HUGE])
def test_huge_and_adversarial_messages_are_quick(message: str) -> None:
    started = time.perf_counter()
    _check(CLASSIFIER.classify(message))
    detect_platform(message)
    assert time.perf_counter() - started < 1.0


def test_a_long_traceback_is_judged_by_its_last_line_too() -> None:
    frames = "".join(
        f'  File "/app/step_{i}.py", line {i}, in run\n    do_work(payload)\n' for i in range(400)
    )
    message = (
        "Traceback (most recent call last):\n" + frames + "ZeroDivisionError: division by zero"
    )
    assert len(message) > 10_000
    assert CLASSIFIER.classify(message).category is IssueCategory.LOGIC
