"""Recommendations from the knowledge base: a matched signature's title, steps and doc link, the
evidence each recommendation rests on, and the catalogue as the fallback."""

from __future__ import annotations

import itertools

import pytest

from flowdoctor.detect.knowledge import KnowledgeBase, build_knowledge_base, parse_yaml
from flowdoctor.domain import (
    DiagnosticFinding,
    IssueCategory,
    ReplaySafety,
    Severity,
    Stage,
    WorkflowIssue,
)
from flowdoctor.recommend import knowledge as knowledge_module
from flowdoctor.recommend.catalogue import CATEGORY_REMEDIES
from flowdoctor.recommend.ranking import recommend

SLACK_YAML = r"""
platform: slack
name: Slack
detect:
  order: 50
  patterns: ['\bslack\b']
signatures:
  - id: slack.ratelimited
    match: '\bratelimited\b'
    category: resource
    title: Slack rate limit reached for the method
    remediation:
      - Wait for the seconds in the Retry-After header before calling the method again.
      - Queue messages and post at most one per second per channel.
    source: https://api.slack.com/docs/rate-limits
    doc: https://api.slack.com/apis/rate-limits
    examples: ['Slack API error: ratelimited']
  - id: slack.not_in_channel
    match: '\bnot_in_channel\b'
    category: configuration
    title: The Slack app is not a member of the channel
    remediation: [Invite the app's bot user to the channel with /invite.]
    source: https://api.slack.com/methods/chat.postMessage
    examples: ['not_in_channel']
"""

_ids = itertools.count()


@pytest.fixture
def kb() -> KnowledgeBase:
    return build_knowledge_base([parse_yaml(SLACK_YAML, "slack.yaml")])


def issue(
    rule_id: str | None,
    occurrences: int,
    *,
    category: IssueCategory = IssueCategory.RESOURCE,
    platform: str | None = "slack",
    template: str = "Slack API error: ratelimited",
    replay: ReplaySafety = ReplaySafety.SAFE,
    retryable: bool = True,
) -> WorkflowIssue:
    return WorkflowIssue(
        fingerprint=f"fp{next(_ids)}",
        category=category,
        severity=Severity.MEDIUM,
        retryable=retryable,
        message_template=template,
        platform=platform,
        replay_safety=replay,
        confidence=0.95,
        rule_id=rule_id,
        occurrences=occurrences,
    )


def cause(category: IssueCategory, confidence: float, platform: str | None) -> DiagnosticFinding:
    return DiagnosticFinding(
        kind="root_cause",
        description="Slack throttles the workflow",
        confidence=confidence,
        stage=Stage.DIAGNOSIS,
        subject=platform,
        category=category,
        evidence=("error_rate 0.30 above the limit 0.05",),
    )


def test_a_signature_match_gives_its_title_steps_doc_and_evidence(kb: KnowledgeBase) -> None:
    (rec,) = recommend([issue("slack.ratelimited", 1204)], [], knowledge=kb)
    signature = kb.signatures()[0]
    assert rec.title == signature.title
    assert rec.steps == signature.remediation
    assert rec.doc_url == "https://api.slack.com/apis/rate-limits"
    assert rec.evidence == ("slack.ratelimited matched 1,204 times: Slack API error: ratelimited",)
    # The rationale still explains the kind of failure (the catalogue's category text).
    assert rec.rationale.startswith(CATEGORY_REMEDIES[IssueCategory.RESOURCE].rationale)


def test_doc_url_defaults_to_the_signature_source(kb: KnowledgeBase) -> None:
    found = issue(
        "slack.not_in_channel",
        2,
        category=IssueCategory.CONFIGURATION,
        template="not_in_channel",
        retryable=False,
    )
    (rec,) = recommend([found], [], knowledge=kb)
    assert rec.doc_url == "https://api.slack.com/methods/chat.postMessage"
    assert rec.evidence == ("slack.not_in_channel matched 2 times: not_in_channel",)


