"""Check a knowledge base: every example must be classified by its own signature.

An example that another signature catches first means two signatures overlap in the wrong order;
one that nothing catches means the pattern is wrong. Both are reported with what happened instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowdoctor.detect.knowledge.base import KnowledgeBase
from flowdoctor.detect.knowledge.rules import signature_classifier


@dataclass(frozen=True, slots=True)
class ExampleProblem:
    """An example that did not come out as its signature."""

    signature_id: str
    example: str
    got: str | None
    """The signature id that matched instead, or ``None`` when none did."""


def check_examples(kb: KnowledgeBase) -> list[ExampleProblem]:
    """Classify every example with the whole base; list those not decided by their signature.

    Examples of a scoped signature are classified with its platform given, as a run event would.
    """
    classifier = signature_classifier(kb.signatures(), kb.platforms())
    problems: list[ExampleProblem] = []
    for signature in kb.signatures():
        platform = signature.platform if signature.scoped else None
        for example in signature.examples:
            verdict = classifier.classify(example, platform=platform)
            got = verdict.rule_id if verdict is not None else None
            if got != signature.signature_id:
                problems.append(ExampleProblem(signature.signature_id, example, got))
    return problems
