"""Root-cause ranking of one workflow from its runs: the failing platform and a recorded change
just before the rise are found; a quiet workflow has no ranked cause."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flowdoctor.analyze.run_series import dependency_edges, make_grid, run_series
from flowdoctor.analyze.workflow_rca import merge_ranked, rank_workflow_causes
from flowdoctor.domain import (
    ChangeEvent,
    ChangeKind,
    DiagnosticFinding,
    IssueCategory,
    RunEvent,
    RunStatus,
    Stage,
)

T0 = datetime(2026, 11, 20, tzinfo=UTC)
BUCKET = timedelta(minutes=10)
HOURS = 48
ONSET = T0 + timedelta(hours=40)


def _runs(seed: int, *, fault: bool) -> list[RunEvent]:
    """A run every 2 minutes: step 'read' on HubSpot, step 'write' on Salesforce. With a fault,
    Salesforce writes fail 60 % of the time after ONSET (2 % before, like HubSpot)."""
    rng = random.Random(seed)
    runs = []
    for i in range(HOURS * 30):
        at = T0 + timedelta(minutes=2 * i)
        bad_sf = fault and at >= ONSET
        for step, platform, p_fail in (
            ("read", "hubspot", 0.02),
            ("write", "salesforce", 0.6 if bad_sf else 0.02),
        ):
            failed = rng.random() < p_fail
            runs.append(
                RunEvent(
                    "sync",
                    f"r{i}",
                    RunStatus.FAILURE if failed else RunStatus.SUCCESS,
                    at,
                    step=step,
                    platform=platform,
                    duration_ms=rng.gauss(400, 40),
                )
            )
    return runs


def _rank(runs: list[RunEvent], changes: list[ChangeEvent]) -> list[DiagnosticFinding]:
    grid = make_grid(T0, T0 + timedelta(hours=HOURS), BUCKET)
    baseline_end = grid.index(T0 + timedelta(hours=24))
    assert baseline_end is not None
    return rank_workflow_causes(
        run_series(runs, grid),
        dependency_edges(runs),
        workflow_id="sync",
        grid=grid,
        baseline_end=baseline_end,
        changes=changes,
    )


def test_failing_platform_and_the_change_before_it_are_ranked() -> None:
    rotated = ChangeEvent(
        "c1",
        ONSET - timedelta(minutes=5),
        ChangeKind.CREDENTIAL_ROTATED,
        "rotated the Salesforce integration user's password",
        workflow_id="sync",
        platform="salesforce",
    )
    unrelated = ChangeEvent("c0", T0 + timedelta(hours=2), ChangeKind.DEPLOYMENT, "old deploy")
    found = _rank(_runs(1, fault=True), [rotated, unrelated])
    assert found, "a 60 % failure rate on one platform must give a ranked cause"
    subjects = [(f.category, f.subject) for f in found]
    assert (IssueCategory.PERMISSIONS, "salesforce") in subjects[:2]
    assert all("old deploy" not in f.description for f in found)
    assert any("salesforce" in line for f in found for line in f.evidence)


def test_quiet_workflows_have_no_ranked_cause() -> None:
    alarms = sum(bool(_rank(_runs(seed, fault=False), [])) for seed in range(20))
    assert alarms <= 1, alarms


def test_merge_reinforces_agreeing_causes_and_adds_new_ones() -> None:
    errors = DiagnosticFinding(
        "root_cause",
        "Salesforce times out",
        0.6,
        Stage.DIAGNOSIS,
        subject="salesforce",
        category=IssueCategory.TIMEOUT,
    )
    ranked = [
        DiagnosticFinding(
            "root_cause",
            "rise starts at Salesforce",
            0.8,
            Stage.DIAGNOSIS,
            subject="salesforce",
            category=IssueCategory.EXTERNAL_SERVICE,
            evidence=("moved",),
        ),
        DiagnosticFinding(
            "root_cause",
            "recorded change",
            0.5,
            Stage.DIAGNOSIS,
            subject=None,
            category=IssueCategory.LOGIC,
        ),
    ]
    merged = merge_ranked([errors], ranked)
    assert [m.description for m in merged] == ["Salesforce times out", "recorded change"]
    assert merged[0].confidence > 0.6 and "metrics: moved" in merged[0].evidence
    assert merge_ranked([errors], []) == [errors]
