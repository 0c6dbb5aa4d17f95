"""The shipped knowledge base: its coverage, its examples, and the validation of its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowdoctor.detect.knowledge import (
    GENERIC,
    build_knowledge_base,
    load_directory,
    load_knowledge_base,
    parse_yaml,
)
from flowdoctor.detect.knowledge.__main__ import main as check_main
from flowdoctor.detect.knowledge.check import check_examples
from flowdoctor.detect.knowledge.rules import signature_classifier
from flowdoctor.errors import KnowledgeBaseError

# The platforms issue 3 names; ids as flowdoctor spells them.
REQUIRED_PLATFORMS = {
    "slack", "microsoft_teams", "microsoft_graph", "outlook", "salesforce", "hubspot", "zendesk",
    "jira", "confluence", "github", "gitlab", "google_sheets", "google_drive", "gmail",
    "google_bigquery", "stripe", "shopify", "twilio", "sendgrid", "mailchimp", "zoom", "notion",
    "airtable", "asana", "trello", "dropbox", "box", "intercom", "quickbooks", "xero", "aws_s3",
    "aws_lambda", "aws_dynamodb", "aws_sqs", "azure", "postgresql", "mysql", "mongodb", "redis",
    "snowflake", "openai",
}  # fmt: skip
GENERIC_FAMILIES = {"python", "nodejs", "java", "go", "network", "http"}

GOOD = """
platform: acme
name: Acme
detect: {order: 50, patterns: ['\\bacme\\.example\\b']}
signatures:
  - id: acme.quota
    match: '\\bQUOTA_EXCEEDED\\b'
    case_sensitive: true
    category: resource
    title: Acme daily quota used up
    remediation: [Raise the daily quota under Settings > API.]
    source: https://acme.example/docs/errors
    examples: ['acme.example said QUOTA_EXCEEDED for key 42']
  - id: acme.not_found
    match: '\\bnot_found\\b'
    scoped: true
    category: configuration
    title: Acme object not found
    remediation: [Check the object id configured in the step.]
    source: https://acme.example/docs/errors
    examples: ['{"error": "not_found"}']
