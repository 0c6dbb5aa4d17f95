"""The first rule set on real error messages, as client libraries and servers print them.

Each row is a message and the category ``shared/taxonomy.md`` gives it; the tie-break rows say
which tie-break they exercise.
"""

from __future__ import annotations

import pytest

from flowdoctor.detect.classifier import default_classifier
from flowdoctor.detect.rules import FIRST_RULES, RuleClassifier
from flowdoctor.domain import IssueCategory

CASES: list[tuple[str, IssueCategory]] = [
    # --- connectivity
    (
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.example.com', "
        "port=443): Max retries exceeded with url: /v1/items (Caused by NewConnectionError("
        "'<urllib3.connection.HTTPSConnection object at 0x7f2c>: Failed to establish a new "
        "connection: [Errno 111] Connection refused'))",
        IssueCategory.CONNECTIVITY,
    ),
    ("Error: getaddrinfo ENOTFOUND api.hubapi.com", IssueCategory.CONNECTIVITY),
    (
        "Error: read ECONNRESET\n    at TCP.onStreamRead "
        "(node:internal/stream_base_commons:217:20)",
        IssueCategory.CONNECTIVITY,
    ),
    (
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:"
        " unable to get local issuer certificate (_ssl.c:1129)",
        IssueCategory.CONNECTIVITY,
    ),
    ("Error: self signed certificate in certificate chain", IssueCategory.CONNECTIVITY),
    (
        "pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')",
        IssueCategory.CONNECTIVITY,
    ),
    ("BrokenPipeError: [Errno 32] Broken pipe", IssueCategory.CONNECTIVITY),
    # --- timeout (tie-break: "connect timed out" and 504 are timeout)
    (
        "requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='hooks.slack.com', port=443):"
        " Max retries exceeded with url: /services/T000/B000/XXX (Caused by ConnectTimeoutError("
        "<urllib3.connection.HTTPSConnection object at 0x7f0c>, 'Connection to hooks.slack.com "
        "timed out. (connect timeout=10)'))",
        IssueCategory.TIMEOUT,
    ),
    ("<html><head><title>504 Gateway Time-out</title></head></html>", IssueCategory.TIMEOUT),
    ("AxiosError: timeout of 30000ms exceeded", IssueCategory.TIMEOUT),
    (
        "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout",
        IssueCategory.TIMEOUT,
    ),
    ("google.api_core.exceptions.DeadlineExceeded: 504 Deadline Exceeded", IssueCategory.TIMEOUT),
    ("Error: connect ETIMEDOUT 10.0.0.1:443", IssueCategory.TIMEOUT),
    ("Connection timeout", IssueCategory.TIMEOUT),
    (
        "pymysql.err.OperationalError: (1205, 'Lock wait timeout exceeded; try restarting "
        "transaction')",
        IssueCategory.TIMEOUT,
    ),
    # --- resource (tie-break: 429/throttling is resource even inside a 503)
    (
        "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for "
        "gpt-4 in organization org-abc on tokens per min (TPM): Limit 10000, Used 9800, Requested "
        "500.', 'type': 'tokens', 'code': 'rate_limit_exceeded'}}",
        IssueCategory.RESOURCE,
    ),
    (
        "503 Service Unavailable: Rate limit exceeded, please retry after 30 seconds",
        IssueCategory.RESOURCE,
    ),
    (
        "botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the "
        "PutMetricData operation (reached max retries: 4): Rate exceeded",
        IssueCategory.RESOURCE,
    ),
    ("OSError: [Errno 28] No space left on device", IssueCategory.RESOURCE),
    (
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        IssueCategory.RESOURCE,
    ),
    (
        "redis.exceptions.ResponseError: OOM command not allowed when used memory > 'maxmemory'.",
        IssueCategory.RESOURCE,
    ),
    ("OSError: [Errno 24] Too many open files", IssueCategory.RESOURCE),
    ("pymysql.err.OperationalError: (1040, 'Too many connections')", IssueCategory.RESOURCE),
    # --- permissions (tie-break: a wrong key is permissions)
    (
        "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key "
        "provided: sk-abc***xyz. You can find your API key at https://platform.openai.com/account/"
        "api-keys.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}",
        IssueCategory.PERMISSIONS,
    ),
    (
        "google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or revoked.',"
        " {'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'})",
        IssueCategory.PERMISSIONS,
    ),
    (
        "An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: The AWS "
        "Access Key Id you provided does not exist in our records.",
        IssueCategory.PERMISSIONS,
    ),
    ('FATAL:  password authentication failed for user "app"', IssueCategory.PERMISSIONS),
    (
        "pymysql.err.OperationalError: (1045, \"Access denied for user 'app'@'10.0.0.12' (using "
        'password: YES)")',
        IssueCategory.PERMISSIONS,
    ),
    (
        'github.GithubException.BadCredentialsException: 401 {"message": "Bad credentials"}',
        IssueCategory.PERMISSIONS,
    ),
    ("urllib.error.HTTPError: HTTP Error 403: Forbidden", IssueCategory.PERMISSIONS),
    ("Authentication failed", IssueCategory.PERMISSIONS),
    # --- configuration (tie-breaks: an unset key, a configured ID that does not exist)
    (
        "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
        IssueCategory.CONFIGURATION,
    ),
    (
        "The OPENAI_API_KEY environment variable is missing or empty; either provide it, or "
        "instantiate the OpenAI client with an apiKey option.",
        IssueCategory.CONFIGURATION,
    ),
    (
        "You did not provide an API key. You need to provide your API key in the Authorization "
        "header, using Bearer auth.",
        IssueCategory.CONFIGURATION,
    ),
    ("KeyError: 'DATABASE_URL'", IssueCategory.CONFIGURATION),
    (
        "An error occurred (NoSuchBucket) when calling the PutObject operation: The specified "
        "bucket does not exist",
        IssueCategory.CONFIGURATION,
    ),
    (
        'psycopg2.errors.UndefinedTable: relation "public.orders" does not exist',
        IssueCategory.CONFIGURATION,
    ),
    (
        "pymysql.err.OperationalError: (1054, \"Unknown column 'email_adress' in 'field list'\")",
        IssueCategory.CONFIGURATION,
    ),
    ("ModuleNotFoundError: No module named 'pandas'", IssueCategory.CONFIGURATION),
    (
        "The server responded with: {'ok': False, 'error': 'channel_not_found'}",
        IssueCategory.CONFIGURATION,
    ),
    # --- data (tie-break: a record ID that comes from the data and does not exist)
    (
        "psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "
        '"users_email_key"\nDETAIL:  Key (email)=(a@b.com) already exists.',
        IssueCategory.DATA,
    ),
    (
        "pymysql.err.IntegrityError: (1062, \"Duplicate entry 'a@b.com' for key 'users.email'\")",
        IssueCategory.DATA,
    ),
    ("json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)", IssueCategory.DATA),
    (
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte",
        IssueCategory.DATA,
    ),
    ("ValueError: invalid literal for int() with base 10: 'N/A'", IssueCategory.DATA),
    (
        "psycopg2.errors.StringDataRightTruncation: value too long for type character varying(255)",
        IssueCategory.DATA,
    ),
    (
        "stripe.error.InvalidRequestError: Request req_abc: No such customer: 'cus_NffrFeUfNV2Hib'",
        IssueCategory.DATA,
    ),
    ("Contact with id 123456 not found", IssueCategory.DATA),
    ("SyntaxError: Unexpected token < in JSON at position 0", IssueCategory.DATA),
    # --- logic
    ("KeyError: 'email'", IssueCategory.LOGIC),
    ("TypeError: 'NoneType' object is not subscriptable", IssueCategory.LOGIC),
    ("TypeError: Cannot read properties of undefined (reading 'id')", IssueCategory.LOGIC),
    ("ZeroDivisionError: division by zero", IssueCategory.LOGIC),
    ("IndexError: list index out of range", IssueCategory.LOGIC),
    (
        'java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null',
        IssueCategory.LOGIC,
    ),
    (
        "RecursionError: maximum recursion depth exceeded while calling a Python object",
        IssueCategory.LOGIC,
    ),
    ("AttributeError: 'dict' object has no attribute 'json'", IssueCategory.LOGIC),
    # --- external_service
    (
        "requests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: "
        "https://api.hubapi.com/crm/v3/objects/contacts",
        IssueCategory.EXTERNAL_SERVICE,
    ),
    ("<html><title>502 Bad Gateway</title></html>", IssueCategory.EXTERNAL_SERVICE),
    ("HTTP/1.1 503 Service Unavailable", IssueCategory.EXTERNAL_SERVICE),
    (
        "The server responded with: {'ok': False, 'error': 'fatal_error'}",
        IssueCategory.EXTERNAL_SERVICE,
    ),
    # --- performance
    (
        "LOG:  duration: 12034.512 ms  statement: SELECT * FROM orders WHERE customer_id = 42",
        IssueCategory.PERFORMANCE,
    ),
    ("Slow query detected: 4.2s SELECT * FROM events", IssueCategory.PERFORMANCE),
    (
        "p95 latency 2300ms above baseline of 400ms for step sync_contacts",
        IssueCategory.PERFORMANCE,
    ),
    ("Consumer lag is growing: 150000 messages behind on topic orders", IssueCategory.PERFORMANCE),
]


