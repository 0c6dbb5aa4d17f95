"""The classifier seam: a protocol, a chain that tries classifiers in order, the default chain.

A classifier answers "what kind of failure is this message?" or ``None`` for "no opinion".
:class:`ChainClassifier` asks each member in turn and reports UNCLASSIFIED when none answers, so the
answer is never a guess. The default chain, most specific first:

1. the knowledge base's platform signatures and named runtime exceptions (``detect/knowledge``);
2. the generic rule tables, whose order encodes the taxonomy's tie-breaks (``detect/rules``);
3. the knowledge base's last-resort signatures (bare HTTP statuses);
4. the learned fallback, trained on the knowledge base's examples, which answers only when sure.
   It reads a message masked (ids, numbers, URLs as tokens), so lines that differ only there get
   the same answer: :class:`MaskedTextCache` asks it once per masked text.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from flowdoctor.detect.knowledge import load_knowledge_base
from flowdoctor.detect.knowledge.rules import signature_classifier
from flowdoctor.detect.learned import LearnedClassifier
from flowdoctor.detect.platforms import detect_platform
from flowdoctor.detect.rules import FIRST_RULES, RuleClassifier
from flowdoctor.detect.text import examined_text
from flowdoctor.domain import Classification, IssueCategory, ReplaySafety, Severity
from flowdoctor.mining.masking import mask


@runtime_checkable
class Classifier(Protocol):
    """Anything that can classify an error message.

    Implementations must not raise for any string (empty, huge, binary-looking): they examine a
    bounded part of it. ``None`` means "no opinion", letting a chain ask the next classifier.
    """

    def classify(
        self,
        message: str,
        *,
        platform: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
    ) -> Classification | None:
        """The category, severity and replay advice for ``message``, or ``None``."""
        ...


def unclassified(*, platform: str | None = None) -> Classification:
    """The verdict when nothing matched: reported as UNCLASSIFIED, never guessed."""
    return Classification(
        category=IssueCategory.UNCLASSIFIED,
        severity=Severity.MEDIUM,
        retryable=False,
        confidence=0.0,
        platform=platform,
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        rule_id=None,
        evidence=("no rule matched",),
    )


class ChainClassifier:
    """Ask each classifier in order; the first answer wins, else UNCLASSIFIED.

    >>> chain = ChainClassifier([RuleClassifier(FIRST_RULES)])
    >>> chain.classify("Request failed with status code 429").category.value
    'resource'
    >>> chain.classify("the flux capacitor is sad").category.value
    'unclassified'
    """

    def __init__(self, classifiers: Sequence[Classifier]) -> None:
        self._classifiers = tuple(classifiers)

    @property
    def classifiers(self) -> tuple[Classifier, ...]:
        """The members, in the order they are asked."""
        return self._classifiers

    def classify(
        self,
        message: str,
        *,
        platform: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
    ) -> Classification:
        """The first member's answer, or UNCLASSIFIED (with the platform when one is known)."""
        for classifier in self._classifiers:
            result = classifier.classify(
                message, platform=platform, http_status=http_status, error_code=error_code
            )
            if result is not None:
                return result
        return unclassified(platform=platform or detect_platform(message))


class MaskedTextCache:
    """Ask ``inner`` once per distinct masked message (and hints); answer repeats from a cache.

    Only for a classifier whose verdict depends on the message through ``mask(message)`` alone,
    apart from its platform, which must be ``platform or detect_platform(message)``: the learned
    fallback is one (it masks before it reads). The platform is worked out again for every
    message, so each answer equals the one ``inner`` would give.

    >>> learned = LearnedClassifier([("quota used up", IssueCategory.RESOURCE),
    ...                              ("token expired", IssueCategory.PERMISSIONS)])
    >>> cached = MaskedTextCache(learned)
    >>> cached.classify("quota used up by 42") == learned.classify("quota used up by 42")
    True
    """

    def __init__(self, inner: Classifier, *, cache_size: int = 4096) -> None:
        self.inner = inner
        self._cached = functools.lru_cache(maxsize=cache_size)(self._ask)

    def classify(
        self,
        message: str,
        *,
        platform: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
    ) -> Classification | None:
        """``inner``'s verdict on ``message``, from the cache when its masked text was seen."""
        key = _MaskedKey(mask(examined_text(message)), http_status, error_code, message)
        verdict = self._cached(key)
        if verdict is None:
            return None
        found = platform or detect_platform(message)
        return (
            verdict if verdict.platform == found else dataclasses.replace(verdict, platform=found)
        )

    def _ask(self, key: _MaskedKey) -> Classification | None:
        return self.inner.classify(
            key.message, http_status=key.http_status, error_code=key.error_code
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _MaskedKey:
    """A cache key that carries the first message it stood for (compared by the rest only)."""

    masked: str
    http_status: int | None
    error_code: str | None
    message: str = dataclasses.field(compare=False)


@functools.cache
def default_classifier() -> ChainClassifier:
    """The chain flowdoctor uses unless told otherwise (built once per process; see above)."""
    kb = load_knowledge_base()
    examples = [(example, sig.category) for sig in kb.signatures() for example in sig.examples]
    return ChainClassifier(
        [
            signature_classifier(kb.early_signatures()),
            RuleClassifier(FIRST_RULES),
            signature_classifier(kb.late_signatures()),
            MaskedTextCache(LearnedClassifier(examples)),
        ]
    )
