"""What a knowledge-base file holds, and its validation: plain dicts in, frozen dataclasses out.

A file describes one platform (or one family of generic errors)::

    platform: slack                 # id: lowercase snake; "generic" for runtime/network/HTTP files
    name: Slack                     # how people write it
    order: 50                       # optional: files are tried by order, lowest first (see below)
    docs: https://api.slack.com/methods
    detect:                         # how to tell the platform from the text (omit for generic)
      order: 50                     # lower is tried first: databases 10, AWS services 20, ...
      patterns: ['\\bslack\\.com\\b', '\\bSlackApiError\\b']
    signatures:
      - id: slack.ratelimited       # "<platform>.<name>", unique across the knowledge base
        match: '\\bratelimited\\b'   # regex, case-insensitive unless case_sensitive: true
        category: resource          # one of the nine of shared/taxonomy.md
        severity: medium            # optional: the category's default
        retryable: true             # optional: the category's default
        replay: safe                # optional: safe | may_duplicate_writes | unsafe_until_fixed
        confidence: 0.95            # optional: 0.9
        scoped: false               # optional: true = only when the platform is already known
        title: Slack rate limit reached for the method
        remediation: [concrete steps naming the setting, scope, limit or API]
        source: https://api.slack.com/docs/rate-limits   # the public page the code comes from
        doc: https://...            # optional: where a user reads more; defaults to source
        examples: [real messages this signature must match]

``order`` places a file's signatures in the classification chain: files below
:data:`LATE_ORDER` are tried before the generic rule tables (platform codes, named exceptions),
files at or above it after them (bare HTTP statuses, the last resort). Default: 50.

Validation is strict: an unknown key, a wrong type, an empty list or a regex that does not compile
is a :class:`~flowdoctor.errors.KnowledgeBaseError` naming the file, the entry and the field. A bad
file is a bug in flowdoctor's data, so it fails loudly at load, never at classification time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flowdoctor.domain import IssueCategory, ReplaySafety, Severity
from flowdoctor.errors import KnowledgeBaseError

GENERIC = "generic"
"""The platform id of files holding errors that belong to no platform (runtimes, HTTP)."""

_E = TypeVar("_E", IssueCategory, Severity, ReplaySafety)

DEFAULT_CONFIDENCE = 0.9
DEFAULT_ORDER = 50
LATE_ORDER = 90
"""Files with this ``order`` or more are tried after the generic rule tables."""
_PLATFORM_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_SIGNATURE_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}\.[a-z0-9_.]{1,80}$")
_URL = re.compile(r"^https?://\S{3,}$")
_FILE_KEYS = frozenset({"platform", "name", "order", "docs", "detect", "signatures"})
_DETECT_KEYS = frozenset({"order", "patterns"})
_SIGNATURE_KEYS = frozenset(
    {
        "id",
        "match",
        "case_sensitive",
        "category",
        "severity",
        "retryable",
        "replay",
        "confidence",
        "scoped",
        "title",
        "remediation",
        "source",
        "doc",
        "examples",
    }
)


@dataclass(frozen=True, slots=True)
class ErrorSignature:
    """One known error: the text that identifies it, what it means and what to do about it.

    ``severity``, ``retryable`` and ``replay_safety`` are ``None`` when the file leaves them to the
    category's defaults (see :mod:`flowdoctor.detect.rule_model`).
    """

    signature_id: str
    platform: str | None
    pattern: str
    case_sensitive: bool
    category: IssueCategory
    severity: Severity | None
    retryable: bool | None
    replay_safety: ReplaySafety | None
    confidence: float
    scoped: bool
    title: str
    remediation: tuple[str, ...]
    source: str
    doc: str
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlatformProfile:
    """A platform: its name, where its docs are, and how to recognise it in text."""

    platform: str
    name: str
    docs: str | None
    detect_order: int
    detect_patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KnowledgeFile:
    """One parsed file: its platform profile and its signatures, in file order."""

    origin: str
    order: int
    profile: PlatformProfile
    signatures: tuple[ErrorSignature, ...]


def parse_knowledge_file(data: object, origin: str) -> KnowledgeFile:
    """Validate one file's parsed YAML and build its dataclasses.

    >>> kb = parse_knowledge_file({"platform": "acme", "name": "Acme",
    ...     "detect": {"order": 50, "patterns": ["acme"]}, "signatures": [{
    ...     "id": "acme.quota", "match": "QUOTA_EXCEEDED", "category": "resource",
    ...     "title": "Acme quota used up", "remediation": ["Raise the daily quota."],
    ...     "source": "https://acme.example/errors", "examples": ["QUOTA_EXCEEDED today"]}]},
    ...     "acme.yaml")
    >>> kb.signatures[0].category.value, kb.signatures[0].platform
    ('resource', 'acme')
    """
    where = _Where(origin)
    body = where.mapping(data, _FILE_KEYS, required=("platform", "name", "signatures"))
    platform = where.text(body, "platform")
    if not _PLATFORM_ID.match(platform):
        raise where.error("platform", f"{platform!r} is not a lowercase snake_case id")
    detect = body.get("detect")
    order = 100
    patterns: tuple[str, ...] = ()
    if detect is not None:
        detect_where = where.inside("detect")
        detect_body = detect_where.mapping(detect, _DETECT_KEYS, required=("order", "patterns"))
        order = detect_where.integer(detect_body, "order")
        patterns = detect_where.patterns(detect_body, "patterns", case_sensitive=False)
    elif platform != GENERIC:
        raise where.error("detect", "a platform file needs detect patterns")
    profile = PlatformProfile(
        platform=platform,
        name=where.text(body, "name"),
        docs=where.url(body, "docs") if "docs" in body else None,
        detect_order=order,
        detect_patterns=patterns,
    )
    entries = body["signatures"]
    if not isinstance(entries, list) or not entries:
        raise where.error("signatures", "must be a non-empty list")
    signatures = tuple(
        _signature(entry, where.inside(f"signatures[{index}]"), platform)
        for index, entry in enumerate(entries)
    )
    file_order = where.integer(body, "order") if "order" in body else DEFAULT_ORDER
    return KnowledgeFile(origin=origin, order=file_order, profile=profile, signatures=signatures)


def _signature(entry: object, where: _Where, platform: str) -> ErrorSignature:
    body = where.mapping(
        entry,
        _SIGNATURE_KEYS,
        required=("id", "match", "category", "title", "remediation", "source", "examples"),
    )
    signature_id = where.text(body, "id")
    where = where.inside(signature_id)
    if not _SIGNATURE_ID.match(signature_id):
        raise where.error("id", "must look like '<platform>.<name>' in lowercase snake_case")
    case_sensitive = bool(where.flag(body, "case_sensitive", default=False))
    category = where.choice(body, "category", IssueCategory)
    if category is IssueCategory.UNCLASSIFIED:
        raise where.error("category", "must be one of the nine categories, not unclassified")
    confidence = float(body.get("confidence", DEFAULT_CONFIDENCE))
    if not 0.0 < confidence <= 1.0:
        raise where.error("confidence", "must be within (0, 1]")
    source = where.url(body, "source")
    return ErrorSignature(
        signature_id=signature_id,
        platform=None if platform == GENERIC else platform,
        pattern=where.patterns(body, "match", case_sensitive=case_sensitive, single=True)[0],
        case_sensitive=case_sensitive,
        category=category,
        severity=where.choice(body, "severity", Severity) if "severity" in body else None,
        retryable=where.flag(body, "retryable", default=None),
        replay_safety=where.choice(body, "replay", ReplaySafety) if "replay" in body else None,
        confidence=confidence,
        scoped=bool(where.flag(body, "scoped", default=False)),
        title=where.text(body, "title"),
        remediation=where.texts(body, "remediation"),
        source=source,
        doc=where.url(body, "doc") if "doc" in body else source,
        examples=where.texts(body, "examples"),
    )


class _Where:
    """Where in which file a value sits, so every error names it; and the typed field readers."""

    def __init__(self, origin: str, path: str = "") -> None:
        self.origin = origin
        self.path = path

    def inside(self, part: str) -> _Where:
        return _Where(self.origin, f"{self.path}.{part}" if self.path else part)

    def error(self, key: str, problem: str) -> KnowledgeBaseError:
        place = f"{self.path}.{key}" if self.path else key
        return KnowledgeBaseError(f"{self.origin}: {place}: {problem}")

    def mapping(
        self, value: object, allowed: frozenset[str], *, required: tuple[str, ...]
    ) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error("", f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(str(key) for key in value if key not in allowed)
        if unknown:
            raise self.error(unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in value:
                raise self.error(key, "is required")
        return value

    def text(self, body: Mapping[str, Any], key: str) -> str:
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value.strip()

    def texts(self, body: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = body.get(key)
        if not isinstance(value, list) or not value:
            raise self.error(key, "must be a non-empty list of strings")
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.error(key, "every item must be a non-empty string")
        return tuple(item.strip() for item in value)

    def url(self, body: Mapping[str, Any], key: str) -> str:
        value = self.text(body, key)
        if not _URL.match(value):
            raise self.error(key, f"{value!r} is not an http(s) URL")
        return value

    def integer(self, body: Mapping[str, Any], key: str) -> int:
        value = body.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, "must be an integer")
        return value

    def flag(self, body: Mapping[str, Any], key: str, *, default: bool | None) -> bool | None:
        value = body.get(key, default)
        if value is not None and not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def choice(self, body: Mapping[str, Any], key: str, enum: type[_E]) -> _E:
        value = body.get(key)
        try:
            return enum(str(value))
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.error(key, f"{value!r} is not one of: {allowed}") from None

    def patterns(
        self, body: Mapping[str, Any], key: str, *, case_sensitive: bool, single: bool = False
    ) -> tuple[str, ...]:
        sources = (self.text(body, key),) if single else self.texts(body, key)
        flags = 0 if case_sensitive else re.IGNORECASE
        for source in sources:
            try:
                re.compile(source, flags)
            except re.error as exc:
                raise self.error(key, f"regex {source!r} does not compile: {exc}") from None
        return sources
