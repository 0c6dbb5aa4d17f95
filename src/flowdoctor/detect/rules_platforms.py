"""Well-known platform-specific error signatures, tried before the generic rules.

Each signature names the public vendor page that documents it. These codes are specific enough to
decide the category on their own, which is why they come first (``channel_not_found`` must not fall
through to a generic "not found" rule).
"""

from __future__ import annotations

from flowdoctor.detect.rule_model import ErrorRule, make_rule
from flowdoctor.domain import IssueCategory as C
from flowdoctor.domain import ReplaySafety, Severity

SLACK_RULES: tuple[ErrorRule, ...] = (
    # https://api.slack.com/docs/rate-limits (error "ratelimited", HTTP 429 with Retry-After)
    make_rule(
        "slack.ratelimited", r"\bratelimited\b", C.RESOURCE, platform="slack", confidence=0.95
    ),
    # https://api.slack.com/methods/auth.revoke and https://api.slack.com/methods/chat.postMessage
    make_rule(
        "slack.token_revoked",
        r"\btoken_revoked\b",
        C.PERMISSIONS,
        severity=Severity.CRITICAL,
        platform="slack",
        confidence=0.95,
    ),
    # https://api.slack.com/methods/chat.postMessage#errors (invalid_auth, not_authed, ...)
    make_rule(
        "slack.auth",
        r"\b(?:invalid_auth|not_authed|account_inactive|missing_scope|not_in_channel"
        r"|not_allowed_token_type|ekm_access_denied|no_permission)\b",
        C.PERMISSIONS,
        platform="slack",
        confidence=0.95,
    ),
    # https://api.slack.com/methods/chat.postMessage#errors (channel_not_found, is_archived)
    make_rule(
        "slack.channel",
        r"\b(?:channel_not_found|is_archived|team_not_found)\b",
        C.CONFIGURATION,
        platform="slack",
        confidence=0.95,
    ),
    # https://api.slack.com/methods/chat.postMessage#errors (msg_too_long, no_text, invalid_blocks)
    make_rule(
        "slack.payload",
        r"\b(?:msg_too_long|no_text|invalid_blocks|invalid_attachments|too_many_attachments)\b",
        C.DATA,
        platform="slack",
        confidence=0.9,
    ),
)

SALESFORCE_RULES: tuple[ErrorRule, ...] = (
    # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
    make_rule(
        "salesforce.session",
        r"(?-i:\bINVALID_SESSION_ID\b|\bINVALID_LOGIN\b|\bINSUFFICIENT_ACCESS\w*"
        r"|\bINVALID_OPERATION_WITH_EXPIRED_PASSWORD\b)",
        C.PERMISSIONS,
        platform="salesforce",
        confidence=0.95,
    ),
    # https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
    make_rule(
        "salesforce.request_limit",
        r"(?-i:\bREQUEST_LIMIT_EXCEEDED\b)",
        C.RESOURCE,
        platform="salesforce",
        confidence=0.95,
    ),
    # https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
    make_rule(
        "salesforce.config",
        r"(?-i:\bINVALID_FIELD\b|\bINVALID_TYPE\b|\bAPI_DISABLED_FOR_ORG\b"
        r"|\bAPI_CURRENTLY_DISABLED\b"
        r"|\bFUNCTIONALITY_NOT_ENABLED\b|\bINVALID_FIELD_FOR_INSERT_UPDATE\b)"
        r"|sObject type '[^'\n]{1,80}' is not supported|No such column '[^'\n]{1,80}' on",
        C.CONFIGURATION,
        platform="salesforce",
        confidence=0.9,
    ),
    # https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
    make_rule(
        "salesforce.record",
        r"(?-i:\b(?:REQUIRED_FIELD_MISSING|FIELD_CUSTOM_VALIDATION_EXCEPTION|STRING_TOO_LONG"
        r"|DUPLICATE_VALUE|DUPLICATES_DETECTED|INVALID_EMAIL_ADDRESS|INVALID_CROSS_REFERENCE_KEY"
        r"|MALFORMED_ID|ENTITY_IS_DELETED|INVALID_TYPE_ON_FIELD_IN_RECORD|FIELD_INTEGRITY_EXCEPTION"
        r"|NUMBER_OUTSIDE_VALID_RANGE|JSON_PARSER_ERROR)\b)",
        C.DATA,
        platform="salesforce",
        confidence=0.9,
    ),
)

