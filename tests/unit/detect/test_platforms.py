"""Platform detection from hostnames, client classes and code shapes."""

from __future__ import annotations

import pytest

from flowdoctor.detect.platforms import default_platform_detector, detect_platform


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        ("slack_sdk.errors.SlackApiError: The request to the Slack API failed.", "slack"),
        ("POST https://slack.com/api/chat.postMessage failed", "slack"),
        (
            "simple_salesforce.exceptions.SalesforceMalformedRequest: Malformed request",
            "salesforce",
        ),
        ("https://acme.my.salesforce.com/services/data/v59.0/sobjects/Contact", "salesforce"),
        ("GET https://graph.microsoft.com/v1.0/me/messages 401", "microsoft_graph"),
        (
            "POST https://graph.microsoft.com/v1.0/teams/abc/channels/19:x/messages",
            "microsoft_teams",
        ),
        ("https://sheets.googleapis.com/v4/spreadsheets/1AbC/values/A1", "google_sheets"),
        ("gspread.exceptions.APIError: {'code': 429}", "google_sheets"),
        ("POST https://api.hubapi.com/crm/v3/objects/contacts", "hubspot"),
        ("botocore.exceptions.ClientError: An error occurred (NoSuchKey)", "aws_s3"),
        ("when calling the GetObject operation: Access Denied", "aws_s3"),
        (
            "botocore.exceptions.ClientError: An error occurred (ValidationException) when calling "
            "the PutItem operation",
            "aws_dynamodb",
        ),
        (
            "botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: "
            '"https://sts.amazonaws.com/"',
            "aws",
        ),
        (
            "psycopg2.OperationalError: could not connect to server: Connection refused Is the "
            'server running on host "db.abc.us-east-1.rds.amazonaws.com"',
            "postgresql",
        ),
        ('pymysql.err.OperationalError: (2003, "Can\'t connect to MySQL server")', "mysql"),
        ("pymongo.errors.ServerSelectionTimeoutError: localhost:27017", "mongodb"),
        ("redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379", "redis"),
        ("stripe.error.CardError: Your card was declined.", "stripe"),
        ("No such customer: 'cus_NffrFeUfNV2Hib'", "stripe"),
        ("openai.RateLimitError: Error code: 429", "openai"),
        ("https://api.notion.com/v1/pages returned 400", "notion"),
        ("twilio.base.exceptions.TwilioRestException: HTTP 400 error", "twilio"),
    ],
)
def test_detects_the_platform(text: str, platform: str) -> None:
    assert detect_platform(text) == platform


@pytest.mark.parametrize("text", ["", "KeyError: 'email'", "Connection refused", "\x00\x01\x02"])
def test_names_no_platform_when_none_is_named(text: str) -> None:
    assert detect_platform(text) is None


def test_platform_ids_are_lowercase_snake() -> None:
    for platform in default_platform_detector().platforms:
        assert platform == platform.lower()
        assert platform.replace("_", "").isalnum()