@pytest.mark.parametrize(("message", "expected"), CASES, ids=[c[0][:48] for c in CASES])
def test_real_messages_get_the_taxonomy_category(message: str, expected: IssueCategory) -> None:
    result = default_classifier().classify(message)
    assert result.category is expected, result.evidence


def test_the_table_covers_all_nine_categories() -> None:
    covered = {expected for _, expected in CASES}
    assert covered == set(IssueCategory) - {IssueCategory.UNCLASSIFIED}
    assert len(CASES) >= 40


def test_the_rule_set_covers_all_nine_categories_with_unique_ids() -> None:
    assert {rule.category for rule in FIRST_RULES} == set(IssueCategory) - {
        IssueCategory.UNCLASSIFIED
    }
    ids = [rule.rule_id for rule in FIRST_RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("wrong", "unset"),
    [
        ("Invalid API key", "API key is not set"),
        ("Incorrect API key provided: sk-abc", "No API key provided"),
        ("invalid access token", "Missing access token"),
    ],
)
def test_a_wrong_key_is_permissions_an_unset_one_configuration(wrong: str, unset: str) -> None:
    classifier = default_classifier()
    assert classifier.classify(wrong).category is IssueCategory.PERMISSIONS
    assert classifier.classify(unset).category is IssueCategory.CONFIGURATION


