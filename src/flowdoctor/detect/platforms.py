"""Which platform an error message came from, told by API hostnames, client exception classes,
driver module names and the shapes of the platform's own error codes.

:data:`PLATFORM_SIGNATURES` is a plain registry (platform id -> patterns); :func:`detect_platform`
returns the first platform in registry order whose patterns match. Order matters where one text
names two: a PostgreSQL error about an ``rds.amazonaws.com`` host is PostgreSQL, so database drivers
come before cloud hostnames, and specific services before the generic ``aws``.
"""

from __future__ import annotations

import re

from flowdoctor.detect.prefilter import RulePrefilter
from flowdoctor.detect.text import examined_text

PLATFORM_SIGNATURES: dict[str, tuple[str, ...]] = {
    # Databases and infrastructure: their driver names are the most telling.
    "postgresql": (
        r"\bpsycopg2?\b",
        r"\basyncpg\b",
        r"pg_hba\.conf",
        r"\bpostgres(?:ql)?(?:\+\w{1,12})?://",
        r"\bpostgres(?:ql)?\b",
        r"\bPG::\w",
        r"\bpq: ",
        r"org\.postgresql",
        r"duplicate key value violates unique constraint",
        r"sorry, too many clients already",
    ),
    "mysql": (r"\bmysql", r"\bpymysql\b", r"\bMySQLdb\b", r"\bmariadb\b", r"Duplicate entry '"),
    "mongodb": (
        r"\bpymongo\b",
        r"\bMongo\w{0,30}Error\b",
        r"\bmongodb(?:\+srv)?://",
        r"\bE11000\b",
    ),
    "redis": (r"\bredis\b", r"\bioredis\b", r"\bWRONGTYPE\b", r"OOM command not allowed"),
    "snowflake": (r"snowflakecomputing\.com", r"\bsnowflake\b"),
    "elasticsearch": (r"\belasticsearch\b", r"\belastic\.co\b"),
    "opensearch": (r"\bopensearch\b",),
    "kafka": (r"\bkafka", r"\blibrdkafka\b"),
    # AWS services before the generic "aws" at the end.
    "aws_s3": (
        r"\bs3[.-][\w.-]{0,40}amazonaws\.com",
        r"\bs3://",
        r"\bNoSuchBucket\b",
        r"\bNoSuchKey\b",
        r"\bAmazon S3\b",
        r"when calling the (?:PutObject|GetObject|HeadObject|ListObjects(?:V2)?|DeleteObjects?"
        r"|CreateBucket|HeadBucket|CopyObject|UploadPart|CreateMultipartUpload) operation",
    ),
    "aws_dynamodb": (
        r"\bdynamodb\b",
        r"\bProvisionedThroughputExceeded",
        r"\bConditionalCheckFailed",
        r"when calling the (?:PutItem|GetItem|UpdateItem|DeleteItem|Query|Scan|BatchWriteItem"
        r"|BatchGetItem|TransactWriteItems) operation",
    ),
    "aws_lambda": (
        r"\blambda\.[\w.-]{0,40}amazonaws\.com",
        r"\baws[ _-]?lambda\b",
        r"Task timed out after [\d.]{1,10} seconds",
        r"\bRuntime\.\w{1,40}(?:Error|Exception)\b",
        r"when calling the Invoke operation",
    ),
    "aws_sqs": (r"\bsqs\b", r"AWS\.SimpleQueueService", r"queue\.amazonaws\.com"),
    # Messaging and Microsoft 365: Teams before Graph, since Teams calls go through Graph.
    "slack": (
        r"\bslack\.com\b",
        r"\bslack_sdk\b",
        r"\bSlackApiError\b",
        r"\bslackclient\b",
        r"@slack/",
        r"\bslack\b",
    ),
    "microsoft_teams": (
        r"teams\.microsoft\.com",
        r"\bMicrosoft Teams\b",
        r"webhook\.office\.com",
        r"graph\.microsoft\.com/[\w.]{1,10}/(?:teams|chats)/",
        r"\bbotframework\b",
    ),
    "outlook": (r"outlook\.office(?:365)?\.com", r"\boutlook\b"),
    "microsoft_graph": (
        r"graph\.microsoft\.com",
        r"\bmsgraph\b",
        r"Microsoft\.Graph",
        r"\bInvalidAuthenticationToken\b",
        r"\bAuthorization_RequestDenied\b",
        r"\bAADSTS\d{4,7}\b",
    ),
    "azure_blob": (r"blob\.core\.windows\.net", r"azure\.storage\.blob", r"\bBlobServiceClient\b"),
    "azure_functions": (
        r"azurewebsites\.net",
        r"\bazure[ _-]functions\b",
        r"Microsoft\.Azure\.WebJobs",
    ),
    # Google: each API has its own hostname; the generic messages are shared.
    "google_sheets": (
        r"sheets\.googleapis\.com",
        r"\bgspread\b",
        r"docs\.google\.com/spreadsheets",
        r"\bgoogle sheets\b",
        r"Unable to parse range",
    ),
    "google_drive": (
        r"googleapis\.com/(?:upload/)?drive",
        r"drive\.google\.com",
        r"\bgoogle drive\b",
    ),
    "google_bigquery": (r"\bbigquery\b",),
    "gmail": (r"gmail\.googleapis\.com", r"\bgmail\b"),
    "google_calendar": (r"/calendar/v3/", r"\bgoogle calendar\b", r"calendar\.google\.com"),
    "google_gemini": (r"generativelanguage\.googleapis\.com", r"\bgemini\b"),
    # CRMs, support, commerce, productivity.
    "salesforce": (
        r"\bsalesforce",
        r"\bforce\.com\b",
        r"\bsimple_salesforce\b",
        r"\bsObject\b",
        r"\bSOQL\b",
        r"(?-i:\b(?:INVALID_SESSION_ID|REQUEST_LIMIT_EXCEEDED|FIELD_CUSTOM_VALIDATION_EXCEPTION"
        r"|REQUIRED_FIELD_MISSING|INVALID_CROSS_REFERENCE_KEY|API_DISABLED_FOR_ORG)\b)",
    ),
    "hubspot": (r"\bapi\.hubapi\.com\b", r"\bhubspot", r"\bhubapi\b"),
    "zendesk": (r"\bzendesk",),
    "intercom": (r"\bintercom",),
    "stripe": (
        r"\bapi\.stripe\.com\b",
        r"\bstripe\b",
        r"\bStripe\w{0,30}Error\b",
        r"(?-i:\b(?:cus|pi)_[A-Za-z0-9]{14,30}\b)",
    ),
    "shopify": (
        r"\bmyshopify\.com\b",
        r"\bshopify",
    ),
    "quickbooks": (r"\bquickbooks", r"\bintuit\.com\b"),
    "xero": (r"\bxero\b",),
    "twilio": (r"\btwilio", r"\bTwilioRestException\b"),
    "sendgrid": (r"\bsendgrid",),
    "mailchimp": (r"\bmailchimp", r"\blist-manage\.com\b", r"\bmandrill"),
    "notion": (r"\bapi\.notion\.com\b", r"\bnotion(?:hq|_client|-client)\b", r"\bnotion\b"),
    "airtable": (r"\bairtable",),
    "confluence": (r"\bconfluence\b", r"atlassian\.net/wiki"),
    "jira": (r"\bjira\b", r"atlassian\.net/rest/api", r"\bJIRAError\b"),
    "github": (r"\bapi\.github\.com\b", r"\bgithub\b", r"\bPyGithub\b", r"\boctokit\b"),
    "gitlab": (r"\bgitlab",),
    "dropbox": (r"\bdropbox",),
    "box": (r"\bapi\.box\.com\b", r"\bboxsdk\b", r"\bBoxAPIException\b", r"\bbox\.com\b"),
    "zoom": (r"\bapi\.zoom\.us\b", r"\bzoom\.us\b", r"\bzoom\b"),
    "trello": (r"\btrello",),
    "asana": (r"\basana\b",),
    # AI APIs.
    "openai": (r"\bapi\.openai\.com\b", r"\bopenai\b", r"\bOpenAIError\b"),
    "anthropic": (r"\bapi\.anthropic\.com\b", r"\banthropic\b"),
    # Last: the generic AWS signatures, when no specific service said more.
    "aws": (r"\bamazonaws\.com\b", r"\bbotocore\b", r"\bboto3\b", r"@aws-sdk/", r"\baws-sdk\b"),
}
"""Platform id (lowercase snake) -> regex sources that identify it, tried in this order."""

_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (platform, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))
    for platform, patterns in PLATFORM_SIGNATURES.items()
)


_PREFILTER = RulePrefilter([pattern for _, pattern in _COMPILED])


def detect_platform(text: str) -> str | None:
    """The platform ``text`` names, or ``None`` when it names none.

    >>> detect_platform("botocore.exceptions.ClientError: An error occurred (NoSuchBucket)")
    'aws_s3'
    >>> detect_platform("psycopg2.OperationalError: could not connect to server")
    'postgresql'
    """
    examined = examined_text(text)
    candidates = _PREFILTER.may_match(examined)
    for index, (platform, pattern) in enumerate(_COMPILED):
        if index in candidates and pattern.search(examined):
            return platform
    return None