MICROSOFT_RULES: tuple[ErrorRule, ...] = (
    # https://learn.microsoft.com/en-us/graph/errors (InvalidAuthenticationToken, 401)
    make_rule(
        "graph.auth",
        r"\bInvalidAuthenticationToken\b|\bAuthorization_RequestDenied\b|\bErrorAccessDenied\b",
        C.PERMISSIONS,
        platform="microsoft_graph",
        confidence=0.95,
    ),
    # https://learn.microsoft.com/en-us/graph/throttling (throttledRequest, activityLimitReached)
    make_rule(
        "graph.throttled",
        r"\bthrottledRequest\b|\bactivityLimitReached\b|\bApplicationThrottled\b",
        C.RESOURCE,
        platform="microsoft_graph",
        confidence=0.95,
    ),
    # https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
    # (AADSTS90002 tenant not found, AADSTS700016 application not found: wrong setup, not auth)
    make_rule(
        "entra.config",
        r"\bAADSTS(?:90002|700016|50011|90019)\b",
        C.CONFIGURATION,
        platform="microsoft_graph",
        confidence=0.9,
    ),
    # https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
    make_rule(
        "entra.auth",
        r"\bAADSTS\d{4,7}\b",
        C.PERMISSIONS,
        platform="microsoft_graph",
        confidence=0.85,
    ),
)

GOOGLE_RULES: tuple[ErrorRule, ...] = (
    # https://cloud.google.com/apis/design/errors#handling_errors (RESOURCE_EXHAUSTED = 429)
    # https://developers.google.com/sheets/api/limits (rateLimitExceeded, userRateLimitExceeded)
    make_rule(
        "google.exhausted",
        r"\bRESOURCE_EXHAUSTED\b|\b(?:user)?RateLimitExceeded\b|Quota exceeded for quota metric",
        C.RESOURCE,
        confidence=0.95,
    ),
    # https://cloud.google.com/apis/design/errors (SERVICE_DISABLED / accessNotConfigured)
    make_rule(
        "google.api_disabled",
        r"\bSERVICE_DISABLED\b|\baccessNotConfigured\b|has not been used in project",
        C.CONFIGURATION,
        confidence=0.95,
    ),
    # https://developers.google.com/sheets/api/troubleshoot-api-errors (404 "Requested entity was
    # not found" for a spreadsheet ID that is configured in the workflow; a wrong A1 range)
    make_rule(
        "google.entity_not_found",
        r"Requested entity was not found",
        C.CONFIGURATION,
        confidence=0.85,
    ),
    make_rule(
        "google_sheets.range",
        r"Unable to parse range",
        C.CONFIGURATION,
        platform="google_sheets",
        confidence=0.9,
    ),
    # https://cloud.google.com/apis/design/errors (PERMISSION_DENIED 403, UNAUTHENTICATED 401)
    make_rule(
        "google.auth",
        r"The caller does not have permission|insufficient authentication scopes"
        r"|Request had invalid authentication credentials|(?-i:\bUNAUTHENTICATED\b)",
        C.PERMISSIONS,
        confidence=0.9,
    ),
    # https://cloud.google.com/apis/design/errors (DEADLINE_EXCEEDED 504)
    make_rule("google.deadline", r"(?-i:\bDEADLINE_EXCEEDED\b)", C.TIMEOUT, confidence=0.9),
)

DATABASE_RULES: tuple[ErrorRule, ...] = (
    # https://www.postgresql.org/docs/current/errcodes-appendix.html (53300 too_many_connections)
    make_rule(
        "postgresql.too_many_clients",
        r"sorry, too many clients already|remaining connection slots are reserved",
        C.RESOURCE,
        platform="postgresql",
        confidence=0.95,
    ),
    # https://www.postgresql.org/docs/current/auth-pg-hba-conf.html and 28P01 invalid_password
    make_rule(
        "postgresql.auth",
        r"password authentication failed for user|no pg_hba\.conf entry for host",
        C.PERMISSIONS,
        platform="postgresql",
        confidence=0.95,
    ),
    # https://www.postgresql.org/docs/current/errcodes-appendix.html (08001/08006: cannot connect)
    make_rule(
        "postgresql.refused",
        r"(?:could not connect to server|connection to server (?:at|on) [^\n]{0,160}failed)"
        r":\s{0,3}(?:Connection refused|No such file or directory)",
        C.CONNECTIVITY,
        platform="postgresql",
        confidence=0.95,
    ),
    # https://www.postgresql.org/docs/current/errcodes-appendix.html (57014 query_canceled)
    make_rule(
        "postgresql.statement_timeout",
        r"canceling statement due to statement timeout",
        C.TIMEOUT,
        platform="postgresql",
        confidence=0.95,
    ),
    # https://www.postgresql.org/docs/current/errcodes-appendix.html (42P01 undefined_table,
    # 42703 undefined_column, 3D000 invalid_catalog_name)
    make_rule(
        "postgresql.undefined_object",
        r"\b(?:relation|column|database|schema|role) \"[^\"\n]{1,128}\"(?: of relation "
        r"\"[^\"\n]{1,128}\")? does not exist",
        C.CONFIGURATION,
        platform="postgresql",
        confidence=0.9,
    ),
    # https://www.postgresql.org/docs/current/errcodes-appendix.html (23505 unique_violation, 23502,
    # 23503, 23514, 22P02 invalid_text_representation, 22001 string_data_right_truncation)
    make_rule(
        "postgresql.data",
        r"duplicate key value violates unique constraint|violates (?:not-null|foreign key|check) "
        r"constraint|invalid input syntax for|value too long for type",
        C.DATA,
        platform="postgresql",
        confidence=0.95,
    ),
    # https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html (1045, 1062, 1054,
    # 1146, 1205, 2003, 2006, 2013)
    make_rule(
        "mysql.access_denied",
        r"Access denied for user '",
        C.PERMISSIONS,
        platform="mysql",
        confidence=0.95,
    ),
    make_rule("mysql.duplicate", r"Duplicate entry '", C.DATA, platform="mysql", confidence=0.95),
    make_rule(
        "mysql.unknown_object",
        r"Unknown column '[^'\n]{1,128}' in|Table '[^'\n]{1,128}' doesn't exist|Unknown database '",
        C.CONFIGURATION,
        platform="mysql",
        confidence=0.9,
    ),
    make_rule(
        "mysql.connection",
        r"Can't connect to MySQL server|Lost connection to MySQL server|MySQL server has gone away",
        C.CONNECTIVITY,
        platform="mysql",
        replay_safety=ReplaySafety.MAY_DUPLICATE_WRITES,
        confidence=0.9,
    ),
)

