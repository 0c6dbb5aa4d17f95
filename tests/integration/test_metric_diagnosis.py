"""Diagnosis from stored series, on SQLite and PostgreSQL: a workflow whose Salesforce step
starts failing after a recorded credential rotation gets a root cause that names the platform
and the change, with evidence from its metrics; a healthy workflow gets none from metrics."""

from __future__ import annotations

import random
from datetime import timedelta

from flowdoctor.clock import FixedClock
from flowdoctor.domain import IssueCategory, RunEvent, RunStatus
from flowdoctor.runtime import Runtime


def _store_runs(runtime: Runtime, clock: FixedClock, *, fault_hours_ago: float | None) -> None:
    rng = random.Random(3)
    now = clock.now()
    start = now - timedelta(days=8)
    onset = None if fault_hours_ago is None else now - timedelta(hours=fault_hours_ago)
    runs = []
    for i in range(8 * 24 * 12):  # a run every 5 minutes
        at = start + timedelta(minutes=5 * i)
        sf_fail = 0.7 if onset is not None and at >= onset else 0.02
        for step, platform, p_fail in (("read", "hubspot", 0.02), ("write", "salesforce", sf_fail)):
            failed = rng.random() < p_fail
            runs.append(
                RunEvent(
                    "crm_sync",
                    f"r{i}",
                    RunStatus.FAILURE if failed else RunStatus.SUCCESS,
                    at,
                    step=step,
                    platform=platform,
                    duration_ms=rng.gauss(300, 30),
                    error_message="INVALID_SESSION_ID: Session expired or invalid"
                    if failed and platform == "salesforce" and onset is not None and at >= onset
                    else ("Connection reset by peer" if failed else None),
                )
            )
    runtime.intake.add_runs(runs)


def test_a_change_before_the_rise_is_named_with_the_platform(
    runtime: Runtime, clock: FixedClock
) -> None:
    _store_runs(runtime, clock, fault_hours_ago=6)
    runtime.changes.record(
        kind="credential_rotated",
        description="rotated the Salesforce integration user's password",
        occurred_at=clock.now() - timedelta(hours=6, minutes=4),
        workflow_id="crm_sync",
        platform="salesforce",
    )
    session = runtime.sessions.start(workflow_id="crm_sync", error_logs=None)
    session = runtime.sessions.diagnose(session.session_id)
    diagnosis = next(s for s in session.stages if s.stage.value == "diagnosis")
    assert diagnosis.output["ranked_from_metrics"] >= 2
    top = session.root_causes[0]
    assert top.subject == "salesforce"
    assert top.category is IssueCategory.PERMISSIONS
    assert any(line.startswith("metrics: ") for line in top.evidence), top.evidence
    text = " ".join(" ".join(c.evidence) for c in session.root_causes)
    assert "credential_rotated" in text and "salesforce" in text
    # The analysis stage saw the shift in the series and tied it to the recorded change.
    shifts = [f for f in session.findings if f.kind == "change_point"]
    assert any("rotated the Salesforce integration user" in f.description for f in shifts)
    assert any(f.kind == "metric_anomaly" for f in session.findings)


def test_a_healthy_workflow_has_no_cause_from_metrics(runtime: Runtime, clock: FixedClock) -> None:
    _store_runs(runtime, clock, fault_hours_ago=None)
    session = runtime.sessions.start(workflow_id="crm_sync", error_logs=None)
    session = runtime.sessions.diagnose(session.session_id)
    diagnosis = next(s for s in session.stages if s.stage.value == "diagnosis")
    assert diagnosis.output["ranked_from_metrics"] == 0
    analysis = next(s for s in session.stages if s.stage.value == "analysis")
    assert analysis.output["series"] > 0
    assert analysis.output["series_findings"] == 0
