"""Rank root-cause hypotheses for a symptom over a dependency graph with metric series.

The score of a node multiplies five pieces of evidence (all tunable in ``RankingParams``):

1. anomaly strength: the peak robust z of its worst metric against normal;
2. anomaly traversal: minus the share of that anomaly its anomalous dependencies explain (a
   caller whose callee moved as much is a messenger, not the source), and a discount for leaves
   with no observed dependencies;
3. position: a discount when no path of anomalous dependencies leads from the symptom to it;
4. temporal precedence: a bonus for moving before the symptom, a discount for moving after it;
5. correlation of the node's z-series with the symptom's.

Change events score by how shortly before the symptom's onset they happened, plus the score of
the node they touched. No hypothesis at all when the symptom itself is not anomalous.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flowdoctor.analyze.rootcause.evidence import Describer
from flowdoctor.analyze.rootcause.graph import (
    Graph,
    observed_dependencies,
    reachable_through,
)
from flowdoctor.analyze.rootcause.model import (
    ChangeMarker,
    Hypothesis,
    HypothesisKind,
    MetricSeries,
    Symptom,
)
from flowdoctor.analyze.rootcause.params import DEFAULT_PARAMS, RankingParams
from flowdoctor.analyze.rootcause.scoring import MetricAnomaly, correlation, measure
from flowdoctor.errors import InputError

NodeMetrics = Mapping[str, Mapping[str, MetricSeries]]  # node -> metric name -> series


@dataclass(frozen=True)
class _Context:
    params: RankingParams
    graph: Graph
    symptom: MetricAnomaly
    worst: dict[str, MetricAnomaly]  # node -> its most anomalous metric
    reach: set[str]
    describe: Describer

    def anomalous(self, node: str) -> bool:
        found = self.worst.get(node)
        return found is not None and found.peak >= self.params.anomaly_threshold


def rank_root_causes(
    nodes: NodeMetrics,
    graph: Graph,
    symptom: Symptom,
    *,
    changes: Sequence[ChangeMarker] = (),
    baseline_end: int | None = None,
    time_labels: Sequence[str] | None = None,
    step_seconds: float | None = None,
    params: RankingParams = DEFAULT_PARAMS,
) -> list[Hypothesis]:
    """Ranked root-cause hypotheses for ``symptom``, best first; empty means "no root cause".

    ``nodes`` maps each candidate node to its metric series (all on one time index); ``graph``
    maps a caller to its callees. Series without a ``reference`` are compared with their first
    ``baseline_end`` samples (default: ``params.reference_fraction`` of them). ``time_labels``
    (one per index) and ``step_seconds`` only make the evidence easier to read.

    Raises ``InputError`` when the symptom's node or metric is not in ``nodes``.
    """
    if symptom.metric not in nodes.get(symptom.node, {}):
        raise InputError(
            f"the symptom {symptom.node}/{symptom.metric} has no series", field="symptom"
        )
    length = len(nodes[symptom.node][symptom.metric].values)
    if baseline_end is None:
        baseline_end = max(1, int(length * params.reference_fraction))
    symptom_anomaly = measure(
        symptom.node,
        symptom.metric,
        nodes[symptom.node][symptom.metric],
        baseline_end,
        params,
        params.symptom_threshold,
    )
    if symptom_anomaly.onset is None:
        return []
    worst = _worst_metrics(nodes, baseline_end, params)
    # Unobserved nodes are transparent; observed ones pass the anomaly on only when anomalous.
    anomalous_nodes = {
        node for node, found in worst.items() if found.peak >= params.anomaly_threshold
    }
    passable = {node for node in graph if node not in worst} | anomalous_nodes
    context = _Context(
        params=params,
        graph=graph,
        symptom=symptom_anomaly,
        worst=worst,
        reach=reachable_through(graph, symptom.node, passable),
        describe=Describer(time_labels, step_seconds, symptom_anomaly),
    )
    scored = [_score_node(context, node) for node in sorted(worst) if context.anomalous(node)]
    node_scores = {name: score for name, score, _ in scored}
    scored += [_score_change(context, change, node_scores) for change in changes]
    return _finish(context, scored, {change.name for change in changes})


def _worst_metrics(
    nodes: NodeMetrics, baseline_end: int, params: RankingParams
) -> dict[str, MetricAnomaly]:
    worst: dict[str, MetricAnomaly] = {}
    for node, metrics in nodes.items():
        for metric, series in metrics.items():
            found = measure(node, metric, series, baseline_end, params, params.anomaly_threshold)
            if found.peak_index is None:
                continue
            if node not in worst or found.peak > worst[node].peak:
                worst[node] = found
    return worst


def _score_node(context: _Context, node: str) -> tuple[str, float, list[str]]:
    params = context.params
    anomaly = context.worst[node]
    evidence = [context.describe.movement(anomaly)]
    # Past the cap, a larger z says more about how quiet the metric usually is than about cause.
    score = min(anomaly.peak, params.strength_cap) * _traversal_factor(context, node, evidence)
    if node not in context.reach:
        score *= params.unreachable_factor
        evidence.append(
            f"no path of anomalous dependencies leads to it from {context.symptom.node}"
        )
    score *= _precedence_factor(context, anomaly)
    score *= _correlation_factor(context, anomaly, evidence)
    return node, score, evidence


def _traversal_factor(context: _Context, node: str, evidence: list[str]) -> float:
    params = context.params
    anomaly = context.worst[node]
    dependencies = observed_dependencies(context.graph, node, set(context.worst))
    if not dependencies:
        evidence.append("none of its dependencies are observed")
        return params.leaf_factor
    explaining = [
        context.worst[other]
        for other in dependencies
        if context.anomalous(other) and not _later(context.worst[other].onset, anomaly.onset)
    ]
    if not explaining:
        evidence.append(f"its {len(dependencies)} observed dependencies stayed normal")
        return 1.0
    best = max(explaining, key=lambda other: other.peak)
    share = min(1.0, best.peak / anomaly.peak)
    evidence.append(f"anomalous dependency {best.node} accounts for {share:.0%} of it")
    return max(params.explained_floor, 1.0 - share)


def _later(onset: int | None, reference: int | None) -> bool:
    return onset is not None and reference is not None and onset > reference


def _precedence_factor(context: _Context, anomaly: MetricAnomaly) -> float:
    params = context.params
    symptom_onset = context.symptom.onset
    if anomaly.onset is None or symptom_onset is None:
        return 1.0
    lead = symptom_onset - anomaly.onset
    if lead < 0:
        return params.late_onset_factor
    return 1.0 + params.lead_bonus * min(lead, params.max_lead_steps)


def _correlation_factor(context: _Context, anomaly: MetricAnomaly, evidence: list[str]) -> float:
    weight = context.params.correlation_weight
    value = correlation(anomaly.scores, context.symptom.scores)
    if value is None:
        return 1.0 - weight / 2  # unknown: halfway between no and full correlation
    if anomaly.node != context.symptom.node:
        evidence.append(f"correlation with the symptom {value:+.2f}")
    return 1.0 - weight + weight * max(0.0, value)


def _score_change(
    context: _Context, change: ChangeMarker, node_scores: Mapping[str, float]
) -> tuple[str, float, list[str]]:
    params = context.params
    onset = context.symptom.onset if context.symptom.onset is not None else 0
    lead = onset - change.index
    if not 0 <= lead <= params.change_window:
        return change.name, 0.0, []
    evidence = [context.describe.change(change, lead)]
    score = params.change_score * min(context.symptom.peak, params.strength_cap)
    if change.node is not None:
        if change.node in node_scores:
            score += node_scores[change.node]
            evidence.append(f"{change.node}, which it changed, is anomalous")
        else:
            score *= params.unreachable_factor
            evidence.append(f"{change.node}, which it changed, looks normal")
    # Fades linearly from the onset back to just past the window's start.
    return change.name, score * (1.0 - lead / (params.change_window + 1)), evidence


def _finish(
    context: _Context, scored: list[tuple[str, float, list[str]]], change_names: set[str]
) -> list[Hypothesis]:
    kept = [(name, score, evidence) for name, score, evidence in scored if score > 0.0]
    total = sum(score for _, score, _ in kept)
    hypotheses = []
    for name, score, evidence in kept:
        # Share of all the evidence, damped when the anomaly itself is weak.
        strength = 1.0 - math.exp(-score / context.params.anomaly_threshold)
        confidence = min(1.0, max(0.0, score / total * strength))
        if confidence < context.params.min_confidence:
            continue
        kind = HypothesisKind.CHANGE if name in change_names else HypothesisKind.NODE
        hypotheses.append(Hypothesis(name, kind, round(score, 4), confidence, tuple(evidence)))
    hypotheses.sort(key=lambda hypothesis: (-hypothesis.score, hypothesis.name))
    return hypotheses
