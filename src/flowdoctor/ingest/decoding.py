"""Bytes of one log line -> text, or the reason it is not text."""

from __future__ import annotations

import re

MAX_NON_TEXT_RATIO = 0.3
"""A line whose characters are more than this share undecodable or control bytes is binary.

Mostly-text lines with a few bad bytes (a Latin-1 "café" in a UTF-8 log) are kept, with the bad
bytes shown as U+FFFD; a chunk of a gzip file or an image is not.
"""

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
"""Terminal colour codes: ``\\x1b[31mERROR\\x1b[0m`` is the word ERROR to a reader."""

_NON_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f\ufffd]")
"""Control characters that do not occur in text (tab, form feed, CR, LF and ESC do), and U+FFFD."""


def decode_line(data: bytes) -> tuple[str, str | None]:
    """``(text, None)`` for a line of text, or ``("", reason)`` when it is not text.

    Invalid UTF-8 is replaced with U+FFFD when the line is mostly text. A leading byte-order mark
    and terminal colour codes are removed. Lines with NUL bytes are binary, whatever else they hold.

    >>> decode_line(b"\\xef\\xbb\\xbfcaf\\xe9 ok")
    ('caf\\ufffd ok', None)
    >>> decode_line(b"PK\\x03\\x04\\x00\\x00")[1]
    'contains NUL bytes (binary data)'
    """
    if b"\x00" in data:
        return "", "contains NUL bytes (binary data)"
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    if "\x1b" in text:
        text = _ANSI_ESCAPE.sub("", text)
    if _NON_TEXT.search(text) is not None and _non_text_ratio(text) > MAX_NON_TEXT_RATIO:
        return "", "not text (invalid UTF-8 or control bytes)"
    return text, None


def scrub_surrogates(text: str) -> str:
    """``text`` with lone surrogates (``"\\ud800"`` from JSON, say) as U+FFFD, so it can be encoded.

    >>> scrub_surrogates("a\\ud800b")
    'a\\ufffdb'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 is the one codec that can carry lone surrogates through and then replace them.
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def cut_utf8(data: bytes, limit: int) -> bytes:
    """At most ``limit`` bytes of ``data``, never ending in the middle of a UTF-8 character."""
    cut = data[:limit]
    if len(cut) < len(data) and cut:
        start = len(cut) - 1
        # Walk back over continuation bytes (10xxxxxx) to the lead byte of the last character.
        while start > 0 and len(cut) - start < 4 and cut[start] & 0xC0 == 0x80:
            start -= 1
        if len(cut) - start < _utf8_length(cut[start]):
            cut = cut[:start]
    return cut


def _utf8_length(lead: int) -> int:
    """How many bytes the character starting with ``lead`` takes (1 for invalid leads)."""
    if lead >= 0xF0:
        return 4 if lead < 0xF8 else 1
    if lead >= 0xE0:
        return 3
    if lead >= 0xC0:
        return 2
    return 1


def _non_text_ratio(text: str) -> float:
    # Only reached for lines that have at least one suspicious character, so ordinary lines
    # are never scanned character by character.
    bad = sum(1 for _ in _NON_TEXT.finditer(text))
    return bad / max(len(text), 1)
