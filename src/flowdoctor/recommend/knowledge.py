"""Remedies from the error knowledge base: a matched signature says what to do and where to read.

A classification's ``rule_id`` is the signature id when a knowledge-base signature decided it, so
an issue leads straight back to its signature's title, remediation steps and documentation page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flowdoctor.detect.knowledge import ErrorSignature, KnowledgeBase, load_knowledge_base
from flowdoctor.recommend.catalogue import CATEGORY_REMEDIES
from flowdoctor.recommend.remedy import Remedy


class SignatureLookup:
    """Signatures by id, built on first use so a run with no rule ids never loads the base.

    ``knowledge`` defaults to the base shipped with flowdoctor (:func:`load_knowledge_base`).
    """

    def __init__(self, knowledge: KnowledgeBase | None = None) -> None:
        self._knowledge = knowledge
        self._by_id: dict[str, ErrorSignature] | None = None

    def get(self, rule_id: str | None) -> ErrorSignature | None:
        """The signature whose id is ``rule_id``, or ``None`` (no rule, or a non-signature rule)."""
        if not rule_id:
            return None
        return self._index().get(rule_id)

    def _index(self) -> Mapping[str, ErrorSignature]:
        if self._by_id is None:
            knowledge = self._knowledge or load_knowledge_base()
            # Indexed here from signatures(), the base's plain listing: one pass per lookup object,
            # and independent of how the base caches its own index.
            self._by_id = _by_id(knowledge.signatures())
        return self._by_id


def signature_remedy(signature: ErrorSignature) -> Remedy:
    """The remedy a signature prescribes: its title and steps, its category's rationale, its doc.

    The rationale comes from the catalogue because a signature says what to do, not what kind of
    failure it is; the category's text explains why retrying does or does not help.
    """
    fallback = CATEGORY_REMEDIES[signature.category].filled(signature.platform)
    return Remedy(
        signature.title,
        signature.remediation,
        fallback.rationale,
        doc_url=signature.doc,
    )


def _by_id(signatures: Iterable[ErrorSignature]) -> dict[str, ErrorSignature]:
    return {signature.signature_id: signature for signature in signatures}
