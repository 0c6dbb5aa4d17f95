"""The remediation catalogue: complete, placeholders filled, specific entries matched."""

from __future__ import annotations

import pytest

from flowdoctor.domain import IssueCategory
from flowdoctor.domain.platforms import platform_label
from flowdoctor.recommend.catalogue import CATEGORY_REMEDIES, SPECIFIC, remedy_for
from flowdoctor.recommend.remedy import Remedy


def all_text(remedy: Remedy) -> str:
    return " ".join((remedy.title, *remedy.steps, remedy.rationale))


@pytest.mark.parametrize("category", list(IssueCategory))
def test_every_category_has_a_remedy(category: IssueCategory) -> None:
    remedy = CATEGORY_REMEDIES[category]
    assert remedy.title
    assert len(remedy.steps) >= 2
    assert remedy.rationale


@pytest.mark.parametrize("platform", [None, "aws_s3"])
def test_placeholders_are_always_filled_and_read_well(platform: str | None) -> None:
    remedies = [*CATEGORY_REMEDIES.values(), *(entry.remedy for entry in SPECIFIC)]
    for remedy in remedies:
        text = all_text(remedy.filled(platform))
        assert "{platform}" not in text
        assert "the the" not in text.lower()


def test_the_platform_name_appears_where_the_template_asks_for_it() -> None:
    remedy, specific = remedy_for(IssueCategory.CONNECTIVITY, platform="aws_s3")
    assert specific is False
    assert "AWS S3" in remedy.title


def test_performance_without_platform_talks_about_the_workflow() -> None:
    remedy, _ = remedy_for(IssueCategory.PERFORMANCE)
    assert "the workflow" in remedy.title


def test_salesforce_invalid_session_gets_the_connected_app_advice() -> None:
    remedy, specific = remedy_for(
        IssueCategory.PERMISSIONS,
        platform="salesforce",
        message="INVALID_SESSION_ID: Session expired or invalid",
    )
    assert specific is True
    assert "connected app" in remedy.title
    assert any("session timeout" in step for step in remedy.steps)


def test_a_rule_id_prefix_is_enough_to_match() -> None:
    remedy, specific = remedy_for(
        IssueCategory.PERMISSIONS, platform="salesforce", rule_id="salesforce.invalid_session_id"
    )
    assert specific is True
    assert "connected app" in remedy.title


def test_other_salesforce_permission_errors_get_the_category_remedy() -> None:
    remedy, specific = remedy_for(
        IssueCategory.PERMISSIONS, platform="salesforce", message="INSUFFICIENT_ACCESS on record"
    )
    assert specific is False
    assert "Salesforce" in remedy.title


def test_slack_rate_limits_honour_retry_after() -> None:
    remedy, specific = remedy_for(IssueCategory.RESOURCE, platform="slack", message="ratelimited")
    assert specific is True
    assert "Retry-After" in remedy.title
    assert any("batch" in step.lower() for step in remedy.steps)


def test_expired_oauth_tokens_on_any_platform_use_the_refresh_flow() -> None:
    remedy, specific = remedy_for(
        IssueCategory.PERMISSIONS,
        platform="google_sheets",
        message='{"error": "invalid_grant", "error_description": "Token has been expired"}',
    )
    assert specific is True
    assert "OAuth" in remedy.title
    assert "Google Sheets" in remedy.title
    assert any("refresh token" in step for step in remedy.steps)


def test_generic_rate_limits_name_the_platform() -> None:
    remedy, specific = remedy_for(
        IssueCategory.RESOURCE, platform="hubspot", message="HTTP 429 Too Many Requests"
    )
    assert specific is True
    assert "Hubspot" in remedy.title


def test_keywords_do_not_cross_categories() -> None:
    remedy, specific = remedy_for(
        IssueCategory.DATA, platform="hubspot", message="field 'rate limit' is too long"
    )
    assert specific is False
    assert remedy == CATEGORY_REMEDIES[IssueCategory.DATA].filled("hubspot")


def test_out_of_memory_gets_the_category_remedy_not_the_rate_limit_one() -> None:
    remedy, specific = remedy_for(IssueCategory.RESOURCE, message="Killed: out of memory")
    assert specific is False
    assert remedy.title == CATEGORY_REMEDIES[IssueCategory.RESOURCE].filled(None).title


@pytest.mark.parametrize(
    ("raw", "label"),
    [(None, None), ("", None), ("slack", "Slack"), ("aws_lambda", "AWS Lambda")],
)
def test_platform_label(raw: str | None, label: str | None) -> None:
    assert platform_label(raw) == label
