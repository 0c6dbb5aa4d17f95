"""Enumerations shared by every layer. Members are UPPER, values are the lowercase wire strings."""

from __future__ import annotations

from enum import StrEnum


class IssueCategory(StrEnum):
    """The nine failure categories of the taxonomy: label a failure by what must change."""

    CONFIGURATION = "configuration"
    CONNECTIVITY = "connectivity"
    PERMISSIONS = "permissions"
    PERFORMANCE = "performance"
    DATA = "data"
    LOGIC = "logic"
    EXTERNAL_SERVICE = "external_service"
    TIMEOUT = "timeout"
    RESOURCE = "resource"
    UNCLASSIFIED = "unclassified"
    """Not one of the nine: the classifier could not tell. Reported, never guessed."""


class Severity(StrEnum):
    """How urgent a failure is; ``rank`` orders them (critical first)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical up to 4 for info: sorting by ``rank`` puts the worst first."""
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)


class Stage(StrEnum):
    """The five troubleshooting stages, in the order a session moves through them."""

    IDENTIFICATION = "identification"
    ANALYSIS = "analysis"
    DIAGNOSIS = "diagnosis"
    RESOLUTION = "resolution"
    VERIFICATION = "verification"


class SessionStatus(StrEnum):
    """Where a session stands as a whole, apart from which stage it reached."""

    OPEN = "open"
    VERIFIED = "verified"
    NOT_VERIFIED = "not_verified"
    CLOSED = "closed"


class RunStatus(StrEnum):
    """Outcome of one workflow run or step."""

    SUCCESS = "success"
    FAILURE = "failure"
    RUNNING = "running"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class ReplaySafety(StrEnum):
    """Whether re-running the failed request is safe once it can succeed."""

    SAFE = "safe"
    MAY_DUPLICATE_WRITES = "may_duplicate_writes"
    UNSAFE_UNTIL_FIXED = "unsafe_until_fixed"


class LogLevel(StrEnum):
    """Normalised log levels; parsers map the many spellings onto these."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"
