"""The mining profile of masking, and the split of a masked line into tokens.

:func:`~flowdoctor.mining.masking.mask` names what it replaces (``<IP>``, ``<QUOTED>``…) so a person
can read an issue's template. Template mining needs something else: one wildcard for *every* part
that varies, and speed, because it runs on every line. :func:`mask_for_mining` is that profile:

1. well-known shapes that span several words or hold no digit become ``<*>``: URLs, e-mail
   addresses, written-out timestamps (``Sun Jul  3 10:05:25 2005``), quantities with a unit
   (``41.3 KB``, ``<1 sec``), short bracketed groups with a number (``(dcr 0x02f0)``), quoted values
   of a key (``tag="View Lock"``) and the literals true/false/null;
2. then every word holding a digit becomes ``<*>``: numbers, IPs, hex and ids all hold one. A word
   ends at whitespace and at ``= , ; : " ' ( ) [ ] { } < > |`` or a run of dots, so
   ``uid=1000`` keeps its key and ``overlapAmount:220.0`` keeps ``overlapAmount:``. Names with a
   version digit keep their name: ``SOCKS5`` becomes ``SOCKS<*>``, still apart from ``HTTPS``.

:func:`tokenize` then cuts the masked line into at most :data:`MAX_TOKENS` tokens, at whitespace
and after ``=`` and ``,`` (``ready=true,policy=3`` is four tokens, not one). Each token keeps the
separator that follows it, so joining tokens gives the line back with its spacing normalised.

Every pattern is linear: repeats are bounded or cannot overlap, and input is cut to
:data:`MAX_LINE_CHARS` first.

>>> mask_for_mining("Failed password for root from 5.36.59.76 port 42393 ssh2")
'Failed password for root from <*> port <*> ssh<*>'
>>> tokenize("acquire lock=<*>, tag=<*>")
('acquire ', 'lock=', '<*>, ', 'tag=', '<*>')
"""

from __future__ import annotations

import re
import sys

WILDCARD = "<*>"
"""Stands for one variable part of a line in masked text and in templates."""

MAX_LINE_CHARS = 4_000
"""Only this much of a line is mined; the rest cannot change which template the line starts as."""

MAX_TOKENS = 100
"""A masked line is cut to this many tokens, so one huge line costs as much as a normal one."""

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_HAS_MONTH = re.compile(_MONTH)
_TIMESTAMP = re.compile(
    # Sun Jul  3 10:05:25 2005, Sat Sep 17 07:49:04 PDT 2005, 02 Jan 2006 15:04:05, Jan 12 10:11
    rf"\b(?:{_WEEKDAY},?\s{{1,3}})?(?:\d{{1,2}}\s{{1,3}}{_MONTH}|{_MONTH}\s{{1,3}}\d{{1,2}})"
    r"(?:,?\s\d{4})?\s{1,3}\d{1,2}:\d\d(?::\d\d(?:[.,]\d{1,9})?)?"
    r"(?:\s[A-Z]{3,4})?(?:\s\d{4})?\b"
)
_URL = re.compile(r"(?<![\w.+-])[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\s'\"<>()\[\]{}]{1,2000}")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# Patterns start with a literal or a character class where they can, so the regex engine skips
# ahead in C to where a match may start: a lookbehind first would be tried at every position.
_GROUP = re.compile(r"\((?<!\w\()(?=[^()]{0,24}\d)[^()\n]{1,24}\)")
"""A short parenthesised group holding a number, ``(41.3 KB)``, is one value whatever its words."""
_UNIT = r"(?:ms|secs?|seconds?|mins?|minutes?|hours?|days?|(?:[KMGT]i?)?B|bytes?)"
_QUANTITY = re.compile(rf"<<?\*>\s{_UNIT}\b")
"""``42 bytes`` and ``<1 sec`` (after their numbers were masked): the unit goes with its number,
or the word count would vary from line to line."""
_KEY_QUOTED = re.compile(r"([=:])(?:\"[^\"\n]{0,200}\"|'[^'\n]{0,200}')")
_LITERAL = re.compile(r"\b(?:true|false|null|True|False|TRUE|FALSE|NULL)\b")

# A word holding a digit: it starts after a separator or a dot and runs to the next separator
# (dots included, so ``6.1.7601`` is one word, and ``instruction......1`` keeps its text).
_SEP = r"\s=,;:\"'()\[\]{}<>|"
_NAME_WITH_VERSION = re.compile(rf"(?<![^{_SEP}.])([A-Za-z]{{2,}})\d(?![^{_SEP}])")
"""``SOCKS5``, ``HTTP2``, ``eth0``: a name with a version digit. The name stays (``HTTPS`` and
``SOCKS5`` are different events); only the digit is masked, so that the masked text never depends
on which digits a line holds (see :func:`digit_shape`)."""
_DIGIT_WORD = re.compile(rf"(?<![^{_SEP}.])[^{_SEP}.]*\d[^{_SEP}]*")
_JOINED_WILDCARDS = re.compile(r"<\*>(?::<\*>)+")
"""``10:05:25`` and ``10.0.0.5:80`` become one wildcard, whatever the number of parts."""
_TOKEN = re.compile(r"[^\s=,]+[=,]*\s?|[=,]+\s?")
_WILDCARD_PUNCTUATION = " ,=;:()[]{}\"'"

