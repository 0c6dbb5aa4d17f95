"""A cheap test that rules out most rules before their regular expression runs.

Trying 100+ case-insensitive patterns in order costs far more than reading the line. But almost
every pattern can only match where one of a few words stands (``ECONNREFUSED``, ``rate limit``,
``permission denied``...). :func:`required_literals` reads those words out of the compiled
pattern's parse tree, and :func:`normalize` lower-cases a text the way the regex engine's case
folding does, so ``any(word in normalized for word in words)`` is a *necessary* condition for a
match: when it is false the pattern cannot match and need not run; when true, the pattern decides.
A pattern whose words cannot be proven gets no filter (``None``) and always runs.

:class:`RulePrefilter` finds every word of every rule in one pass over the text (an Aho-Corasick
automaton, from ``pyahocorasick``), so the test costs the same for 100 rules as for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from re import _constants as sre  # type: ignore[attr-defined]  # the parser's opcodes
from re import _parser  # type: ignore[attr-defined]  # stable since 3.11; only read, never run

import ahocorasick  # a C extension without type stubs (see the mypy overrides)

MIN_LITERAL_CHARS = 3
"""Shorter words rule out too little to be worth a test."""

# The non-ASCII characters that Python's case-insensitive matching equates with an ASCII letter
# (found by testing every code point; tests/unit/detect/test_prefilter.py re-derives the table).
_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})

_REPEATS = frozenset(
    op
    for op in (
        getattr(sre, "MAX_REPEAT", None),
        getattr(sre, "MIN_REPEAT", None),
        getattr(sre, "POSSESSIVE_REPEAT", None),
    )
    if op is not None
)

Literals = frozenset[str]


def normalize(text: str) -> str:
    """``text`` as :func:`required_literals`' words are written: ASCII letters in lower case.

    >>> normalize("ECONNREFUSED at \\u212aiel")
    'econnrefused at kiel'
    """
    return text.translate(_TO_ASCII).lower()


def required_literals(pattern: re.Pattern[str]) -> Literals | None:
    """Words (normalized) one of which every match of ``pattern`` contains; ``None`` if unknown.

    >>> sorted(required_literals(re.compile(r"\\bECONNREFUSED\\b|connection refused", re.I)))
    ['connection refused', 'econnrefused']
    >>> required_literals(re.compile(r"\\d{3}|oops", re.I)) is None
    True
    """
    requirements = required_word_sets(pattern)
    return requirements[0] if requirements else None


def required_word_sets(pattern: re.Pattern[str]) -> tuple[Literals, ...]:
    """Every match of ``pattern`` contains a word of *each* set; most selective set first.

    >>> [sorted(s) for s in required_word_sets(re.compile(r"status (?:code )?429", re.I))]
    [['status '], ['429']]
    """
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # an unexpected parser: no filter, the pattern still decides
        return ()
    found = sorted(set(_requirements(list(tree))), key=_selectivity, reverse=True)
    return tuple(found[:MAX_REQUIREMENTS])


MAX_REQUIREMENTS = 4
"""More sets than this add cost and rarely rule out more."""


def _selectivity(words: Literals) -> tuple[int, int, str]:
    # The set whose shortest word is longest rules out the most lines (ties: fewer words).
    return (min(map(len, words)), -len(words), min(words))


def _requirements(items: Iterable[tuple[object, object]]) -> list[Literals]:
    """The word sets every match of the sequence ``items`` must meet, each one."""
    found: list[Literals] = []
    run: list[str] = []

    def end_run() -> None:
        if len(run) >= MIN_LITERAL_CHARS:
            found.append(frozenset({"".join(run)}))
        run.clear()

    for op, arg in items:
        if op is sre.LITERAL and isinstance(arg, int) and arg < 128:
            run.append(chr(arg).lower())
            continue
        end_run()
        found += _node(op, arg)
    end_run()
    return found


def _node(op: object, arg: object) -> list[Literals]:
    if op is sre.SUBPATTERN and isinstance(arg, tuple):
        return _requirements(arg[-1])
    if op in _REPEATS and isinstance(arg, tuple) and arg[0] >= 1:
        return _requirements(arg[2])
    if op is sre.BRANCH and isinstance(arg, tuple):
        words: set[str] = set()
        for branch in arg[1]:
            inner = _requirements(branch)
            if not inner:  # a branch without a required word: the alternation proves none
                return []
            best: Literals = max(inner, key=_selectivity)
            words.update(best)
        return [frozenset(words)]
    return []


class RulePrefilter:
    """Which of an ordered list of patterns may match a text, decided in one pass over it.

    >>> rules = [re.compile(r"rate ?limit", re.I), re.compile(r"\\bECONNREFUSED\\b", re.I)]
    >>> sorted(RulePrefilter(rules).may_match("connect ECONNREFUSED 10.0.0.5:5432"))
    [1]
    """

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self._requirements = tuple(required_word_sets(p) for p in patterns)
        self._always = frozenset(i for i, sets in enumerate(self._requirements) if not sets)
        rules_by_word: dict[str, set[int]] = {}
        for index, sets in enumerate(self._requirements):
            for word in sets[0] if sets else ():
                rules_by_word.setdefault(word, set()).add(index)
        self._automaton = ahocorasick.Automaton()
        for word in {w for sets in self._requirements for words in sets for w in words}:
            self._automaton.add_word(word, (word, frozenset(rules_by_word.get(word, ()))))
        self._empty = not rules_by_word
        if not self._empty:
            self._automaton.make_automaton()

    def may_match(self, text: str) -> set[int]:
        """Indices of the patterns that may match ``text``; the others certainly do not."""
        if self._empty:
            return set(self._always)
        present: set[str] = set()
        hit: set[int] = set()
        for _end, (word, indices) in self._automaton.iter(normalize(text)):
            present.add(word)
            hit |= indices
        hit = {i for i in hit if all(not s.isdisjoint(present) for s in self._requirements[i][1:])}
        return hit | self._always
