"""Recommendations: a remediation catalogue kept as data, and the ranking that applies it.

::

    remedy.py     Remedy / SpecificRemedy and how ``{platform}`` is filled
    catalogue.py  CATEGORY_REMEDIES, SPECIFIC and remedy_for(category, platform=, rule_id=, ...)
    knowledge.py  remedies from knowledge-base signatures (title, steps, doc link)
    evidence.py   the lines a recommendation rests on
    ranking.py    recommend(issues, root_causes, limit=, knowledge=) -> ranked Recommendations
    similar.py    find_similar(issues, past_sessions) -> SimilarIssues: how it was fixed before
"""

from flowdoctor.recommend.catalogue import remedy_for
from flowdoctor.recommend.ranking import recommend
from flowdoctor.recommend.similar import SimilarIssue, find_similar

__all__ = ["SimilarIssue", "find_similar", "recommend", "remedy_for"]
