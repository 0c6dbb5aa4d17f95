"""The template miner on workflow error lines: grouping, ids, changes, caches, bounds, state."""

from __future__ import annotations

import json
import random
from collections import defaultdict

import pytest

from flowdoctor.mining import (
    STATE_VERSION,
    Template,
    TemplateChange,
    TemplateMatch,
    TemplateMiner,
)
from flowdoctor.mining.tokens import MAX_LINE_CHARS, MAX_TOKENS

# (event, line): lines of one event must share a template, lines of different events must not.
WORKFLOW_ERRORS = [
    ("rate", "HubSpot API returned 429 Too Many Requests, retry after 10 seconds (portal 4411223)"),
    ("slack", "Slack API error: channel_not_found for channel C04N1R2KX"),
    ("pg", "Connection to postgres://db.internal:5432/orders timed out after 30000 ms"),
    ("token", "Token refresh for connection google-sheets-prod failed: invalid_grant"),
    ("opened", "session opened for user alice by (uid=0)"),
    (
        "sf",
        "Salesforce upsert of Contact 0035g00000XyZ12AAB failed: DUPLICATE_VALUE on field Email",
    ),
    ("rate", "HubSpot API returned 429 Too Many Requests, retry after 2 seconds (portal 4411223)"),
    ("closed", "session closed for user alice"),
    ("token", "Token refresh for connection salesforce-eu failed: invalid_grant"),
    ("slack", "Slack API error: channel_not_found for channel C01ABCD9Z"),
    ("pg", "Connection to postgres://db.internal:5432/billing timed out after 15000 ms"),
    ("opened", "session opened for user bob by (uid=1001)"),
    (
        "sheets",
        "Google Sheets append to spreadsheet 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms "
        "range 'Orders!A1:F1' failed with HTTP 403",
    ),
    ("token", "Token refresh for connection hubspot-marketing failed: invalid_grant"),
    ("closed", "session closed for user bob"),
    (
        "sf",
        "Salesforce upsert of Contact 0035g00000Qw3rTAAB failed: DUPLICATE_VALUE on field Email",
    ),
    ("token", "Token refresh for connection teams-alerts failed: invalid_grant"),
    ("opened", "session opened for user carol by (uid=1002)"),
    ("closed", "session closed for user carol"),
    (
        "sheets",
        "Google Sheets append to spreadsheet 1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ "
        "range 'Leads!A1:C1' failed with HTTP 403",
    ),
    ("s3", "S3 PutObject to bucket exports-eu failed: AccessDenied (request id 7F3A9C2B1D4E)"),
    ("opened", "session opened for user dave by (uid=1003)"),
    ("rate", "HubSpot API returned 429 Too Many Requests, retry after 10 seconds (portal 99120)"),
    ("s3", "S3 PutObject to bucket exports-eu failed: AccessDenied (request id 0B1C2D3E4F5A)"),
    ("closed", "session closed for user dave"),
    ("token", "Token refresh for connection slack-ops failed: invalid_grant"),
    ("teams", "Teams webhook POST https://example.webhook.office.com/hook/abc returned 400: Bad"),
    ("teams", "Teams webhook POST https://example.webhook.office.com/hook/def returned 400: Bad"),
    ("mail", "SMTP delivery to ops@example.com failed: 550 mailbox unavailable"),
    ("mail", "SMTP delivery to billing@example.org failed: 550 mailbox unavailable"),
    ("https", "Webhook delivery over HTTPS to endpoint 12 failed"),
    ("https", "Webhook delivery over HTTPS to endpoint 7 failed"),
    ("http2", "Webhook delivery over HTTP2 to endpoint 12 failed"),
]


def _groups(miner: TemplateMiner, lines: list[str]) -> list[str | None]:
    ids = [miner.add(line).template_id for line in lines]
    return [miner.resolve(template_id) for template_id in ids]


def test_lines_of_one_event_share_a_template_and_other_events_do_not() -> None:
    miner = TemplateMiner()
    groups = _groups(miner, [line for _, line in WORKFLOW_ERRORS])
    by_event: dict[str, set[str | None]] = defaultdict(set)
    for (event, _), group in zip(WORKFLOW_ERRORS, groups, strict=True):
        by_event[event].add(group)
    assert all(len(ids) == 1 for ids in by_event.values()), dict(by_event)
    distinct = [next(iter(ids)) for ids in by_event.values()]
    assert len(set(distinct)) == len(distinct)
    assert len(miner) == len(by_event)


