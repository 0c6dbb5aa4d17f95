"""Plain dataclasses and enums: the language every other layer speaks. No I/O here."""

from flowdoctor.domain.changes import ChangeEvent, ChangeKind
from flowdoctor.domain.enums import (
    IssueCategory,
    LogLevel,
    ReplaySafety,
    RunStatus,
    SessionStatus,
    Severity,
    Stage,
)
from flowdoctor.domain.issues import Classification, WorkflowIssue
from flowdoctor.domain.monitoring import (
    Alert,
    AlertRule,
    AlertSource,
    AlertState,
    AlertTransition,
    Condition,
    Matcher,
    Silence,
)
from flowdoctor.domain.records import LogRecord, MetricSample, RunEvent
from flowdoctor.domain.session import (
    DiagnosticFinding,
    Recommendation,
    SessionEvent,
    StageRecord,
    TroubleshootingSession,
    VerificationResult,
)

STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)
"""The five stages in the order a session goes through them."""

__all__ = [
    "STAGE_ORDER",
    "Alert",
    "AlertRule",
    "AlertSource",
    "AlertState",
    "AlertTransition",
    "ChangeEvent",
    "ChangeKind",
    "Classification",
    "Condition",
    "DiagnosticFinding",
    "IssueCategory",
    "LogLevel",
    "LogRecord",
    "Matcher",
    "MetricSample",
    "Recommendation",
    "ReplaySafety",
    "RunEvent",
    "RunStatus",
    "SessionEvent",
    "SessionStatus",
    "Severity",
    "Silence",
    "Stage",
    "StageRecord",
    "TroubleshootingSession",
    "VerificationResult",
    "WorkflowIssue",
]
