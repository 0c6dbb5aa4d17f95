"""Root-cause ranking over a dependency graph with metric series; pure functions, no I/O.

::

    model.py     inputs and output: MetricSeries, Symptom, ChangeMarker, Hypothesis(Kind)
    params.py    RankingParams: every tunable number, documented, in one place
    scoring.py   robust (median / MAD) anomaly scores of one series against its normal
    graph.py     reachability and the observed dependencies of a node
    evidence.py  human-readable evidence lines
    ranking.py   rank_root_causes(nodes, graph, symptom, ...) -> ranked hypotheses

Works for any caller -> callee graph: microservices, or workflow -> step -> platform with change
events (deploys, credential rotations) as extra candidates. An empty ranking means "no root
cause": the symptom is not anomalous enough to explain.
"""

from flowdoctor.analyze.rootcause.model import (
    ChangeMarker,
    Hypothesis,
    HypothesisKind,
    MetricSeries,
    Symptom,
)
from flowdoctor.analyze.rootcause.params import DEFAULT_PARAMS, RankingParams
from flowdoctor.analyze.rootcause.ranking import NodeMetrics, rank_root_causes

__all__ = [
    "DEFAULT_PARAMS",
    "ChangeMarker",
    "Hypothesis",
    "HypothesisKind",
    "MetricSeries",
    "NodeMetrics",
    "RankingParams",
    "Symptom",
    "rank_root_causes",
]
