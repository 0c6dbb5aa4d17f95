"""A vendor outage seen from one workflow's session: fourteen workflows failing on Salesforce at
once give one external-service root cause naming the others, not a diagnosis of the workflow's own
timeouts. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from flowdoctor.clock import FixedClock
from flowdoctor.domain import IssueCategory, RunEvent, RunStatus
from flowdoctor.runtime import Runtime


def _store_fleet(runtime: Runtime, clock: FixedClock, *, failing: int) -> None:
    start = clock.now() - timedelta(hours=2)
    runs = []
    for i in range(failing):
        wf = f"sf_wf_{i:02d}"
        runs.append(RunEvent(wf, f"{wf}-ok", RunStatus.SUCCESS, start, platform="salesforce"))
        runs.append(
            RunEvent(
                wf,
                f"{wf}-bad",
                RunStatus.FAILURE,
                start + timedelta(minutes=60, seconds=30 * i),
                platform="salesforce",
                error_message="Salesforce API error: 503 Service Unavailable - server busy",
                http_status=503,
            )
        )
    runtime.intake.add_runs(runs)


def test_fleet_failures_on_one_platform_fold_into_one_cause(
    runtime: Runtime, clock: FixedClock
) -> None:
    _store_fleet(runtime, clock, failing=14)
    session = runtime.sessions.start(workflow_id="sf_wf_03", error_logs=None)
    session = runtime.sessions.diagnose(session.session_id)
    top = session.root_causes[0]
    assert top.category is IssueCategory.EXTERNAL_SERVICE and top.subject == "salesforce"
    assert "Salesforce itself is degraded" in top.description
    assert "14 workflows" in top.description
    assert any("sf_wf_00" in line and "and 5 more" in line for line in top.evidence)
    # No second Salesforce cause of a vendor-failure category remains beside it.
    others = [c for c in session.root_causes[1:] if c.subject == "salesforce"]
    assert all(
        c.category not in {IssueCategory.TIMEOUT, IssueCategory.EXTERNAL_SERVICE} for c in others
    )
    diagnosis = next(s for s in session.stages if s.stage.value == "diagnosis")
    assert diagnosis.output["platform_outages"] == ["salesforce"]


def test_two_workflows_failing_are_diagnosed_on_their_own(
    runtime: Runtime, clock: FixedClock
) -> None:
    _store_fleet(runtime, clock, failing=2)
    session = runtime.sessions.start(workflow_id="sf_wf_01", error_logs=None)
    session = runtime.sessions.diagnose(session.session_id)
    assert session.root_causes
    assert all("itself is degraded" not in c.description for c in session.root_causes)
