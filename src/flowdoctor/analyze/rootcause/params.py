"""Every tunable number of the root-cause ranking, in one frozen dataclass.

The defaults were tuned once on the PetShop train split and are used unchanged for every scenario
there; ``benchmarks/petshop.py`` prints the figures. Tuned on 20 issues that share one root cause,
so treat ``strength_cap`` and ``leaf_factor`` in particular as a starting point, not a law.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankingParams:
    """Parameters of :func:`flowdoctor.analyze.rootcause.rank_root_causes`.

    Anomaly strength is a robust z-score: (value - median of the normal values) / scale, where
    scale = max(1.4826 * MAD, ``min_relative_scale`` * |median|, the series' own ``min_scale``).

    Attributes:
        symptom_threshold: the symptom's peak robust z must reach this, else there is nothing to
            explain and the answer is "no root cause" (this is what keeps normal data quiet).
        anomaly_threshold: peak robust z a node needs before it can be a hypothesis.
        min_relative_scale: floor of the scale as a share of the normal median; stops a metric
            that never moved in the reference (MAD 0) from turning a 1 % wobble into z = 1e9.
        reference_fraction: share of the series used as "normal" when a metric has no reference
            values and the caller gave no ``baseline_end``.
        local_baseline: when a metric has reference values, a sample must also stand out (on the
            reference's scale) from the series' own median before ``baseline_end``; guards
            against a reference taken at another level (other traffic, months earlier).
        strength_cap: anomaly strength counts up to this z; beyond it, every node is "clearly
            anomalous" and the graph and timing decide (a quiet metric gets huge z from a
            modest move, which says little about causality).
        explained_floor: the share of a node's anomaly that its anomalous callees explain is
            subtracted from its score, but at least this share of the score is kept, so a caller
            whose callee barely wins is still listed.
        leaf_factor: multiplies the score of a node with no observed callees. A node whose
            callees were observed and are normal is where the traversal provably stops; an
            anomalous leaf may equally be reporting a fault in something the graph does not show.
        unreachable_factor: multiplies the score of a node the symptom cannot reach through a
            path of anomalous (or unobserved) dependencies: the anomaly traversal from the
            symptom never gets there, so no known dependency carried its fault to the symptom.
        late_onset_factor: multiplies the score of a node whose anomaly starts after the
            symptom's; effects do not precede causes, but sampling is coarse, so not zero.
        lead_bonus: added to the factor 1 per step a node's anomaly starts before the symptom's
            (up to ``max_lead_steps`` steps): moving first is evidence of being the cause.
        max_lead_steps: cap on the steps counted by ``lead_bonus``.
        correlation_weight: share of the score that depends on the Pearson correlation of the
            node's z-series with the symptom's (negative correlation counts as zero).
        change_window: a change event counts when it happens at most this many steps before the
            symptom's onset (or at the onset); later or earlier events are not hypotheses.
        change_score: score of a change event right at the onset, as a multiple of the symptom's
            strength (its peak z, capped at ``strength_cap``), plus the score of the node it
            touched; it fades linearly with every step the event lies further back.
        min_confidence: hypotheses whose confidence falls below this are dropped.
    """

    symptom_threshold: float = 2.0
    anomaly_threshold: float = 4.0
    min_relative_scale: float = 0.05
    reference_fraction: float = 1 / 3
    local_baseline: bool = True
    strength_cap: float = 6.0
    explained_floor: float = 0.05
    leaf_factor: float = 0.5
    unreachable_factor: float = 0.3
    late_onset_factor: float = 0.5
    lead_bonus: float = 0.1
    max_lead_steps: int = 3
    correlation_weight: float = 0.3
    change_window: int = 3
    change_score: float = 0.5
    min_confidence: float = 0.0


DEFAULT_PARAMS = RankingParams()
