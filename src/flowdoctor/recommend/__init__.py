"""Recommendations: a remediation catalogue kept as data, and the ranking that applies it.

::

    remedy.py     Remedy / SpecificRemedy and how ``{platform}`` is filled
    catalogue.py  CATEGORY_REMEDIES, SPECIFIC and remedy_for(category, platform=, rule_id=, ...)
    ranking.py    recommend(issues, root_causes, limit=) -> ranked Recommendations
"""

from flowdoctor.recommend.catalogue import remedy_for
from flowdoctor.recommend.ranking import recommend

__all__ = ["recommend", "remedy_for"]
