"""The structured hints: an explicit http_status or error_code is weighed with the message."""

from __future__ import annotations

import pytest

from flowdoctor.detect.classifier import default_classifier
from flowdoctor.domain import IssueCategory

C = IssueCategory


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, C.RESOURCE),
        (504, C.TIMEOUT),
        (408, C.TIMEOUT),
        (500, C.EXTERNAL_SERVICE),
        (502, C.EXTERNAL_SERVICE),
        (503, C.EXTERNAL_SERVICE),
        (401, C.PERMISSIONS),
        (403, C.PERMISSIONS),
        (404, C.CONFIGURATION),
        (409, C.DATA),
        (422, C.DATA),
        (507, C.RESOURCE),
    ],
)
def test_http_status_alone_decides_an_unmatched_message(status: int, expected: C) -> None:
    result = default_classifier().classify("Request failed", http_status=status)
    assert result.category is expected
    assert "matched in the http_status/error_code hints" in result.evidence


def test_a_bare_400_is_left_unclassified() -> None:
    # 400 means bad data as often as bad configuration: reported, not guessed.
    result = default_classifier().classify("Request failed", http_status=400)
    assert result.category is C.UNCLASSIFIED


@pytest.mark.parametrize("status", [-1, 0, 99, 600, 99999])
def test_out_of_range_statuses_are_ignored(status: int) -> None:
    assert default_classifier().classify("Request failed", http_status=status).category is (
        C.UNCLASSIFIED
    )


def test_a_rate_limit_inside_a_503_is_resource() -> None:
    result = default_classifier().classify("Rate limit exceeded", http_status=503)
    assert result.category is C.RESOURCE


def test_a_specific_message_wins_over_a_generic_status() -> None:
    message = 'duplicate key value violates unique constraint "users_email_key"'
    assert default_classifier().classify(message, http_status=500).category is C.DATA


@pytest.mark.parametrize(
    ("code", "expected", "platform"),
    [
        ("ECONNREFUSED", C.CONNECTIVITY, None),
        ("ETIMEDOUT", C.TIMEOUT, None),
        ("channel_not_found", C.CONFIGURATION, "slack"),
        ("ratelimited", C.RESOURCE, "slack"),
        ("INVALID_SESSION_ID", C.PERMISSIONS, "salesforce"),
        ("NoSuchBucket", C.CONFIGURATION, "aws_s3"),
    ],
)
def test_error_code_decides_an_unmatched_message(
    code: str, expected: C, platform: str | None
) -> None:
    result = default_classifier().classify("The request failed", error_code=code)
    assert (result.category, result.platform) == (expected, platform)


def test_a_huge_error_code_is_cut_not_a_problem() -> None:
    result = default_classifier().classify("x", error_code="E" * 1_000_000 + " ECONNREFUSED")
    assert result.category is C.UNCLASSIFIED