def test_templates_read_as_the_event_with_wildcards() -> None:
    miner = TemplateMiner()
    for _, line in WORKFLOW_ERRORS:
        miner.add(line)
    templates = {t.template for t in miner.templates()}
    assert "Token refresh for connection <*> failed: invalid_grant" in templates
    assert "session opened for user <*> by <*>" in templates
    assert "session closed for user <*>" in templates
    assert "Connection to <*> timed out after <*>" in templates
    assert "SMTP delivery to <*> failed: <*> mailbox unavailable" in templates


def test_two_words_at_one_place_are_two_events_but_four_are_a_variable() -> None:
    miner = TemplateMiner()
    opened = miner.add("session opened for user root")
    closed = miner.add("session closed for user root")
    assert opened.template_id != closed.template_id
    for user in ("admin", "guest", "oracle"):
        miner.add(f"session opened for user {user}")
    assert miner.resolve(opened.template_id) != miner.resolve(closed.template_id)
    merged = miner.match("session opened for user postgres")
    assert merged is not None
    assert merged.template == "session opened for user <*>"
    assert merged.template_id == miner.resolve(opened.template_id)


def test_changes_say_created_none_and_updated() -> None:
    miner = TemplateMiner()
    first = miner.add("Token refresh for connection crm-eu failed: invalid_grant")
    assert first.change is TemplateChange.CREATED
    assert miner.add("Token refresh for connection crm-eu failed: invalid_grant").change is (
        TemplateChange.NONE
    )
    changes = [
        miner.add(f"Token refresh for connection {name} failed: invalid_grant").change
        for name in ("crm-us", "ads", "sheets")
    ]
    assert changes == [TemplateChange.CREATED, TemplateChange.CREATED, TemplateChange.UPDATED]
    last = miner.add("Token refresh for connection mail failed: invalid_grant")
    assert (last.template_id, last.change) == (first.template_id, TemplateChange.NONE)
    assert last.count == 6


def test_merged_ids_resolve_to_the_oldest_cluster() -> None:
    miner = TemplateMiner()
    ids = [
        miner.add(f"Token refresh for connection {name} failed: invalid_grant").template_id
        for name in ("crm", "ads", "sheets", "mail")
    ]
    assert ids[0] == "T1"
    assert {miner.resolve(template_id) for template_id in ids} == {"T1"}
    assert miner.resolve("T404") is None
    assert miner.resolve("not an id") is None


def test_ids_are_the_same_in_every_run() -> None:
    lines = [line for _, line in WORKFLOW_ERRORS]
    assert _groups(TemplateMiner(), lines) == _groups(TemplateMiner(), lines)


def test_match_does_not_learn() -> None:
    miner = TemplateMiner()
    added = miner.add("Slack API error: ratelimited, retry after 30s")
    assert miner.match("Slack API error: something_else entirely") is None
    found = miner.match("Slack API error: ratelimited, retry after 45s")
    assert found is not None
    assert (found.template_id, found.count, found.change) == (
        added.template_id,
        1,
        TemplateChange.NONE,
    )
    assert len(miner) == 1
    assert miner.templates() == [Template(added.template_id, added.template, 1)]


def test_templates_are_listed_most_frequent_first_and_count_every_line() -> None:
    miner = TemplateMiner()
    for _, line in WORKFLOW_ERRORS:
        miner.add(line)
    listed = miner.templates()
    assert [t.count for t in listed] == sorted((t.count for t in listed), reverse=True)
    assert sum(t.count for t in listed) == len(WORKFLOW_ERRORS)
    assert listed[0].template == "Token refresh for connection <*> failed: invalid_grant"