AWS_RULES: tuple[ErrorRule, ...] = (
    # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (NoSuchBucket: a
    # configured bucket; NoSuchKey: an object key, which usually comes from the data)
    make_rule(
        "aws_s3.no_such_bucket",
        r"\bNoSuchBucket\b|specified bucket does not exist",
        C.CONFIGURATION,
        platform="aws_s3",
        confidence=0.95,
    ),
    make_rule(
        "aws_s3.no_such_key",
        r"\bNoSuchKey\b|specified key does not exist",
        C.DATA,
        platform="aws_s3",
        confidence=0.85,
    ),
    # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (503 SlowDown)
    make_rule(
        "aws_s3.slow_down",
        r"\bSlowDown\b|reduce your request rate",
        C.RESOURCE,
        platform="aws_s3",
        confidence=0.9,
    ),
    # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (301 PermanentRedirect)
    make_rule(
        "aws_s3.region",
        r"\bPermanentRedirect\b|\bAuthorizationHeaderMalformed\b|IllegalLocationConstraint"
        r"|must be addressed using the specified endpoint",
        C.CONFIGURATION,
        platform="aws_s3",
        confidence=0.9,
    ),
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
    make_rule(
        "aws_dynamodb.throughput",
        r"\bProvisionedThroughputExceeded(?:Exception)?\b",
        C.RESOURCE,
        platform="aws_dynamodb",
        confidence=0.95,
    ),
    # https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html
    make_rule(
        "aws_lambda.task_timeout",
        r"Task timed out after [\d.]{1,10} seconds",
        C.TIMEOUT,
        platform="aws_lambda",
        confidence=0.95,
    ),
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot.html and the STS error list
    make_rule(
        "aws.credentials",
        r"\bInvalidAccessKeyId\b|\bSignatureDoesNotMatch\b|\bExpiredToken(?:Exception)?\b"
        r"|\bUnrecognizedClientException\b|security token included in the request is (?:invalid"
        r"|expired)",
        C.PERMISSIONS,
        confidence=0.95,
    ),
    # https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html (NoCredentialsError)
    make_rule(
        "aws.no_credentials",
        r"Unable to locate credentials|\bNoCredentialsError\b",
        C.CONFIGURATION,
        confidence=0.95,
    ),
)

SAAS_RULES: tuple[ErrorRule, ...] = (
    # https://platform.openai.com/docs/guides/error-codes (429 insufficient_quota: billing, not a
    # burst limit, so waiting does not help)
    make_rule(
        "openai.insufficient_quota",
        r"\binsufficient_quota\b|exceeded your current quota",
        C.RESOURCE,
        severity=Severity.HIGH,
        retryable=False,
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        confidence=0.95,
    ),
    # https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
    make_rule(
        "github.bad_credentials",
        r"\bBad credentials\b|Resource not accessible by integration",
        C.PERMISSIONS,
        platform="github",
        confidence=0.9,
    ),
    # https://docs.stripe.com/api/errors (resource_missing for an object ID that the data names)
    make_rule(
        "stripe.no_such_object",
        r"No such (?:customer|charge|invoice|payment_intent|subscription|payment_method): '",
        C.DATA,
        platform="stripe",
        confidence=0.85,
    ),
)

PLATFORM_RULES: tuple[ErrorRule, ...] = (
    SLACK_RULES + SALESFORCE_RULES + MICROSOFT_RULES + GOOGLE_RULES + DATABASE_RULES + AWS_RULES
) + SAAS_RULES
"""All platform-specific signatures, most specific first."""