DEFAULT_MEMO_SIZE = 100_000
MEMO_WORD_CHARS = 64
"""Longer words are masked every time: they rarely recur, and the memory stays small."""


class Masker:
    """:func:`mask_for_mining` with a memory of the words it has masked.

    Log lines reuse few words: remembering each whitespace-separated word's masked form turns
    most of the per-word regex work into a dictionary look-up. The memory holds at most
    ``memo_size`` words of at most :data:`MEMO_WORD_CHARS` characters and starts afresh when full;
    it never changes a result, only the time.
    """

    def __init__(self, memo_size: int = DEFAULT_MEMO_SIZE) -> None:
        self._memo: dict[str, str] = {}
        self._memo_size = memo_size

    def __call__(self, line: str) -> str:
        """``line`` masked, with its whitespace normalised to single spaces."""
        text = _mask_shapes(line[:MAX_LINE_CHARS])
        memo = self._memo
        words = []
        for word in text.split():
            masked = memo.get(word)
            if masked is None:
                if word.isdigit():  # the commonest variable; not worth remembering
                    words.append(WILDCARD)
                    continue
                masked = _mask_word(word)
                if self._memo_size and len(word) <= MEMO_WORD_CHARS:
                    if len(memo) >= self._memo_size:
                        memo.clear()
                    memo[word] = masked
            words.append(masked)
        text = " ".join(words)
        if "*> " in text:
            text = _QUANTITY.sub(WILDCARD, text)
        return text


def _mask_shapes(text: str) -> str:
    """The shapes that span words or hold no digit."""
    # It runs on every line: cheap tests first, each costly pattern only where it can match.
    if "://" in text:
        text = _URL.sub(WILDCARD, text)
    if "@" in text:
        text = _EMAIL.sub(WILDCARD, text)
    if _HAS_MONTH.search(text):
        text = _TIMESTAMP.sub(WILDCARD, text)
    if "(" in text:
        text = _GROUP.sub(WILDCARD, text)
    if '"' in text or "'" in text:
        text = _KEY_QUOTED.sub(r"\1<*>", text)
    return text


def _mask_word(word: str) -> str:
    word = _NAME_WITH_VERSION.sub(r"\1<*>", _LITERAL.sub(WILDCARD, word))
    word = _DIGIT_WORD.sub(WILDCARD, word)
    if "*>:<*" in word:
        word = _JOINED_WILDCARDS.sub(WILDCARD, word)
    return word


_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0000000000")


def digit_shape(line: str) -> bytes:
    """A key equal for two lines exactly when they differ at most in which ASCII digits they hold.

    Every masking pattern treats all digits alike, so lines with the same shape mask to the same
    text: a miner can remember a shape's answer and skip masking for the next line of that shape
    (``port 42393`` then ``port 51234``). Encoding and a bytes translation run in C, several
    times faster than the masking they save.

    >>> digit_shape("retry 3 of 5") == digit_shape("retry 4 of 9")
    True
    """
    return line[:MAX_LINE_CHARS].encode("utf-8", "surrogatepass").translate(_DIGITS_TO_ZERO)


def mask_for_mining(line: str) -> str:
    """``line`` (cut to :data:`MAX_LINE_CHARS`) with every variable-looking part replaced by
    ``<*>`` and whitespace normalised. :class:`Masker` does the same faster on many lines.

    >>> mask_for_mining("connection from 10.0.0.5 () at Sun Jul  3 10:05:25 2005")
    'connection from <*> () at <*>'
    >>> mask_for_mining('acquire lock=2335, flags=0x1, tag="View Lock", ws=null')
    'acquire lock=<*>, flags=<*>, tag=<*>, ws=<*>'
    >>> mask_for_mining("c.example.com:80 close, 1052 bytes (1.02 KB) sent, lifetime <1 sec")
    'c.example.com:<*> close, <*> <*> sent, lifetime <*>'
    """
    return Masker(memo_size=0)(line)


def tokenize(masked: str) -> tuple[str, ...]:
    """The tokens of a masked line, each with the separator after it (one space at most).

    >>> tokenize("  session   opened for user=<*>,x ")
    ('session ', 'opened ', 'for ', 'user=', '<*>,', 'x')
    """
    tokens = _TOKEN.findall(" ".join(masked.split()))
    # Templates keep their tokens for as long as they live, and most words recur across them:
    # interned, each word is stored once.
    return tuple(map(sys.intern, tokens[:MAX_TOKENS]))


def is_wildcard(token: str) -> bool:
    """Whether ``token`` is a bare ``<*>``, perhaps with the punctuation around it.

    >>> is_wildcard("<*>, "), is_wildcard("core.<*>")
    (True, False)
    """
    return token.strip(_WILDCARD_PUNCTUATION) == WILDCARD


def generalize(token: str) -> str:
    """``token`` made a wildcard, keeping the separator after it (``"root, "`` -> ``"<*>, "``)."""
    core = token.rstrip(" =,")
    return WILDCARD + token[len(core) :]
