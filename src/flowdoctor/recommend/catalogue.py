"""The remediation catalogue, as data: what to do about each kind of failure.

One ``Remedy`` per category (all nine and ``unclassified``) as the fallback, and ``SPECIFIC``
entries for common cases, matched by rule id prefix, platform and words of the message. Text may
hold a ``{platform}`` placeholder, filled by ``Remedy.filled``. To add advice, add an entry here.
"""

from __future__ import annotations

from flowdoctor.domain import IssueCategory
from flowdoctor.recommend.remedy import Remedy, SpecificRemedy

_C = IssueCategory


CATEGORY_REMEDIES: dict[IssueCategory, Remedy] = {
    _C.CONFIGURATION: Remedy(
        "Correct the configuration the workflow uses for {platform}",
        (
            "Compare the IDs, names, URLs and regions in the failing step with what exists in "
            "{platform} (channel, bucket, object, field mapping, API version).",
            "Check that every setting, environment variable and secret the step reads is set.",
            "Check that the feature or API the step uses is enabled for the account on {platform}.",
            "Re-run one failed run by hand to confirm before replaying the rest.",
        ),
        "The request refers to something that is missing or set wrong; retrying will not help "
        "until the configuration changes.",
    ),
    _C.CONNECTIVITY: Remedy(
        "Restore the network path to {platform}",
        (
            "Resolve and connect to the endpoint of {platform} from where the workflow runs "
            "(DNS, firewall, proxy).",
            "Check TLS certificates and the trust store if the handshake fails.",
            "Retry with exponential backoff so short network blips heal on their own.",
        ),
        "The service could not be reached at the network level; the request itself may be fine.",
    ),
    _C.PERMISSIONS: Remedy(
        "Re-authenticate the connection to {platform} and check its access",
        (
            "Reconnect or re-authorise the credentials the workflow uses for {platform}.",
            "Check the token or key has not expired or been revoked, and renew it if so.",
            "Check the account has the scopes, roles or IP allow-listing the failing call needs.",
        ),
        "Authentication or authorisation failed; every run will fail the same way until the "
        "credentials or grants are fixed.",
    ),
    _C.PERFORMANCE: Remedy(
        "Find what slowed {platform} down",
        (
            "Compare response times and throughput with the baseline to find the slow step.",
            "Look for growing payloads, missing pagination or unindexed queries in that step.",
            "Move long work to asynchronous or batched calls and cache repeated lookups.",
        ),
        "The workflow is slower or less productive than normal without failing outright.",
        default_subject="the workflow",
    ),
    _C.DATA: Remedy(
        "Fix the records {platform} rejects",
        (
            "Look at the rejected records and the field each error names.",
            "Add validation or a transform before the write (required fields, types, lengths, "
            "formats, encoding).",
            "Handle duplicates with an upsert or a unique key check.",
            "Replay only the corrected records.",
        ),
        "The content being sent does not fit what the target accepts; resending it unchanged "
        "will fail again.",
    ),
    _C.LOGIC: Remedy(
        "Fix the defect in the workflow step",
        (
            "Reproduce the failure with the input of a failed run.",
            "Guard the missing key, null value or bad index the error names, or fix the "
            "expression.",
            "Add a test with that input before redeploying.",
        ),
        "The workflow's own code fails; only a change to the workflow fixes it.",
    ),
    _C.EXTERNAL_SERVICE: Remedy(
        "Ride out the outage of {platform} and retry",
        (
            "Check the status page of {platform} for an incident or maintenance.",
            "Retry with exponential backoff and jitter; cap the attempts.",
            "Queue the work or fail over if the outage lasts.",
        ),
        "The remote service failed on its side; the same request usually succeeds later.",
    ),
    _C.TIMEOUT: Remedy(
        "Keep calls to {platform} within their time limit",
        (
            "Find which call times out and how long it usually takes.",
            "Send smaller requests (pagination, smaller batches) or move the work to an "
            "asynchronous job.",
            "Raise the timeout only if the call is legitimately slow, and retry with backoff.",
        ),
        "An operation ran past its time limit; smaller or asynchronous work avoids hitting it.",
    ),
    _C.RESOURCE: Remedy(
        "Stay within the limits and quotas of {platform}",
        (
            "Back off when the limit is hit, honouring Retry-After when it is sent.",
            "Spread or batch requests to stay under the rate limit or quota.",
            "Raise the quota or the capacity (memory, disk, connections) if demand is real.",
        ),
        "A bounded capacity or allowance ran out; waiting or lowering demand lets runs succeed.",
    ),
    _C.UNCLASSIFIED: Remedy(
        "Investigate the unrecognised errors from {platform}",
        (
            "Read a few full examples of the error, with their context lines.",
            "Check the documentation of {platform} for the error code or message.",
            "Once understood, add a rule so flowdoctor classifies it next time.",
        ),
        "flowdoctor could not tell what kind of failure this is, so it does not guess a fix.",
    ),
}
"""The fallback remedy of every category."""

