"""Platform-specific signatures: each decides category and platform on its own."""

from __future__ import annotations

import pytest

from flowdoctor.detect.classifier import default_classifier
from flowdoctor.detect.knowledge import load_knowledge_base
from flowdoctor.domain import IssueCategory, Severity

C = IssueCategory

PLATFORM_CASES: list[tuple[str, IssueCategory, str, str]] = [
    # (message, category, platform, rule id)
    (
        "The server responded with: {'ok': False, 'error': 'ratelimited'}",
        C.RESOURCE,
        "slack",
        "slack.ratelimited",
    ),
    (
        "The server responded with: {'ok': False, 'error': 'invalid_auth'}",
        C.PERMISSIONS,
        "slack",
        "slack.auth",
    ),
    (
        "The server responded with: {'ok': False, 'error': 'not_in_channel'}",
        C.PERMISSIONS,
        "slack",
        "slack.auth",
    ),
    (
        "The server responded with: {'ok': False, 'error': 'channel_not_found'}",
        C.CONFIGURATION,
        "slack",
        "slack.channel",
    ),
    (
        "The server responded with: {'ok': False, 'error': 'msg_too_long'}",
        C.DATA,
        "slack",
        "slack.payload",
    ),
    (
        '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]',
        C.PERMISSIONS,
        "salesforce",
        "salesforce.session",
    ),
    (
        '[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]',
        C.RESOURCE,
        "salesforce",
        "salesforce.request_limit",
    ),
    (
        "[{\"message\":\"No such column 'Emial__c' on entity 'Contact'.\","
        '"errorCode":"INVALID_FIELD"}]',
        C.CONFIGURATION,
        "salesforce",
        "salesforce.config",
    ),
    (
        '[{"message":"API is not enabled for this Organization or Partner",'
        '"errorCode":"API_DISABLED_FOR_ORG"}]',
        C.CONFIGURATION,
        "salesforce",
        "salesforce.config",
    ),
    (
        '[{"message":"Required fields are missing: [LastName]",'
        '"errorCode":"REQUIRED_FIELD_MISSING"}]',
        C.DATA,
        "salesforce",
        "salesforce.record",
    ),
    (
        '{"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or '
        'is not yet valid."}}',
        C.PERMISSIONS,
        "microsoft_graph",
        "graph.auth",
    ),
    (
        '{"error":{"code":"TooManyRequests","innerError":{"code":"throttledRequest"},'
        '"message":"Please retry again later."}}',
        C.RESOURCE,
        "microsoft_graph",
        "graph.throttled",
    ),
    (
        "AADSTS700082: The refresh token has expired due to inactivity.",
        C.PERMISSIONS,
        "microsoft_graph",
        "entra.auth",
    ),
    (
        "FATAL:  sorry, too many clients already",
        C.RESOURCE,
        "postgresql",
        "postgresql.too_many_clients",
    ),
    (
        'psycopg2.OperationalError: connection to server at "db.internal" (10.0.0.5), port 5432 '
        "failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP "
        "connections?",
        C.CONNECTIVITY,
        "postgresql",
        "postgresql.refused",
    ),
    (
        'FATAL:  no pg_hba.conf entry for host "10.1.2.3", user "app", database "prod", SSL off',
        C.PERMISSIONS,
        "postgresql",
        "postgresql.auth",
    ),
    (
        "An error occurred (NoSuchBucket) when calling the PutObject operation: The specified "
        "bucket does not exist",
        C.CONFIGURATION,
        "aws_s3",
        "aws_s3.no_such_bucket",
    ),
    (
        "An error occurred (SlowDown) when calling the PutObject operation (reached max retries: "
        "4): Please reduce your request rate.",
        C.RESOURCE,
        "aws_s3",
        "aws_s3.slow_down",
    ),
    (
        "An error occurred (ProvisionedThroughputExceededException) when calling the PutItem "
        "operation: The level of configured provisioned throughput for the table was exceeded.",
        C.RESOURCE,
        "aws_dynamodb",
        "aws_dynamodb.throughput",
    ),
    (
        "2024-05-01T10:00:00.000Z 3f1c Task timed out after 15.02 seconds",
        C.TIMEOUT,
        "aws_lambda",
        "aws_lambda.task_timeout",
    ),
]


@pytest.mark.parametrize(
    ("message", "category", "platform", "rule_id"),
    PLATFORM_CASES,
    ids=[case[3] + ":" + case[0][:30] for case in PLATFORM_CASES],
)
def test_platform_signature(
    message: str, category: IssueCategory, platform: str, rule_id: str
) -> None:
    # rule_id names the family of signature expected; the knowledge base may split it finer
    result = default_classifier().classify(message)
    assert (result.category, result.platform) == (category, platform)
    assert result.rule_id is not None
    assert load_knowledge_base().signature(result.rule_id) is not None, result.rule_id
    assert f"rule {result.rule_id}" in result.evidence


@pytest.mark.parametrize(
    ("message", "platform"),
    [
        (
            "<HttpError 404 when requesting https://sheets.googleapis.com/v4/spreadsheets/1AbC?"
            'alt=json returned "Requested entity was not found.">',
            "google_sheets",
        ),
        (
            "<HttpError 403 when requesting https://sheets.googleapis.com/v4/spreadsheets/1AbC?"
            'alt=json returned "Google Sheets API has not been used in project 123456 before or it '
            'is disabled.">',
            "google_sheets",
        ),
    ],
)
def test_google_configuration_errors_take_the_platform_from_the_text(
    message: str, platform: str
) -> None:
    result = default_classifier().classify(message)
    assert result.category is C.CONFIGURATION
    assert result.platform == platform
    assert result.rule_id is not None and result.rule_id.startswith(f"{platform}.")


def test_google_resource_exhausted_is_resource() -> None:
    message = (
        "<HttpError 429 when requesting https://sheets.googleapis.com/v4/spreadsheets/1AbC/values"
        ":append returned \"Quota exceeded for quota metric 'Write requests' and limit 'Write "
        "requests per minute per user'\". Details: \"[{'reason': 'RESOURCE_EXHAUSTED'}]\">"
    )
    result = default_classifier().classify(message)
    assert (result.category, result.platform) == (C.RESOURCE, "google_sheets")
    assert result.retryable


def test_slack_token_revoked_is_critical() -> None:
    result = default_classifier().classify("{'ok': False, 'error': 'token_revoked'}")
    assert (result.category, result.severity, result.platform) == (
        C.PERMISSIONS,
        Severity.CRITICAL,
        "slack",
    )


def test_a_platform_given_by_the_caller_wins_over_the_rules() -> None:
    result = default_classifier().classify("invalid_auth", platform="hubspot")
    assert (result.category, result.platform) == (C.PERMISSIONS, "hubspot")


def test_every_platform_signature_names_its_public_source() -> None:
    for signature in load_knowledge_base().signatures():
        assert signature.source.startswith("https://"), signature.signature_id
