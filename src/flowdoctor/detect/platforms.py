"""Which platform an error message came from, told by API hostnames, client exception classes,
driver module names and the shapes of the platform's own error codes.

The patterns live with each platform's signatures in the knowledge base (``detect:`` in
``detect/knowledge/data/*.yaml``). :func:`detect_platform` returns the first platform, in
``detect.order``, whose patterns match. Order matters where one text names two: a PostgreSQL error
about an ``rds.amazonaws.com`` host is PostgreSQL, so database drivers come before cloud hostnames,
and specific services before the generic ``aws``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from flowdoctor.detect.knowledge.base import load_knowledge_base
from flowdoctor.detect.prefilter import RulePrefilter
from flowdoctor.detect.text import examined_text


class PlatformDetector:
    """Tell the platform a text names from ordered ``(platform, patterns)`` pairs.

    The first platform whose patterns match wins; an Aho-Corasick prefilter rules out platforms
    whose words are absent, so the cost hardly grows with the number of platforms.

    >>> PlatformDetector([("acme", [r"\\bacme\\.example\\b"])]).detect("GET acme.example/v1")
    'acme'
    """

    def __init__(self, registry: Iterable[tuple[str, Sequence[str]]]) -> None:
        self._compiled = tuple(
            (platform, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))
            for platform, patterns in registry
            if patterns
        )
        self._prefilter = RulePrefilter([pattern for _, pattern in self._compiled])

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms this detector knows, in the order they are tried."""
        return tuple(platform for platform, _ in self._compiled)

    @property
    def patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """Each platform with its compiled alternation, in the order they are tried."""
        return self._compiled

    def detect(self, text: str) -> str | None:
        """The platform ``text`` names, or ``None`` when it names none."""
        examined = examined_text(text)
        candidates = self._prefilter.may_match(examined)
        for index, (platform, pattern) in enumerate(self._compiled):
            if index in candidates and pattern.search(examined):
                return platform
        return None


@functools.cache
def default_platform_detector() -> PlatformDetector:
    """The detector over the knowledge base's platform profiles (built once per process)."""
    profiles = load_knowledge_base().platforms()
    return PlatformDetector((profile.platform, profile.detect_patterns) for profile in profiles)


def detect_platform(text: str) -> str | None:
    """The platform ``text`` names, or ``None`` when it names none.

    >>> detect_platform("botocore.exceptions.ClientError: An error occurred (NoSuchBucket)")
    'aws_s3'
    >>> detect_platform("psycopg2.OperationalError: could not connect to server")
    'postgresql'
    """
    return default_platform_detector().detect(text)
