"""Template mining: mask the variable parts of error messages and group repeats into issues.

Shaped like Drain3, one module per concept: :mod:`~flowdoctor.mining.masking`,
:mod:`~flowdoctor.mining.fingerprint`, :mod:`~flowdoctor.mining.grouping`.
"""

from flowdoctor.mining.fingerprint import fingerprint
from flowdoctor.mining.grouping import IssueGrouper
from flowdoctor.mining.masking import MASKS, mask

__all__ = ["MASKS", "IssueGrouper", "fingerprint", "mask"]