"""


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return load_knowledge_base()


def test_covers_every_platform_the_issue_names(kb) -> None:  # type: ignore[no-untyped-def]
    platforms = {profile.platform for profile in kb.platforms()}
    assert platforms >= REQUIRED_PLATFORMS, sorted(REQUIRED_PLATFORMS - platforms)
    assert len(platforms) >= 35


def test_has_generic_runtime_network_and_http_families(kb) -> None:  # type: ignore[no-untyped-def]
    generic_ids = {sig.signature_id for sig in kb.signatures() if sig.platform is None}
    families = {signature_id.split(".", 1)[0] for signature_id in generic_ids}
    assert families >= GENERIC_FAMILIES


def test_every_example_is_classified_by_its_own_signature(kb) -> None:  # type: ignore[no-untyped-def]
    problems = check_examples(kb)
    assert problems == [], "\n".join(
        f"{p.signature_id} <- {p.got}: {p.example[:120]}" for p in problems[:20]
    )


def test_every_signature_says_what_to_do_and_where_it_comes_from(kb) -> None:  # type: ignore[no-untyped-def]
    for signature in kb.signatures():
        assert signature.remediation, signature.signature_id
        assert all(len(step) >= 20 for step in signature.remediation), signature.signature_id
        assert signature.source.startswith(("https://", "http://")), signature.signature_id


def test_platform_profiles_have_detection_patterns(kb) -> None:  # type: ignore[no-untyped-def]
    for profile in kb.platforms():
        assert profile.platform != GENERIC
        assert profile.detect_patterns, profile.platform


def test_a_valid_file_parses_with_category_defaults() -> None:
    parsed = parse_yaml(GOOD, "acme.yaml")
    quota = parsed.signatures[0]
    assert (quota.platform, quota.category.value, quota.case_sensitive) == (
        "acme",
        "resource",
        True,
    )
    assert quota.severity is None  # left to the category default
    assert quota.doc == quota.source


def test_scoped_signature_applies_only_when_the_platform_is_known() -> None:
    base = build_knowledge_base([parse_yaml(GOOD, "acme.yaml")])
    classifier = signature_classifier(base.signatures(), base.platforms())
    assert classifier.classify('{"error": "not_found"}') is None
    told = classifier.classify('{"error": "not_found"}', platform="acme")
    assert told is not None and told.rule_id == "acme.not_found"
    detected = classifier.classify('acme.example replied {"error": "not_found"}')
    assert detected is not None and detected.rule_id == "acme.not_found"


def test_case_sensitive_signature_ignores_other_cases() -> None:
    base = build_knowledge_base([parse_yaml(GOOD, "acme.yaml")])
    classifier = signature_classifier(base.signatures(), base.platforms())
    assert classifier.classify("quota_exceeded") is None
    hit = classifier.classify("QUOTA_EXCEEDED")
    assert hit is not None and hit.rule_id == "acme.quota"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (("category: resource", "category: weather"), "signatures[0].acme.quota.category"),
        (("category: resource", "category: unclassified"), "nine categories"),
        (("title: Acme daily", "titel: Acme daily"), "titel: unknown key"),
        (("match: '\\bQUOTA_EXCEEDED\\b'", "match: '(unclosed'"), "does not compile"),
        (
            (
                "source: https://acme.example/docs/errors\n    examples: ['acme",
                "source: nope\n    examples: ['acme",
            ),
            "not an http(s) URL",
        ),
        (
            ("examples: ['acme.example said QUOTA_EXCEEDED for key 42']", "examples: []"),
            "non-empty list",
        ),
        (("case_sensitive: true", "case_sensitive: 'yes'"), "true or false"),
        (("id: acme.quota", "id: Acme Quota"), "lowercase snake_case"),
        (("platform: acme", "platform: Acme!"), "snake_case id"),
        (("detect: {order: 50, patterns: ['\\bacme\\.example\\b']}\n", ""), "detect patterns"),
        (("- id: acme.quota", "- {}\n  - id: acme.quota"), "is required"),
    ],
)
def test_malformed_files_are_refused_naming_file_and_field(
    change: tuple[str, str], complaint: str
) -> None:
    text = GOOD.replace(*change, 1)
    assert text != GOOD
    with pytest.raises(KnowledgeBaseError) as raised:
        parse_yaml(text, "acme.yaml")
    assert str(raised.value).startswith("acme.yaml: ")
    assert complaint in str(raised.value)


def test_invalid_yaml_and_non_mapping_are_refused() -> None:
    with pytest.raises(KnowledgeBaseError, match="not valid YAML"):
        parse_yaml("platform: [unclosed", "bad.yaml")
    with pytest.raises(KnowledgeBaseError, match="expected a mapping"):
        parse_yaml("- just a list", "list.yaml")


def test_ids_must_be_unique_and_prefixed_across_files() -> None:
    first = parse_yaml(GOOD, "acme.yaml")
    again = parse_yaml(GOOD, "acme2.yaml")
    with pytest.raises(KnowledgeBaseError, match="repeated: acme"):
        build_knowledge_base([first, again])
    other = parse_yaml(GOOD.replace("platform: acme", "platform: other"), "other.yaml")
    with pytest.raises(KnowledgeBaseError, match=r"must start with 'other\.'"):
        build_knowledge_base([other])


def test_checker_command_reports_and_exits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "acme.yaml").write_text(GOOD, encoding="utf-8")
    assert check_main([str(tmp_path)]) == 0
    assert "2/2 examples classified by their own signature" in capsys.readouterr().out
    # An example its own signature does not match is reported, exit 1.
    wrong = GOOD.replace("for key 42", "for key 42").replace(
        'examples: [\'{"error": "not_found"}\']', "examples: ['all is well']"
    )
    (tmp_path / "acme.yaml").write_text(wrong, encoding="utf-8")
    assert check_main([str(tmp_path)]) == 1
    assert "acme.not_found: example decided by None" in capsys.readouterr().out
    (tmp_path / "acme.yaml").write_text("platform: [", encoding="utf-8")
    assert check_main([str(tmp_path)]) == 2
    assert load_directory(tmp_path.parent / "missing-folder").files == ()
