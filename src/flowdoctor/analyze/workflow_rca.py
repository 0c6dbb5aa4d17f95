"""Root-cause ranking for one workflow: its series, its workflow -> step -> platform graph and
the changes recorded for it, handed to ``analyze.rootcause``; the hypotheses come back as
``root_cause`` findings that diagnosis merges with the causes read from the errors.

The symptom is the workflow's error rate; when that did not move, its p95 duration. A platform
node that ranks first is a platform problem (``external_service`` until the errors say more); a
change that ranks is a cause of its own, in the category of what it changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
from scipy import stats

from flowdoctor.analyze.rootcause import (
    ChangeMarker,
    Hypothesis,
    HypothesisKind,
    MetricSeries,
    RankingParams,
    Symptom,
    rank_root_causes,
)
from flowdoctor.analyze.rootcause.model import FloatArray
from flowdoctor.analyze.run_series import TEMPLATE_PREFIX, NodeSeries, SeriesGrid
from flowdoctor.domain import ChangeEvent, ChangeKind, DiagnosticFinding, IssueCategory, Stage

SYMPTOMS = ("error_rate", "duration_p95_ms")
RISING_IS_BAD = frozenset({"error_rate", "duration_p95_ms"})
MIN_SCALE = {"duration_p95_ms": 50.0}
"""The smallest move that matters: 50 ms of p95 duration. (Error rates become binomial surprise
z-scores first, see ``failure_surprise``, with a scale of 1.)"""
SMOOTH = 3
"""Buckets whose runs are pooled for a failure rate: a fault lasts; one bad bucket is luck."""
Z_CLIP = 40.0
MIN_BASE_RATE = 0.01
"""The failure rate assumed at least, so a baseline with no failures still has some noise."""
PARAMS = RankingParams(symptom_threshold=4.0, change_window=6)
"""Nobody told us an SLO was violated (unlike PetShop's target), so the symptom must stand out as
far as any other anomaly before anything is ranked. Pooling ``SMOOTH`` buckets makes a rise
visible a bucket or two after it starts, so a change counts up to an hour before it."""
SKIPPED = frozenset({"runs"})
"""Run counts follow the schedule, not the fault."""
MAX_CAUSES = 5
SUPPORT = 0.4
"""How far a matching ranked hypothesis raises an error-based cause toward 1 (times its
confidence): metrics agreeing with the errors make the cause more certain, never less."""

CHANGE_CATEGORY: dict[ChangeKind, IssueCategory | None] = {
    ChangeKind.CREDENTIAL_ROTATED: IssueCategory.PERMISSIONS,
    ChangeKind.CONFIG_CHANGED: IssueCategory.CONFIGURATION,
    ChangeKind.WORKFLOW_EDITED: IssueCategory.CONFIGURATION,
    ChangeKind.DEPLOYMENT: IssueCategory.LOGIC,
    ChangeKind.VENDOR_INCIDENT: IssueCategory.EXTERNAL_SERVICE,
    ChangeKind.OTHER: None,
}


def rank_workflow_causes(
    series: Sequence[NodeSeries],
    edges: Iterable[tuple[str, str]],
    *,
    workflow_id: str,
    grid: SeriesGrid,
    baseline_end: int,
    changes: Sequence[ChangeEvent] = (),
) -> list[DiagnosticFinding]:
    """Ranked ``root_cause`` findings from the workflow's series; empty when nothing moved.

    ``baseline_end`` is the first bucket of the period being explained; the buckets before it are
    the normal the series are compared with.
    """
    counts = {s.node: s.values for s in series if s.name == "runs"}
    nodes: dict[str, dict[str, MetricSeries]] = defaultdict(dict)
    for s in series:
        values = s.values
        floor = MIN_SCALE.get(s.name, 0.0)
        if s.name == "error_rate" and s.node in counts:
            values, floor = failure_surprise(values, counts[s.node], baseline_end), 1.0
        window = values[baseline_end:]
        if s.name in SKIPPED or s.name.startswith(TEMPLATE_PREFIX) or np.all(np.isnan(window)):
            continue
        nodes[s.node][s.name] = MetricSeries(
            values=window,
            reference=values[:baseline_end],
            direction=1 if s.name in RISING_IS_BAD else 0,
            min_scale=floor,
        )
    graph: dict[str, set[str]] = defaultdict(set)
    for caller, callee in edges:
        graph[caller].add(callee)
    markers, by_name = _markers(changes, grid, baseline_end)
    labels = [grid.time(i).strftime("%Y-%m-%d %H:%M") for i in range(baseline_end, grid.size)]
    root = f"workflow:{workflow_id}"
    for metric in SYMPTOMS:
        if metric not in nodes.get(root, {}):
            continue
        hypotheses = rank_root_causes(
            nodes,
            graph,
            Symptom(root, metric),
            changes=markers,
            baseline_end=0,
            time_labels=labels,
            step_seconds=grid.bucket.total_seconds(),
            params=PARAMS,
        )
        if hypotheses:
            found = [_finding(h, by_name, metric) for h in hypotheses[:MAX_CAUSES]]
            return [f for f in found if f is not None]
    return []


def merge_ranked(
    causes: Sequence[DiagnosticFinding], ranked: Sequence[DiagnosticFinding]
) -> list[DiagnosticFinding]:
    """Error-based causes reinforced by the ranked hypotheses that agree with them (same subject),
    plus the ranked hypotheses no error-based cause covers; most confident first."""
    merged: list[DiagnosticFinding] = []
    used: set[int] = set()
    for cause in causes:
        agreeing = [
            (i, r)
            for i, r in enumerate(ranked)
            if r.subject is not None and r.subject == cause.subject
        ]
        if not agreeing:
            merged.append(cause)
            continue
        used.update(i for i, _ in agreeing)
        best = max(r.confidence for _, r in agreeing)
        confidence = round(min(0.99, cause.confidence + (1 - cause.confidence) * SUPPORT * best), 4)
        evidence = cause.evidence + tuple(
            f"metrics: {line}" for _, r in agreeing for line in r.evidence[:2]
        )
        merged.append(replace(cause, confidence=confidence, evidence=evidence))
    merged.extend(r for i, r in enumerate(ranked) if i not in used and r.category is not None)
    merged.sort(key=lambda c: -c.confidence)
    return merged


def failure_surprise(
    rates: FloatArray, runs: FloatArray, baseline_end: int, *, smooth: int = SMOOTH
) -> FloatArray:
    """How surprising each bucket's failures are, as a normal z: the binomial tail probability of
    that many failures in the last ``smooth`` buckets' runs at the baseline failure rate.

    Rates of a few runs a bucket jump in steps of 1/n and are skewed: a median/MAD (often 0) or a
    plain z would call one unlucky run a catastrophe. NaN where there were no runs.
    """
    failures = np.nan_to_num(rates) * runs
    kernel = np.ones(smooth)
    k = np.rint(np.convolve(failures, kernel)[: len(runs)])
    n = np.rint(np.convolve(runs, kernel)[: len(runs)])
    base_runs, base_failures = runs[:baseline_end].sum(), failures[:baseline_end].sum()
    p = max(base_failures / base_runs if base_runs else 0.0, MIN_BASE_RATE)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = stats.norm.isf(stats.binom.sf(k - 1, n, p))
    # Fewer failures than usual is not a symptom: the floor at 0 keeps the baseline at 0, not at
    # the -inf of "no failures at all".
    return np.where(n > 0, np.clip(z, 0.0, Z_CLIP), np.nan)


def _markers(
    changes: Sequence[ChangeEvent], grid: SeriesGrid, baseline_end: int
) -> tuple[list[ChangeMarker], dict[str, ChangeEvent]]:
    markers, by_name = [], {}
    for change in changes:
        index = grid.index(change.occurred_at)
        if index is None or index < baseline_end:
            continue
        index -= baseline_end
        name = f"{change.kind.value} '{change.description}'"
        node = (
            f"platform:{change.platform}"
            if change.platform
            else (f"workflow:{change.workflow_id}" if change.workflow_id else None)
        )
        markers.append(ChangeMarker(name, index, node=node))
        by_name[name] = change
    return markers, by_name


def _finding(
    hypothesis: Hypothesis, changes: dict[str, ChangeEvent], symptom: str
) -> DiagnosticFinding | None:
    moved = "error rate" if symptom == "error_rate" else "p95 duration"
    if hypothesis.kind is HypothesisKind.CHANGE:
        change = changes[hypothesis.name]
        return DiagnosticFinding(
            kind="root_cause",
            description=f"Recorded change {hypothesis.name} came just before the {moved} rose",
            confidence=round(hypothesis.confidence, 4),
            stage=Stage.DIAGNOSIS,
            subject=change.platform,
            category=CHANGE_CATEGORY[change.kind],
            evidence=hypothesis.evidence,
        )
    kind, _, name = hypothesis.name.partition(":")
    where = {"platform": f"calls to {name}", "step": f"step {name!r}"}.get(kind, "the workflow")
    return DiagnosticFinding(
        kind="root_cause",
        description=f"The {moved} rise starts at {where} (metric ranking)",
        confidence=round(hypothesis.confidence, 4),
        stage=Stage.DIAGNOSIS,
        subject=name if kind == "platform" else None,
        category=IssueCategory.EXTERNAL_SERVICE if kind == "platform" else None,
        evidence=hypothesis.evidence,
    )
