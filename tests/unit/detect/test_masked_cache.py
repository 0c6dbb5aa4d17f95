"""The learned fallback asked once per masked text: the same verdicts as asking it every time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowdoctor.detect.classifier import MaskedTextCache, default_classifier
from flowdoctor.detect.learned import LearnedClassifier
from flowdoctor.domain import IssueCategory

SHARED = Path("/work/shared/benchmarks")

_EXAMPLES = [
    ("the API quota was used up", IssueCategory.RESOURCE),
    ("daily request allowance exhausted", IssueCategory.RESOURCE),
    ("the access token expired", IssueCategory.PERMISSIONS),
    ("credentials rejected, token invalid", IssueCategory.PERMISSIONS),
]


def _learned() -> LearnedClassifier:
    fallback = default_classifier().classifiers[-1]
    assert isinstance(fallback, MaskedTextCache) and isinstance(fallback.inner, LearnedClassifier)
    return fallback.inner  # trained once per process, shared by the tests below


def test_lines_masked_alike_get_the_verdict_asked_afresh() -> None:
    learned = LearnedClassifier(_EXAMPLES, min_probability=0.3)
    cached = MaskedTextCache(learned)
    lines = [f"the API quota was used up for account {n}" for n in (7, 42, 9_000_001)]
    for line in lines:
        assert cached.classify(line) == learned.classify(line)
    assert cached.classify("") == learned.classify("") is None


def test_the_platform_is_found_in_each_message_not_taken_from_the_cache() -> None:
    learned = LearnedClassifier(_EXAMPLES, min_probability=0.3)
    cached = MaskedTextCache(learned)
    hubspot = "the API quota was used up calling https://api.hubapi.com/crm/v3/objects"
    slack = "the API quota was used up calling https://slack.com/api/chat.postMessage"
    first, second = cached.classify(hubspot), cached.classify(slack)
    assert first is not None and second is not None
    assert (first.platform, second.platform) == ("hubspot", "slack")
    assert second == learned.classify(slack)
    assert cached.classify(slack, platform="notion") == learned.classify(slack, platform="notion")


def test_hints_are_part_of_the_key() -> None:
    learned = LearnedClassifier(_EXAMPLES, min_probability=0.0)
    cached = MaskedTextCache(learned)
    for code in (None, "quota_exhausted", "token_expired"):
        got = cached.classify("request refused", error_code=code, http_status=403)
        assert got == learned.classify("request refused", error_code=code, http_status=403)


def test_cached_verdicts_equal_uncached_ones_on_real_logs(
    real_log_lines: Callable[[int], list[str]],
) -> None:
    lines = real_log_lines(16)
    if not lines:
        pytest.skip(f"benchmark data not found under {SHARED}")
    learned = _learned()
    cached = MaskedTextCache(learned)
    for line in lines:
        assert cached.classify(line) == learned.classify(line), line
    hits = cached._cached.cache_info().hits  # the comparison covered answers from the cache
    assert hits > len(lines) // 4
