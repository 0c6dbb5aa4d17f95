"""Knowledge-base signatures as classification rules, and the classifier over them.

A signature becomes an :class:`~flowdoctor.detect.rule_model.ErrorRule` whose id is the signature
id, so a classification's ``rule_id`` leads back to the signature's remediation and sources.
"""

from __future__ import annotations

from collections.abc import Sequence

from flowdoctor.detect.knowledge.schema import ErrorSignature, PlatformProfile
from flowdoctor.detect.platforms import PlatformDetector
from flowdoctor.detect.rule_model import ErrorRule, make_rule
from flowdoctor.detect.rules import RuleClassifier


def signature_rule(signature: ErrorSignature) -> ErrorRule:
    """The rule that matches ``signature``'s text and carries its verdict."""
    pattern = signature.pattern
    if signature.case_sensitive:
        pattern = f"(?-i:{pattern})"  # rules compile case-insensitively; turn it off inside
    return make_rule(
        signature.signature_id,
        pattern,
        signature.category,
        severity=signature.severity,
        retryable=signature.retryable,
        replay_safety=signature.replay_safety,
        platform=signature.platform,
        confidence=signature.confidence,
        scope=signature.platform if signature.scoped else None,
    )


def signature_classifier(
    signatures: Sequence[ErrorSignature], platforms: Sequence[PlatformProfile] | None = None
) -> RuleClassifier:
    """A classifier trying ``signatures`` in order; the first match decides.

    With ``platforms``, those profiles tell the platform of a message (for scoped signatures and
    the verdict); without, flowdoctor's default detection does.
    """
    rules = [signature_rule(signature) for signature in signatures]
    if platforms is None:
        return RuleClassifier(rules)
    detector = PlatformDetector((p.platform, p.detect_patterns) for p in platforms)
    return RuleClassifier(rules, detect=detector.detect)
