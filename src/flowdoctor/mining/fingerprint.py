"""A stable short name for "this template, in this category, on this platform"."""

from __future__ import annotations

import hashlib

FINGERPRINT_HEX_CHARS = 16


def fingerprint(template: str, *, category: str, platform: str | None) -> str:
    """16 hex characters naming one error group.

    The same inputs give the same value in any process on any machine (unlike ``hash()``), so a
    fingerprint can be stored and compared across runs.

    >>> len(fingerprint("connect ECONNREFUSED <IP>", category="connectivity", platform=None))
    16
    """
    # Length prefixes keep ("ab", "c") and ("a", "bc") apart whatever characters the parts hold.
    platform_text = platform or ""
    key = f"{len(category)}:{category}{len(platform_text)}:{platform_text}{template}"
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8)
    return digest.hexdigest()
