"""A stable short name for "this template, in this category, on this platform"."""

from __future__ import annotations

import hashlib
import re

FINGERPRINT_HEX_CHARS = 16

_IDENTIFIER_TOKENS = re.compile(r"<(?:NUM|ID|HEX|UUID)>")
"""Tokens that all stand for "some identifier": a user id may be 9819138768 in one line and
c4c324c985 in the next, masked as <NUM> and <ID>; the error is the same, so is its group."""


def fingerprint(template: str, *, category: str, platform: str | None) -> str:
    """16 hex characters naming one error group.

    The same inputs give the same value in any process on any machine (unlike ``hash()``), so a
    fingerprint can be stored and compared across runs.

    >>> len(fingerprint("connect ECONNREFUSED <IP>", category="connectivity", platform=None))
    16
    >>> a = fingerprint("expired (user <NUM>)", category="permissions", platform="salesforce")
    >>> a == fingerprint("expired (user <ID>)", category="permissions", platform="salesforce")
    True
    """
    # Length prefixes keep ("ab", "c") and ("a", "bc") apart whatever characters the parts hold.
    platform_text = platform or ""
    shape = _IDENTIFIER_TOKENS.sub("<*>", template)
    key = f"{len(category)}:{category}{len(platform_text)}:{platform_text}{shape}"
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8)
    return digest.hexdigest()
