"""Diagnosis: from classified issues and metric findings to a short ranked list of root causes.

A candidate root cause is one (category, platform) pair of the issues. Two more kinds are added:

- *breadth*: when one platform shows errors of ``BREADTH_MIN`` or more categories at once, the
  platform itself failing (``external_service``) is a candidate, or is reinforced if classified;
- *metrics only*: a metric finding with a category that no issue candidate agrees with (high latency
  and no errors at all) becomes a candidate of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from flowdoctor.domain import DiagnosticFinding, IssueCategory, Severity, Stage, WorkflowIssue
from flowdoctor.domain.platforms import platform_label

MAX_ROOT_CAUSES = 5
BREADTH_MIN = 3
"""Distinct error categories on one platform that suggest the platform itself is failing."""
SEVERITY_WEIGHT: dict[Severity, float] = {
    Severity.CRITICAL: 1.0,
    Severity.HIGH: 0.85,
    Severity.MEDIUM: 0.6,
    Severity.LOW: 0.35,
    Severity.INFO: 0.15,
}

_C = IssueCategory
AGREES: dict[IssueCategory, frozenset[IssueCategory]] = {
    _C.TIMEOUT: frozenset({_C.TIMEOUT, _C.PERFORMANCE}),
    _C.PERFORMANCE: frozenset({_C.PERFORMANCE, _C.TIMEOUT}),
    _C.RESOURCE: frozenset({_C.RESOURCE, _C.PERFORMANCE}),
    _C.EXTERNAL_SERVICE: frozenset({_C.EXTERNAL_SERVICE, _C.TIMEOUT, _C.PERFORMANCE}),
    _C.CONNECTIVITY: frozenset({_C.CONNECTIVITY, _C.EXTERNAL_SERVICE}),
}
"""Metric-finding categories that reinforce an error category (others agree only with themselves):
slow responses reinforce timeouts, high retry rates reinforce remote failures, and so on."""

_CAUSES: dict[IssueCategory, tuple[str, str]] = {
    _C.CONFIGURATION: (
        "the {platform} connection or the workflow's settings for it are wrong",
        "the workflow's settings or environment are wrong",
    ),
    _C.CONNECTIVITY: (
        "{platform} cannot be reached over the network",
        "a service cannot be reached over the network",
    ),
    _C.PERMISSIONS: (
        "{platform} credentials are expired or revoked, or lack access",
        "credentials are expired or revoked, or lack access",
    ),
    _C.PERFORMANCE: ("{platform} is slower than normal", "the workflow is slower than normal"),
    _C.DATA: (
        "records sent to {platform} do not fit what it accepts",
        "the records being processed do not fit their target",
    ),
    _C.LOGIC: (
        "a defect in the workflow's own step logic around {platform}",
        "a defect in the workflow's own step logic",
    ),
    _C.EXTERNAL_SERVICE: ("{platform} is failing on its side", "a remote service is failing"),
    _C.TIMEOUT: (
        "calls to {platform} run past their time limit",
        "operations run past their time limit",
    ),
    _C.RESOURCE: (
        "{platform} rate limits or quotas are exhausted",
        "the workflow ran out of a bounded resource (memory, disk, connections or quota)",
    ),
    _C.UNCLASSIFIED: (
        "errors from {platform} that flowdoctor does not recognise",
        "errors that flowdoctor does not recognise",
    ),
}


@dataclass(slots=True)
class _Candidate:
    category: IssueCategory
    platform: str | None
    issues: list[WorkflowIssue] = field(default_factory=list)
    support: list[DiagnosticFinding] = field(default_factory=list)
    breadth: tuple[IssueCategory, ...] = ()
    inferred: bool = False
    """Suggested by breadth, not by the classifier: the issues were classified as other things."""


def diagnose(
    issues: Sequence[WorkflowIssue], findings: Sequence[DiagnosticFinding]
) -> list[DiagnosticFinding]:
    """Rank probable root causes (at most ``MAX_ROOT_CAUSES``), most confident first.

    Scoring of a candidate with issues (all terms in 0..1)::

        strength   = 0.4 * classification + 0.4 * share + 0.2 * severity
        support    = max(confidence of agreeing metric findings, breadth signal)
        confidence = strength + (1 - strength) * 0.4 * support          (capped at 0.99)

    - ``classification``: the issues' classifier confidence, weighted by occurrences (halved
      for a breadth-inferred ``external_service`` cause);
    - ``share``: the candidate's occurrences over all occurrences (an issue counts at least once);
    - ``severity``: ``SEVERITY_WEIGHT`` of its worst issue (critical 1.0 ... info 0.15);
    - agreeing findings: metric findings whose category is in ``AGREES[category]``;
    - breadth signal: ``(k - 2) / 3`` capped at 1, for ``k >= 3`` categories on one platform.

    Support can only raise a score, by at most 40% of the distance to 1. A metrics-only cause has
    ``strength = 0.6 * best finding confidence``: metrics show a symptom, not which part broke.
    """
    candidates = _issue_candidates(issues)
    candidates.extend(_breadth_candidates(issues, candidates))
    metric_findings = [f for f in findings if f.category is not None and f.kind != "root_cause"]
    claimed = _attach_support(candidates, metric_findings)
    candidates.extend(_metric_candidates(metric_findings, claimed))
    total = sum(_occurrences(issue) for issue in issues)
    scored = [(_score(candidate, total), candidate) for candidate in candidates]
    scored.sort(key=lambda pair: (-pair[0], pair[1].category.value, pair[1].platform or ""))
    return [_root_cause(candidate, conf, total) for conf, candidate in scored[:MAX_ROOT_CAUSES]]


def _score(candidate: _Candidate, total_occurrences: int) -> float:
    """The confidence of one candidate, as the ``diagnose`` docstring describes."""
    best_metric = max((f.confidence for f in candidate.support), default=0.0)
    k = len(candidate.breadth)
    breadth = min(1.0, (k - 2) / 3) if k >= BREADTH_MIN else 0.0
    if candidate.issues:
        occurrences = sum(_occurrences(issue) for issue in candidate.issues)
        weighted = sum(_clamp(i.confidence) * _occurrences(i) for i in candidate.issues)
        classification = weighted / occurrences * (0.5 if candidate.inferred else 1.0)
        share = occurrences / total_occurrences if total_occurrences else 0.0
        worst = min((issue.severity for issue in candidate.issues), key=lambda s: s.rank)
        strength = 0.4 * classification + 0.4 * share + 0.2 * SEVERITY_WEIGHT[worst]
    else:
        strength = 0.6 * best_metric
    support = max(best_metric, breadth)
    return round(min(0.99, strength + (1.0 - strength) * 0.4 * support), 4)


def _issue_candidates(issues: Sequence[WorkflowIssue]) -> list[_Candidate]:
    groups: dict[tuple[IssueCategory, str | None], _Candidate] = {}
    for issue in issues:
        key = (issue.category, issue.platform)
        groups.setdefault(key, _Candidate(issue.category, issue.platform)).issues.append(issue)
    return list(groups.values())


def _breadth_candidates(
    issues: Sequence[WorkflowIssue], candidates: list[_Candidate]
) -> list[_Candidate]:
    by_platform: dict[str, list[WorkflowIssue]] = defaultdict(list)
    for issue in issues:
        if issue.platform and issue.category is not IssueCategory.UNCLASSIFIED:
            by_platform[issue.platform].append(issue)
    added: list[_Candidate] = []
    for platform, platform_issues in by_platform.items():
        categories = tuple(sorted({i.category for i in platform_issues}, key=lambda c: c.value))
        if len(categories) < BREADTH_MIN:
            continue
        existing = [
            c for c in candidates if c.platform == platform and c.category is _C.EXTERNAL_SERVICE
        ]
        if existing:
            existing[0].breadth = categories
        else:
            added.append(
                _Candidate(_C.EXTERNAL_SERVICE, platform, platform_issues, [], categories, True)
            )
    return added


def _attach_support(candidates: list[_Candidate], findings: list[DiagnosticFinding]) -> set[int]:
    """Give each candidate the metric findings that agree with it; return the ids claimed."""
    claimed: set[int] = set()
    for candidate in candidates:
        agreeing = AGREES.get(candidate.category, frozenset({candidate.category}))
        for index, finding in enumerate(findings):
            if finding.category in agreeing:
                candidate.support.append(finding)
                claimed.add(index)
    return claimed


def _metric_candidates(findings: list[DiagnosticFinding], claimed: set[int]) -> list[_Candidate]:
    by_category: dict[IssueCategory, _Candidate] = {}
    for index, finding in enumerate(findings):
        if index in claimed or finding.category is None:
            continue
        candidate = by_category.setdefault(finding.category, _Candidate(finding.category, None))
        candidate.support.append(finding)
    return list(by_category.values())


def _root_cause(candidate: _Candidate, confidence: float, total: int) -> DiagnosticFinding:
    label = platform_label(candidate.platform)
    with_platform, without = _CAUSES[candidate.category]
    cause = with_platform.replace("{platform}", label) if label else without
    cause = f"{cause[:1].upper()}{cause[1:]} ({candidate.category.value})"
    occurrences = sum(_occurrences(issue) for issue in candidate.issues)
    if candidate.inferred:
        detail = f"{len(candidate.breadth)} kinds of errors from {label} at once"
    elif candidate.issues:
        detail = f"{occurrences} of {total} errors"
    else:
        detail = "seen in metrics only: " + ", ".join(
            sorted({f.subject or "?" for f in candidate.support})
        )
    return DiagnosticFinding(
        kind="root_cause",
        description=f"{cause}: {detail}",
        confidence=confidence,
        stage=Stage.DIAGNOSIS,
        subject=candidate.platform,
        category=candidate.category,
        evidence=_evidence(candidate, occurrences, total),
    )


def _evidence(candidate: _Candidate, occurrences: int, total: int) -> tuple[str, ...]:
    lines: list[str] = []
    if candidate.issues:
        lines.append(f"{occurrences} of {total} error occurrences ({occurrences / total:.0%})")
    top = sorted(candidate.issues, key=lambda issue: -_occurrences(issue))[:3]
    for issue in top:
        rule = f" [{issue.rule_id}]" if issue.rule_id else ""
        lines.append(
            f"{_occurrences(issue)}x {issue.category.value}: {issue.message_template}{rule}"
        )
    if candidate.breadth:
        kinds = ", ".join(c.value for c in candidate.breadth)
        lines.append(f"errors of {len(candidate.breadth)} categories on one platform: {kinds}")
    lines.extend(f"agrees: {finding.description}" for finding in candidate.support[:3])
    return tuple(lines)


def _occurrences(issue: WorkflowIssue) -> int:
    return max(1, issue.occurrences)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
