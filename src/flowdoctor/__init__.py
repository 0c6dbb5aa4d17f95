"""flowdoctor: troubleshooting for workflow automations.

Classify failures, diagnose root causes, recommend fixes and verify that they worked. The names
below are the public library API; everything else may change between releases.
"""

from flowdoctor.config import Settings
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

__version__ = "0.1.0"

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
    "WorkflowTroubleshootingEngine",
    "__version__",
]
