"""How a platform id reads to a person. Pure: used by diagnosis and recommendations alike."""

from __future__ import annotations

_ACRONYMS = frozenset({"aws", "gcp", "s3", "sqs", "sns", "iam", "api", "sql", "crm", "ses"})


def platform_label(platform: str | None) -> str | None:
    """``aws_s3`` -> ``AWS S3``, ``salesforce`` -> ``Salesforce``; ``None`` for no platform.

    >>> platform_label("aws_s3"), platform_label("google-sheets"), platform_label(None)
    ('AWS S3', 'Google Sheets', None)
    """
    if not platform:
        return None
    words = platform.replace("-", "_").split("_")
    return " ".join(w.upper() if w.lower() in _ACRONYMS else w[:1].upper() + w[1:] for w in words)