SPECIFIC: tuple[SpecificRemedy, ...] = (
    SpecificRemedy(
        _C.PERMISSIONS,
        Remedy(
            "Re-authorise the Salesforce connected app",
            (
                "Reconnect the Salesforce connection so it gets a new session.",
                "Check the session timeout and 'Lock sessions to the IP address' policies of the "
                "connected app and the integration user's profile.",
                "Use the OAuth refresh token flow so sessions are renewed before they expire.",
            ),
            "INVALID_SESSION_ID means the session or token used is expired or was revoked.",
        ),
        platform="salesforce",
        rule_prefixes=("salesforce.invalid_session",),
        keywords=("invalid_session_id", "session expired", "session is invalid"),
    ),
    SpecificRemedy(
        _C.RESOURCE,
        Remedy(
            "Stay under the Salesforce API request limit",
            (
                "Check the org's API usage in Setup > System Overview.",
                "Use the Bulk API or composite requests instead of one call per record.",
                "Buy more API calls or spread the sync over the day if demand is real.",
            ),
            "REQUEST_LIMIT_EXCEEDED means the org used up its rolling 24-hour API allowance.",
        ),
        platform="salesforce",
        rule_prefixes=("salesforce.request_limit",),
        keywords=("request_limit_exceeded", "api limit", "concurrent"),
    ),
    SpecificRemedy(
        _C.RESOURCE,
        Remedy(
            "Honour Slack's Retry-After and batch messages",
            (
                "On HTTP 429 wait the number of seconds in the Retry-After header, then retry.",
                "Post at most about one message per second per channel; batch updates into one "
                "message.",
                "Spread bulk calls out instead of sending them in a burst.",
            ),
            "Slack limits each method per workspace and each channel; bursts are throttled.",
        ),
        platform="slack",
        rule_prefixes=("slack.rate",),
    ),
    SpecificRemedy(
        _C.CONFIGURATION,
        Remedy(
            "Fix the Slack channel the workflow posts to",
            (
                "Check the channel ID in the step still exists and is not archived.",
                "Invite the app's bot user to the channel (/invite @app).",
            ),
            "channel_not_found / not_in_channel: the channel is wrong or the bot is not a member.",
        ),
        platform="slack",
        rule_prefixes=("slack.channel",),
        keywords=("channel_not_found", "not_in_channel", "is_archived"),
    ),
    SpecificRemedy(
        _C.PERMISSIONS,
        Remedy(
            "Refresh the OAuth token for {platform} automatically",
            (
                "Use the refresh token to get a new access token before it expires.",
                "If the refresh token itself is rejected (invalid_grant), re-authorise the "
                "connection once by hand.",
                "Store the newly issued refresh token if {platform} rotates it.",
            ),
            "An expired access token is routine; the refresh token flow renews it without a human.",
        ),
        rule_prefixes=("oauth.expired", "oauth.invalid_grant"),
        keywords=(
            "token expired",
            "token has expired",
            "expired token",
            "expired_token",
            "token_expired",
            "invalid_grant",
            "expired access token",
        ),
    ),
    SpecificRemedy(
        _C.TIMEOUT,
        Remedy(
            "Raise the Lambda timeout or split the work",
            (
                "Compare the function's configured timeout with its usual duration.",
                "Process fewer items per invocation, or fan out with a queue.",
                "Raise the timeout (up to 15 minutes) only if the work cannot be split.",
            ),
            "The function was stopped when it reached its configured timeout.",
        ),
        platform="aws_lambda",
    ),
    SpecificRemedy(
        _C.RESOURCE,
        Remedy(
            "Pool PostgreSQL connections",
            (
                "Use a connection pool (or PgBouncer) so each run does not open new connections.",
                "Close connections the workflow leaves open.",
                "Raise max_connections only if the server has memory for them.",
            ),
            "The server refused new connections because all slots were in use.",
        ),
        platform="postgresql",
        keywords=("too many connections", "connection slots", "too many clients"),
    ),
    SpecificRemedy(
        _C.RESOURCE,
        Remedy(
            "Back off on the rate limits of {platform}",
            (
                "On HTTP 429 wait for Retry-After (or back off exponentially), then retry.",
                "Throttle the workflow below the documented rate limit of {platform}.",
                "Batch requests where {platform} offers a bulk endpoint.",
            ),
            "The service throttled the workflow; the same requests succeed when sent slower.",
        ),
        rule_prefixes=("http.429",),
        keywords=("429", "rate limit", "ratelimit", "rate_limit", "too many requests", "throttl"),
    ),
)
"""Specific cases, most specific first: the first match wins."""


def remedy_for(
    category: IssueCategory,
    *,
    platform: str | None = None,
    rule_id: str | None = None,
    message: str = "",
) -> tuple[Remedy, bool]:
    """The remedy for an issue, filled for its platform, and whether a specific entry matched.

    >>> remedy, specific = remedy_for(IssueCategory.RESOURCE, platform="slack")
    >>> remedy.title, specific
    ("Honour Slack's Retry-After and batch messages", True)
    """
    for entry in SPECIFIC:
        if entry.matches(category, platform, rule_id, message):
            return entry.remedy.filled(platform), True
    return CATEGORY_REMEDIES[category].filled(platform), False
