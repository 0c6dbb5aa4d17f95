"""Loading the demo data set into a running flowdoctor: runs, logs, metrics, and one
troubleshooting session per injected incident, taken as far as the data allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flowdoctor.demo.dataset import DemoData, DemoIncident, generate_demo_data
from flowdoctor.domain import LogRecord
from flowdoctor.runtime import Runtime

DEMO_MARKER_WORKFLOW = "salesforce_sync_001"
"""If this workflow already has runs, the demo data is taken to be loaded."""
DEMO_RULES = """
rules:
  - name: demo-error-rate
    metric_name: error_rate
    condition: greater_than
    threshold: 0.2
    window: 1h
    severity: high
    annotations: {summary: "More than a fifth of the runs failed in the last hour"}
  - name: demo-slow-runs
    metric_name: p95_duration_ms
    condition: greater_than
    threshold: 10000
    window: 1h
    severity: medium
  - name: demo-silent-workflow
    metric_name: run_count
    condition: absent
    threshold: 180
    severity: critical
    annotations: {summary: "No run for three hours: is the trigger still on?"}
"""
"""Rules the demo provisions, so alerts and health points show from the start."""


@dataclass(frozen=True, slots=True)
class DemoLoadResult:
    """What ``load_demo`` wrote."""

    loaded: bool
    runs: int = 0
    logs: int = 0
    metrics: int = 0
    sessions: int = 0

    def describe(self) -> str:
        """One line for the terminal."""
        if not self.loaded:
            return "demo data already loaded (use --force to load it again)"
        return (
            f"demo data loaded: {self.runs} runs, {self.logs} log lines, {self.metrics} metric "
            f"samples, {self.sessions} troubleshooting sessions"
        )


def load_demo(runtime: Runtime, *, force: bool = False, seed: int = 7) -> DemoLoadResult:
    """Generate the demo data relative to now and store it; skip if it is already there."""
    with runtime.db.transaction() as store:
        already = store.runs.count(workflow_id=DEMO_MARKER_WORKFLOW) > 0
    if already and not force:
        return DemoLoadResult(loaded=False)
    data = generate_demo_data(now=runtime.clock.now(), seed=seed)
    batch = runtime.settings.max_batch_items
    for start in range(0, len(data.runs), batch):
        runtime.intake.add_runs(data.runs[start : start + batch])
    for start in range(0, len(data.logs), batch):
        runtime.intake.add_logs(data.logs[start : start + batch])
    for start in range(0, len(data.metrics), batch):
        runtime.intake.add_metrics(data.metrics[start : start + batch])
    _record_changes(runtime, data)
    runtime.rules.provision(DEMO_RULES)
    runtime.evaluator.evaluate_once()
    sessions = sum(1 for incident in data.incidents if _troubleshoot(runtime, data, incident))
    return DemoLoadResult(
        loaded=True,
        runs=len(data.runs),
        logs=len(data.logs),
        metrics=len(data.metrics),
        sessions=sessions,
    )


def _record_changes(runtime: Runtime, data: DemoData) -> None:
    """A recorded change a few minutes before each incident a person caused (one that was
    fixed), so analysis has something to link the shift to."""
    for incident in data.incidents:
        if incident.fixed_at is None:
            continue
        runtime.changes.record(
            kind="config_changed",
            description=f"changed the settings of {incident.workflow_id}",
            occurred_at=incident.starts_at - timedelta(minutes=4),
            workflow_id=incident.workflow_id,
            author="demo",
        )


def _incident_logs(data: DemoData, incident: DemoIncident) -> list[LogRecord]:
    end = incident.fixed_at or incident.ends_at
    return [
        r
        for r in data.logs
        if r.workflow_id == incident.workflow_id
        and r.is_error
        and r.timestamp is not None
        and r.timestamp >= incident.starts_at
        and (end is None or r.timestamp <= end)
    ]


def _troubleshoot(runtime: Runtime, data: DemoData, incident: DemoIncident) -> bool:
    logs = _incident_logs(data, incident)
    if not logs:
        return False
    service = runtime.sessions
    session = service.start(workflow_id=incident.workflow_id, error_logs=logs)
    service.recommend(session.session_id)
    if incident.fixed_at is not None:
        service.verify(session.session_id, fix_applied_at=incident.fixed_at)
    return True
