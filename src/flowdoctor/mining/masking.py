"""Masking: replace the variable parts of a message with tokens so repeats of one error look alike.

``Timeout after 5000ms calling https://api.x.com/v1/users/42`` and the same line with another
number and URL both become ``Timeout after <NUM>ms calling <URL>``. :data:`MASKS` is an ordered
list of (token, pattern); each pattern runs over the output of the one before, so broader shapes
(timestamps, URLs) are taken before the numbers inside them.

Every pattern is linear on any input: a lookbehind keeps a match from starting in the middle of a
run it already failed on, and every repeat is bounded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

MAX_INPUT_CHARS = 2_000
"""Only this much of a message is masked; a template is a summary, not a copy."""

MAX_TEMPLATE_CHARS = 500
"""A template is cut to this length (after masking, so tokens are never cut in half early on)."""

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}"
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
_ZONE = r"(?:\s?(?:z|utc|gmt|[+-]\d{2}:?\d{2}))?"

_TIMESTAMP = (
    # 2024-11-27T17:24:02.225Z, 2024-11-27 17:24:02,123 +0100, 2024/11/27 17:24
    rf"(?<!\d)\d{{4}}[-/]\d{{2}}[-/]\d{{2}}(?:[t ]{_CLOCK}{_ZONE})?(?!\d)"
    # Mon, 02 Jan 2006 15:04:05 GMT / 02 Jan 2006 / 27/Nov/2024:17:24:02 +0000
    rf"|(?:{_DAY},?\s)?\d{{1,2}}[\s/-]{_MONTH}[\s/-]\d{{4}}(?:[\s:]{_CLOCK}{_ZONE})?"
    # Jan 12 10:11:12 (syslog)
    rf"|\b{_MONTH}\s{{1,2}}\d{{1,2}}\s{_CLOCK}\b"
    # a bare clock time 17:24:02.225
    rf"|(?<![\d:])\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?{_ZONE}(?![\d:])"
)
_HEXGROUP = r"[0-9a-f]{1,4}"
_IPV6 = (
    rf"(?<![\w:])(?:(?:{_HEXGROUP}:){{7}}{_HEXGROUP}"
    rf"|(?:{_HEXGROUP}:){{1,7}}:(?:{_HEXGROUP}(?::{_HEXGROUP}){{0,6}})?"
    rf"|::(?:{_HEXGROUP}:){{0,6}}{_HEXGROUP})(?![\w:])"
)

MASKS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (token, re.compile(pattern, re.IGNORECASE))
    for token, pattern in (
        ("<URL>", r"(?<![\w.+-])[a-z][a-z0-9+.-]{1,15}://[^\s'\"<>()\[\]{}]{1,2000}"),
        ("<EMAIL>", r"(?<![\w.+-])[\w.+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}\b"),
        ("<UUID>", r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
        ("<TS>", _TIMESTAMP),
        ("<IP>", r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)(?::\d{1,5}\b)?"),
        ("<IP>", _IPV6),
        # 0x1f, and hex ids of 7+ digits with at least one letter and one digit (a short git
        # sha 9fcc309, an ObjectId, a sha256).
        (
            "<HEX>",
            r"\b0x[0-9a-f]{1,64}\b|\b(?=[0-9a-f]{0,63}[a-f])(?=[0-9a-f]{0,63}\d)[0-9a-f]{7,}\b",
        ),
        # Mixed letter/digit ids of 8+ characters: a1b2c3d4zz, 0015g00000XyZabAAB, wf_e39632ad.
        (
            "<ID>",
            r"(?<![\w-])(?=[\w-]{0,127}\d)(?=[\w-]{0,127}[a-z])[a-z0-9][\w-]{7,127}(?![\w-])"
            # Short names numbered after an underscore: wf_7, user_1826, order_line_12.
            r"|(?<![\w-])[a-z][a-z0-9]{0,30}(?:_[a-z][a-z0-9]{0,30}){0,4}_\d{1,20}(?![\w-])",
        ),
        ("<NUM>", r"(?<![\w.])[-+]?\d{1,30}(?:\.\d{1,30})?(?!\d)"),
    )
)
"""(token, pattern) in the order they are applied; quoted values are handled after these."""

_QUOTED = re.compile(
    r"""(?<![\w'"])(?P<q>['"])(?P<body>[^'"\n]{0,200})(?P=q)(?:(?P<key>\s{0,3}:)|(?![\w'"]))"""
)
_CODE_KEY = re.compile(
    r"""(?<![a-z])(?:error|code|type|reason|status|kind)['"]?\s{0,3}[:=]\s{0,3}$""", re.I
)
"""A value right after one of these keys is an error code (``'error': 'ratelimited'``): keep it."""
_CODE_LIKE = re.compile(r"[a-z]{1,40}(?:[_.][a-z]{1,40}){1,6}|[A-Z]{1,40}(?:_[A-Z]{1,40}){1,6}")


_PROSE_WORDS = 3
"""A quoted text of this many words or more is prose (a JSON ``"message"``), not a value."""


def _mask_quoted(match: re.Match[str]) -> str:
    """``'abc123'`` -> ``<QUOTED>``, keeping what says *which* error it is.

    Kept: keys (``"error":``), symbolic codes (``'channel_not_found'``, or any word after an
    ``error``/``code`` key) and prose (``"Channel not found"``). Masking those would fold
    different errors into one template.
    """
    body = match.group("body")
    if match.group("key") or _CODE_LIKE.fullmatch(body) or len(body.split()) >= _PROSE_WORDS:
        return match.group(0)
    before = match.string[max(0, match.start() - 12) : match.start()]
    if _CODE_KEY.search(before) and body.isidentifier():
        return match.group(0)
    return "<QUOTED>"


_DIGIT = re.compile(r"\d")
_TS_HINT = re.compile(rf"\d{{4}}[-/]\d\d[-/]\d\d|\d:\d\d|\d[\s/-]{_MONTH}", re.IGNORECASE)
"""What each form of <TS> holds: a date 2024-11-27, a clock 7:24, or a day and month 02 Jan."""


def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def _may_hold_ipv6(text: str) -> bool:
    return "::" in text or text.count(":") >= 7


_NEEDS: tuple[Callable[[str], bool], ...] = (
    lambda text: "://" in text,  # <URL>
    lambda text: "@" in text,  # <EMAIL>
    lambda text: "-" in text,  # <UUID>
    # <TS>: the full pattern is the costly one (it cannot skip ahead to where a match may
    # start); this search is not.
    lambda text: _TS_HINT.search(text) is not None,
    lambda text: "." in text and _has_digit(text),  # <IP> v4: 1.2.3.4
    _may_hold_ipv6,  # <IP> v6: "::" or eight groups
    _has_digit,  # <HEX>: 0x... or a run holding a digit
    _has_digit,  # <ID>: both forms hold a digit
    _has_digit,  # <NUM>
)
"""For each of :data:`MASKS`, a cheap test without which its pattern cannot match: a line where
the test fails skips the regex (same output, less time). Each test is a necessary condition read
off its pattern; masks only ever replace text with tokens that hold no digits."""


def _apply(
    pattern: re.Pattern[str], token: str, needs: Callable[[str], bool]
) -> Callable[[str], str]:
    return lambda text: pattern.sub(token, text) if needs(text) else text


def _mask_quotes(text: str) -> str:
    return _QUOTED.sub(_mask_quoted, text) if "'" in text or '"' in text else text


_STEPS: tuple[Callable[[str], str], ...] = (
    *(_apply(pattern, token, needs) for (token, pattern), needs in zip(MASKS, _NEEDS, strict=True)),
    _mask_quotes,
    # str.split() and the regex \s agree on what is whitespace (both use Unicode's definition).
    lambda text: " ".join(text.split()),
)

CACHE_SIZE = 4096
"""Messages whose masks are remembered: a log repeats lines, and grouping and the learned
fallback mask the same message. Bounded, and it never changes a result."""


def mask(message: str) -> str:
    """``message`` with its variable parts replaced by tokens, whitespace collapsed, at most
    :data:`MAX_TEMPLATE_CHARS` characters.

    >>> mask("2024-11-27T17:24:02Z connect ECONNREFUSED 10.0.0.5:5432 after 3 tries")
    '<TS> connect ECONNREFUSED <IP> after <NUM> tries'
    >>> mask("[wf_1826] sync failed for user_7")
    '[<ID>] sync failed for <ID>'
    >>> mask("KeyError: 'a1b2c3d4e5'")
    'KeyError: <QUOTED>'
    """
    return _mask_cut(message[:MAX_INPUT_CHARS])


@functools.lru_cache(maxsize=CACHE_SIZE)
def _mask_cut(text: str) -> str:
    for step in _STEPS:
        text = step(text)
    return text[:MAX_TEMPLATE_CHARS]