def test_the_root_cause_and_its_confidence_are_evidence(kb: KnowledgeBase) -> None:
    (rec,) = recommend(
        [issue("slack.ratelimited", 40)],
        [cause(IssueCategory.RESOURCE, 0.85, "slack")],
        knowledge=kb,
    )
    assert rec.evidence[-1] == "Root cause (85% confidence): Slack throttles the workflow"
    assert rec.confidence == pytest.approx(0.85)


def test_a_rule_that_is_no_signature_falls_back_to_the_catalogue(kb: KnowledgeBase) -> None:
    (rec,) = recommend([issue("slack.rate_limit_old", 3)], [], knowledge=kb)
    assert rec.title == "Honour Slack's Retry-After and batch messages"  # catalogue SPECIFIC
    assert rec.doc_url is None
    assert rec.evidence == ("slack.rate_limit_old matched 3 times: Slack API error: ratelimited",)


def test_issues_of_one_signature_merge_and_keep_the_riskiest_replay(kb: KnowledgeBase) -> None:
    first = issue("slack.ratelimited", 5)
    second = issue(
        "slack.ratelimited",
        9,
        template="chat.postMessage ratelimited",
        replay=ReplaySafety.MAY_DUPLICATE_WRITES,
        retryable=False,
    )
    (rec,) = recommend([first, second], [], knowledge=kb)
    assert rec.issue_fingerprints == (first.fingerprint, second.fingerprint)
    assert rec.replay_safety is ReplaySafety.MAY_DUPLICATE_WRITES
    assert not rec.retryable
    assert rec.steps[:-1] == kb.signatures()[0].remediation
    assert "duplicates" in rec.steps[-1]
    assert rec.evidence == (
        "slack.ratelimited matched 9 times: chat.postMessage ratelimited",
        "slack.ratelimited matched 5 times: Slack API error: ratelimited",
    )


def test_ranking_is_unchanged_signature_or_not(kb: KnowledgeBase) -> None:
    diagnosed = issue("slack.ratelimited", 1)
    undiagnosed = issue(
        None, 500, category=IssueCategory.TIMEOUT, platform=None, template="Read timed out"
    )
    recs = recommend(
        [undiagnosed, diagnosed], [cause(IssueCategory.RESOURCE, 0.9, "slack")], knowledge=kb
    )
    assert [r.title for r in recs] == [
        "Slack rate limit reached for the method",
        CATEGORY_REMEDIES[IssueCategory.TIMEOUT].filled(None).title,
    ]
    assert [r.priority for r in recs] == [1, 2]
    assert recs[1].evidence == ("500 timeout error(s), no rule matched: Read timed out",)


def test_evidence_is_bounded(kb: KnowledgeBase) -> None:
    issues = [issue("slack.ratelimited", 10 + n, template=f"ratelimited {n}") for n in range(7)]
    (rec,) = recommend(issues, [], knowledge=kb)
    assert len(rec.evidence) == 6
    assert rec.evidence[0] == "slack.ratelimited matched 16 times: ratelimited 6"
    assert rec.evidence[-1] == "and 2 more issue(s), seen 21 times"


def test_a_metric_only_cause_carries_its_own_evidence(kb: KnowledgeBase) -> None:
    (rec,) = recommend([], [cause(IssueCategory.PERFORMANCE, 0.7, None)], knowledge=kb)
    assert rec.doc_url is None
    assert rec.evidence == (
        "Root cause (70% confidence): Slack throttles the workflow",
        "error_rate 0.30 above the limit 0.05",
    )


def test_the_shipped_base_is_not_loaded_when_no_issue_names_a_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse() -> KnowledgeBase:
        raise AssertionError("the knowledge base was loaded")

    monkeypatch.setattr(knowledge_module, "load_knowledge_base", refuse)
    (rec,) = recommend([issue(None, 3)], [])
    assert rec.title == "Honour Slack's Retry-After and batch messages"


def test_the_shipped_base_is_the_default(
    monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase
) -> None:
    monkeypatch.setattr(knowledge_module, "load_knowledge_base", lambda: kb)
    (rec,) = recommend([issue("slack.ratelimited", 3)], [])
    assert rec.title == "Slack rate limit reached for the method"
