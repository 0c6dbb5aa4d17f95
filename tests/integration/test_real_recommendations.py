"""Recommendations for real error messages, end to end through a stored session.

The messages are written the way the vendors' client libraries print them (the exception class and
the server's JSON), not copied from the knowledge base's examples: the test checks that they are
not. Each must come back classified, with advice from its platform's signature (steps, the
evidence it rests on, the vendor's doc link, retry advice), and repeats of one error must give one
recommendation, not one per line.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from flowdoctor import WorkflowTroubleshootingEngine
from flowdoctor.detect.knowledge import load_knowledge_base
from flowdoctor.domain import IssueCategory, ReplaySafety

C = IssueCategory

# (message, category, platform, retryable, host of the doc link)
REAL: list[tuple[str, IssueCategory, str, bool, str]] = [
    (
        # slack_sdk SlackApiError text: https://slack.dev/python-slack-sdk/api-docs/slack_sdk/errors/
        "slack_sdk.errors.SlackApiError: The request to the Slack API failed. (url: "
        "https://www.slack.com/api/chat.postMessage) The server responded with: "
        "{'ok': False, 'error': 'ratelimited'}",
        C.RESOURCE,
        "slack",
        True,
        "api.slack.com",
    ),
    (
        # simple_salesforce SalesforceExpiredSession, errorCode from the REST API error codes page
        "simple_salesforce.exceptions.SalesforceExpiredSession: Expired session for "
        "https://acme.my.salesforce.com/services/data/v59.0/sobjects/Account/. Response content: "
        "[{'message': 'Session expired or invalid', 'errorCode': 'INVALID_SESSION_ID'}]",
        C.PERMISSIONS,
        "salesforce",
        False,
        "developer.salesforce.com",
    ),
    (
        # Microsoft Graph error body: https://learn.microsoft.com/en-us/graph/errors
        '{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is '
        'not yet valid.","innerError":{"date":"2024-05-02T10:11:12","request-id":'
        '"3f2a9c1e-0d4b-4c6e-9a77-5b1f0e2d8c41"}}}',
        C.PERMISSIONS,
        "microsoft_graph",
        False,
        "learn.microsoft.com",
    ),
    (
        # libpq's message as psycopg2 raises it
        'psycopg2.OperationalError: connection to server at "10.0.3.17", port 5432 failed: '
        "Connection refused",
        C.CONNECTIVITY,
        "postgresql",
        True,
        "www.postgresql.org",
    ),
    (
        # openai-python RateLimitError: https://platform.openai.com/docs/guides/error-codes
        "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for "
        "gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 29500, "
        "Requested 1200. Please try again in 1.4s.', 'type': 'tokens', 'param': None, "
        "'code': 'rate_limit_exceeded'}}",
        C.RESOURCE,
        "openai",
        True,
        "platform.openai.com",
    ),
]


def test_the_messages_are_not_knowledge_base_examples() -> None:
    examples = {example for sig in load_knowledge_base().signatures() for example in sig.examples}
    assert not [message for message, *_ in REAL if message in examples]


@pytest.fixture
def engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> WorkflowTroubleshootingEngine:
    monkeypatch.setenv("FLOWDOCTOR_DATABASE_URL", database_url)
    return WorkflowTroubleshootingEngine()


def test_each_real_error_gets_its_platforms_advice(engine: WorkflowTroubleshootingEngine) -> None:
    session = engine.start_troubleshooting_session(
        workflow_id="crm_sync", error_logs=[message for message, *_ in REAL]
    )
    issues = {issue.platform: issue for issue in session.issues}
    recommendations = engine.generate_recommendations(session.session_id)
    by_platform = {r.platform: r for r in recommendations}
    kb = load_knowledge_base()
    for _, category, platform, retryable, host in REAL:
        issue = issues[platform]
        assert (issue.category, issue.retryable) == (category, retryable), platform
        signature = kb.signature(issue.rule_id or "")
        assert signature is not None and signature.platform == platform
        advice = by_platform[platform]
        # the signature's own steps, not the category's generic text
        assert advice.title == signature.title
        assert advice.steps[: len(signature.remediation)] == signature.remediation
        assert len(signature.remediation) >= 2
        assert advice.doc_url is not None and urlparse(advice.doc_url).hostname == host
        assert any(signature.signature_id in line for line in advice.evidence)
        assert advice.retryable is retryable
        if not retryable:
            assert advice.replay_safety is not ReplaySafety.SAFE
    engine.close()


def test_a_recurring_error_gives_one_recommendation(engine: WorkflowTroubleshootingEngine) -> None:
    message, _, platform, _, _ = REAL[0]
    repeats = [message.replace("chat.postMessage", f"chat.postMessage?n={n}") for n in range(5)]
    session = engine.start_troubleshooting_session(workflow_id="alerts", error_logs=repeats)
    assert [(issue.platform, issue.occurrences) for issue in session.issues] == [(platform, 5)]
    recommendations = engine.generate_recommendations(session.session_id)
    assert [r.platform for r in recommendations].count(platform) == 1
    assert any("5 time" in line for line in recommendations[0].evidence)
    engine.close()


def test_an_exception_with_its_traceback_is_one_message(
    engine: WorkflowTroubleshootingEngine,
) -> None:
    # slack_sdk prints its error on two lines; a pasted traceback has several more
    message = (
        "Traceback (most recent call last):\n"
        '  File "/app/notify.py", line 21, in post\n'
        "    client.chat_postMessage(channel=channel, text=text)\n"
        "slack_sdk.errors.SlackApiError: The request to the Slack API failed. "
        "(url: https://www.slack.com/api/chat.postMessage)\n"
        "The server responded with: {'ok': False, 'error': 'ratelimited'}"
    )
    session = engine.start_troubleshooting_session(workflow_id="alerts", error_logs=[message])
    assert [(i.category, i.platform, i.occurrences) for i in session.issues] == [
        (C.RESOURCE, "slack", 1)
    ]
    engine.close()


def test_a_pasted_log_is_read_record_by_record(engine: WorkflowTroubleshootingEngine) -> None:
    pasted = (
        "2026-11-28T10:00:00Z ERROR [crm] INVALID_SESSION_ID: Session expired or invalid\n"
        "2026-11-28T10:00:05Z ERROR [crm] export failed\n"
        "Traceback (most recent call last):\n"
        '  File "/app/export.py", line 9, in run\n'
        'psycopg2.OperationalError: connection to server at "10.0.3.17", port 5432 failed: '
        "Connection refused"
    )
    session = engine.start_troubleshooting_session(workflow_id="crm", error_logs=[pasted])
    found = sorted((i.platform or "", i.category.value) for i in session.issues)
    assert found == [("postgresql", "connectivity"), ("salesforce", "permissions")]
    engine.close()