def test_a_configured_id_is_configuration_a_record_id_is_data() -> None:
    classifier = default_classifier()
    assert classifier.classify("Channel C024BE91L not found").category is (
        IssueCategory.CONFIGURATION
    )
    assert classifier.classify('{"message":"Channel not found"}').category is (
        IssueCategory.CONFIGURATION
    )
    assert classifier.classify("Customer 8812 not found").category is IssueCategory.DATA


def test_unknown_text_gets_no_opinion_from_the_rule_classifier() -> None:
    assert RuleClassifier(FIRST_RULES).classify("the flux capacitor is sad") is None


def test_retryable_and_replay_follow_the_category() -> None:
    classifier = default_classifier()
    rate = classifier.classify("HTTP 429 Too Many Requests")
    assert rate.retryable and rate.replay_safety.value == "safe"
    server = classifier.classify("500 Internal Server Error")
    assert server.retryable and server.replay_safety.value == "may_duplicate_writes"
    config = classifier.classify("channel_not_found")
    assert not config.retryable and config.replay_safety.value == "unsafe_until_fixed"
    assert config.severity.value == "high"


def test_revoked_credentials_and_corruption_are_critical() -> None:
    classifier = default_classifier()
    assert classifier.classify("Error: token_revoked").severity.value == "critical"
    assert classifier.classify("The API key has been revoked").severity.value == "critical"
    corrupt = classifier.classify("sqlite3.DatabaseError: database disk image is malformed")
    assert corrupt.category is IssueCategory.DATA
    assert corrupt.severity.value == "critical"
    # "expired or revoked" is the ordinary Google refresh-token message, not a security event.
    google = classifier.classify("invalid_grant: Token has been expired or revoked.")
    assert google.severity.value == "high"
