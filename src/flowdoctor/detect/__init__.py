"""Classification of error messages: which of the nine categories, how severe, whether to retry.

``default_classifier()`` is the entry point; :mod:`flowdoctor.detect.rules` holds the first rule set
and :mod:`flowdoctor.detect.platforms` tells which platform a message came from.
"""

from flowdoctor.detect.classifier import (
    ChainClassifier,
    Classifier,
    default_classifier,
    unclassified,
)
from flowdoctor.detect.platforms import PLATFORM_SIGNATURES, detect_platform
from flowdoctor.detect.rules import FIRST_RULES, ErrorRule, RuleClassifier

__all__ = [
    "FIRST_RULES",
    "PLATFORM_SIGNATURES",
    "ChainClassifier",
    "Classifier",
    "ErrorRule",
    "RuleClassifier",
    "default_classifier",
    "detect_platform",
    "unclassified",
]