def test_the_caches_never_change_an_answer() -> None:
    rng = random.Random(7)
    lines = [line for _, line in WORKFLOW_ERRORS]
    lines += [
        f"job {rng.choice(['sync', 'export', 'import', 'backup', 'rollup'])} failed after "
        f"{rng.randint(1, 99999)} ms on worker-{rng.randint(1, 40)}"
        for _ in range(300)
    ]
    rng.shuffle(lines)
    cached, uncached = TemplateMiner(), TemplateMiner(cache_size=0)
    for line in lines:
        assert cached.add(line) == uncached.add(line)
    assert cached.templates() == uncached.templates()


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "\x00\x01\x02\xff\xfe binary \x7f",
        "\ud800 lone surrogate \udfff",
        "émoji 🚀 and ünïcödé 42",
        "x" * 1_000_000,
        "word 12 " * 200_000,
        "<*> <*> <*>",
        "= , = ,,, ==",
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "surrogates",
        "unicode",
        "1MB-word",
        "1MB-words",
        "wild",
        "seps",
    ],
)
def test_any_string_is_accepted_and_bounded(line: str) -> None:
    miner = TemplateMiner()
    first = miner.add(line)
    again = miner.add(line)
    assert isinstance(first, TemplateMatch)
    assert again.template_id == first.template_id
    assert again.count == 2
    assert len(first.template) <= MAX_LINE_CHARS + 3 * MAX_TOKENS
    assert miner.match(line) is not None


def test_a_huge_line_is_cut_to_a_bounded_prefix_of_tokens() -> None:
    miner = TemplateMiner()
    match = miner.add("step failed " * 100_000)
    assert match.template.count("step") == MAX_TOKENS // 2


def test_the_cap_on_clusters_is_honoured_by_evicting_the_least_recently_matched() -> None:
    miner = TemplateMiner(max_clusters=5)
    kept = miner.add("Teams webhook returned 400: Bad payload")
    for index in range(50):
        miner.add("worker lost its lease" + " again" * index)  # 50 shapes that never merge
        miner.add("Teams webhook returned 400: Bad payload")  # recently matched: never evicted
        assert len(miner) <= 5
    assert miner.resolve(kept.template_id) == kept.template_id
    assert miner.resolve("T2") is None  # the first other template was evicted long ago
    assert len(miner.to_state()["clusters"]) <= 5


def test_constructor_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="max_clusters"):
        TemplateMiner(max_clusters=0)
    with pytest.raises(ValueError, match="min_distinct_values"):
        TemplateMiner(min_distinct_values=1)
    with pytest.raises(ValueError, match="min_constants"):
        TemplateMiner(min_constants=-1)
    with pytest.raises(ValueError, match="cache_size"):
        TemplateMiner(cache_size=-1)


# -- state ---------------------------------------------------------------------------------------


def test_state_is_versioned_json() -> None:
    miner = TemplateMiner()
    for _, line in WORKFLOW_ERRORS:
        miner.add(line)
    state = miner.to_state()
    assert state["version"] == STATE_VERSION == 1
    assert json.loads(json.dumps(state)) == state


def test_ids_and_counts_survive_a_round_trip_and_the_miner_carries_on_alike() -> None:
    lines = [line for _, line in WORKFLOW_ERRORS]
    original = TemplateMiner()
    ids = [original.add(line).template_id for line in lines[:20]]
    restored = TemplateMiner.from_state(json.loads(json.dumps(original.to_state())))
    assert restored.templates() == original.templates()
    assert restored.settings == original.settings
    assert [restored.resolve(i) for i in ids] == [original.resolve(i) for i in ids]
    for line in lines[20:] + lines[:20]:
        assert restored.add(line) == original.add(line)
    assert restored.to_state() == original.to_state()


def test_a_restored_capped_miner_keeps_its_eviction_order() -> None:
    miner = TemplateMiner(max_clusters=3)
    for word in ("alpha", "beta", "gamma"):
        miner.add(f"{word} replica is out of sync")
    miner.add("alpha replica is out of sync")  # alpha is now the most recently matched
    restored = TemplateMiner.from_state(miner.to_state())
    for copy in (miner, restored):
        copy.add("delta queue is full")
        assert copy.resolve("T1") == "T1"
        assert copy.resolve("T2") is None  # beta: least recently matched


@pytest.mark.parametrize("version", [0, 2, "1", None, True, 1.5])
def test_an_unknown_state_version_is_refused(version: object) -> None:
    state = TemplateMiner().to_state()
    state["version"] = version
    with pytest.raises(ValueError, match="version"):
        TemplateMiner.from_state(state)


def test_a_state_without_version_is_refused() -> None:
    state = TemplateMiner().to_state()
    del state["version"]
    with pytest.raises(ValueError, match="version None is not supported"):
        TemplateMiner.from_state(state)
