"""The classifier seam: a protocol, a chain that tries classifiers in order, the default chain.

A classifier answers "what kind of failure is this message?" or ``None`` for "no opinion".
:class:`ChainClassifier` asks each member in turn and reports UNCLASSIFIED when none answers, so the
answer is never a guess. The default chain, most specific first:

1. the knowledge base's platform signatures and named runtime exceptions (``detect/knowledge``);
2. the generic rule tables, whose order encodes the taxonomy's tie-breaks (``detect/rules``);
3. the knowledge base's last-resort signatures (bare HTTP statuses);
4. the learned fallback, trained on the knowledge base's examples, which answers only when sure.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from flowdoctor.detect.knowledge import load_knowledge_base
from flowdoctor.detect.knowledge.rules import signature_classifier
from flowdoctor.detect.learned import LearnedClassifier
from flowdoctor.detect.platforms import detect_platform
from flowdoctor.detect.rules import FIRST_RULES, RuleClassifier
from flowdoctor.domain import Classification, IssueCategory, ReplaySafety, Severity


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
            LearnedClassifier(examples),
        ]
    )
