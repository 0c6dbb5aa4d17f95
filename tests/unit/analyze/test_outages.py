"""Platform outages: a fleet-wide burst on one platform is found and folded; isolated failures,
one noisy workflow and failures spread over time are not called outages."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flowdoctor.analyze.outages import find_platform_outages, fold_into_outages
from flowdoctor.domain import DiagnosticFinding, IssueCategory, RunEvent, RunStatus, Stage

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _run(wf: str, minute: float, *, failed: bool, platform: str = "salesforce") -> RunEvent:
    status = RunStatus.FAILURE if failed else RunStatus.SUCCESS
    return RunEvent(wf, f"{wf}-{minute}", status, T0 + timedelta(minutes=minute), platform=platform)


def _fleet(failing: int, healthy: int, *, spread_minutes: float = 10.0) -> list[RunEvent]:
    runs = []
    for i in range(failing):
        runs.append(_run(f"sf_wf_{i:02d}", 0, failed=False))
        runs.append(_run(f"sf_wf_{i:02d}", 30 + spread_minutes * i / max(1, failing), failed=True))
    for i in range(healthy):
        runs.append(_run(f"ok_wf_{i:02d}", 35, failed=False))
    return runs


def test_fourteen_workflows_failing_together_are_one_outage() -> None:
    runs = [*_fleet(14, 2), _run("slack_wf", 31, failed=True, platform="slack")]
    outages = find_platform_outages(runs)
    assert [o.platform for o in outages] == ["salesforce"]
    outage = outages[0]
    assert len(outage.failing_workflows) == 14 and outage.active_workflows == 16
    assert outage.started_at == T0 + timedelta(minutes=30)
    assert outage.confidence > 0.8


def test_not_an_outage_when_few_fail_or_most_are_healthy_or_spread_out() -> None:
    assert find_platform_outages(_fleet(2, 0)) == []  # two workflows: could be coincidence
    assert find_platform_outages(_fleet(3, 10)) == []  # 3 of 13 running on it failed
    # Five failures, one every hour: no window of 15 minutes holds three.
    spread = [_run(f"wf{i}", 60 * i, failed=True) for i in range(5)]
    assert find_platform_outages(spread) == []
    # One workflow failing a thousand times is that workflow's problem.
    noisy = [_run("noisy", i * 0.01, failed=True) for i in range(1000)]
    assert find_platform_outages(noisy) == []


def test_false_alarm_rate_on_independent_failures() -> None:
    """40 workflows on one platform, each failing 2 % of its runs at random times over a day:
    the share of days called an outage is measured, and stays low."""
    days, alarms = 200, 0
    rng = random.Random(7)
    for _ in range(days):
        runs = [
            _run(f"wf{w}", rng.uniform(0, 1440), failed=rng.random() < 0.02)
            for w in range(40)
            for _ in range(24)
        ]
        alarms += bool(find_platform_outages(runs))
    assert alarms / days <= 0.02, alarms


def _cause(category: IssueCategory, platform: str | None, confidence: float) -> DiagnosticFinding:
    return DiagnosticFinding(
        "root_cause",
        f"{category.value} on {platform}",
        confidence,
        Stage.DIAGNOSIS,
        subject=platform,
        category=category,
    )


def test_folding_absorbs_vendor_failures_but_keeps_other_causes() -> None:
    outage = find_platform_outages(_fleet(14, 0))[0]
    causes = [
        _cause(IssueCategory.TIMEOUT, "salesforce", 0.7),
        _cause(IssueCategory.EXTERNAL_SERVICE, "salesforce", 0.6),
        _cause(IssueCategory.PERMISSIONS, "salesforce", 0.5),
        _cause(IssueCategory.DATA, "hubspot", 0.4),
    ]
    folded = fold_into_outages(causes, [outage], workflow_id="sf_wf_03")
    assert [(c.category, c.subject) for c in folded] == [
        (IssueCategory.EXTERNAL_SERVICE, "salesforce"),
        (IssueCategory.PERMISSIONS, "salesforce"),
        (IssueCategory.DATA, "hubspot"),
    ]
    top = folded[0]
    assert "Salesforce itself is degraded" in top.description and "14 workflows" in top.description
    assert any("sf_wf_00" in line for line in top.evidence)
    assert sum("this workflow:" in line for line in top.evidence) == 2
    # Without outages the causes come back as they were, most confident first.
    assert fold_into_outages(causes, []) == sorted(causes, key=lambda c: -c.confidence)
