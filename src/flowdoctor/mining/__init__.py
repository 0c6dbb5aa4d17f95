"""Template mining: mask the variable parts of error messages and group repeats into issues.

Shaped like Drain3, one module per concept: :mod:`~flowdoctor.mining.masking`,
:mod:`~flowdoctor.mining.fingerprint`, :mod:`~flowdoctor.mining.grouping`, and the online
template miner: :mod:`~flowdoctor.mining.tokens` (its masking profile and tokens),
:mod:`~flowdoctor.mining.clusters` (clusters and merge rules), :mod:`~flowdoctor.mining.miner`
(the :class:`TemplateMiner` facade) and :mod:`~flowdoctor.mining.state` (versioned JSON state).
"""

from flowdoctor.mining.fingerprint import fingerprint
from flowdoctor.mining.grouping import IssueGrouper
from flowdoctor.mining.masking import MASKS, mask
from flowdoctor.mining.miner import Template, TemplateChange, TemplateMatch, TemplateMiner
from flowdoctor.mining.state import STATE_VERSION
from flowdoctor.mining.tokens import WILDCARD, Masker, mask_for_mining

__all__ = [
    "MASKS",
    "STATE_VERSION",
    "WILDCARD",
    "IssueGrouper",
    "Masker",
    "Template",
    "TemplateChange",
    "TemplateMatch",
    "TemplateMiner",
    "fingerprint",
    "mask",
    "mask_for_mining",
]
