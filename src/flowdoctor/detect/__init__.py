"""Classification of error messages: which of the nine categories, how severe, whether to retry.

``default_classifier()`` is the entry point; :mod:`flowdoctor.detect.rules` holds the first rule set
the knowledge base (:mod:`flowdoctor.detect.knowledge`) holds platform signatures,
and :mod:`flowdoctor.detect.platforms` tells which platform a message came from.
"""

from flowdoctor.detect.classifier import (
    ChainClassifier,
    Classifier,
    default_classifier,
    unclassified,
)
from flowdoctor.detect.platforms import PlatformDetector, default_platform_detector, detect_platform
from flowdoctor.detect.rules import FIRST_RULES, ErrorRule, RuleClassifier

__all__ = [
    "FIRST_RULES",
    "ChainClassifier",
    "Classifier",
    "ErrorRule",
    "PlatformDetector",
    "RuleClassifier",
    "default_classifier",
    "default_platform_detector",
    "detect_platform",
    "unclassified",
]
