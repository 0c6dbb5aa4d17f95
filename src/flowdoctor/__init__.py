"""flowdoctor: troubleshooting for workflow automations.

Classify failures, diagnose root causes, recommend fixes and verify that they worked. The names
below are the public library API; everything else may change between releases.
"""

from flowdoctor._version import __version__
from flowdoctor.config import Settings
from flowdoctor.domain import AlertRule as MonitoringRule
from flowdoctor.domain import (
    ChangeEvent,
    ChangeKind,
    Classification,
    DiagnosticFinding,
    IssueCategory,
    LogRecord,
    MetricSample,
    Recommendation,
    ReplaySafety,
    RunEvent,
    RunStatus,
    SessionStatus,
    Severity,
    Stage,
    TroubleshootingSession,
    VerificationResult,
    WorkflowIssue,
)
from flowdoctor.engine import WorkflowTroubleshootingEngine
from flowdoctor.errors import (
    FlowdoctorError,
    InputError,
    InvalidTransitionError,
    NotFoundError,
    SessionNotFoundError,
    StoreError,
)

__all__ = [
    "ChangeEvent",
    "ChangeKind",
    "Classification",
    "DiagnosticFinding",
    "FlowdoctorError",
    "InputError",
    "InvalidTransitionError",
    "IssueCategory",
    "LogRecord",
    "MetricSample",
    "MonitoringRule",
    "NotFoundError",
    "Recommendation",
    "ReplaySafety",
    "RunEvent",
    "RunStatus",
    "SessionNotFoundError",
    "SessionStatus",
    "Settings",
    "Severity",
    "Stage",
    "StoreError",
    "TroubleshootingSession",
    "VerificationResult",
    "WorkflowIssue",
    "WorkflowMonitoringSystem",
    "WorkflowTroubleshootingEngine",
    "__version__",
]


def __getattr__(name: str) -> object:
    # The monitoring server brings in the web stack; load it only for those who ask for it.
    if name == "WorkflowMonitoringSystem":
        from flowdoctor.monitoring_system import WorkflowMonitoringSystem

        return WorkflowMonitoringSystem
    raise AttributeError(f"module 'flowdoctor' has no attribute {name!r}")
