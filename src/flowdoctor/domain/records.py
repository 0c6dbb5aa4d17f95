"""What workflows emit: run events, log records and metric samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flowdoctor.domain.enums import LogLevel, RunStatus


@dataclass(frozen=True, slots=True)
class RunEvent:
    """One run (or one step of a run) of a workflow, as the automation platform reports it."""

    workflow_id: str
    run_id: str
    status: RunStatus
    started_at: datetime
    step: str | None = None
    platform: str | None = None
    duration_ms: float | None = None
    error_message: str | None = None
    error_code: str | None = None
    http_status: int | None = None
    records_processed: int | None = None
    attempt: int = 1

    @property
    def failed(self) -> bool:
        """True when the run or step ended in failure."""
        return self.status is RunStatus.FAILURE


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One log line, with the fields a parser could recognise pulled out of it.

    ``message`` is the text with any recognised timestamp/level prefix stripped; ``raw`` keeps the
    line as it came so nothing is lost.
    """

    message: str
    raw: str
    timestamp: datetime | None = None
    level: LogLevel | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    step: str | None = None
    platform: str | None = None
    error_code: str | None = None
    http_status: int | None = None
    line_number: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        """True for error-level records and for records without a level (a bare error string)."""
        return self.level is None or self.level in (LogLevel.ERROR, LogLevel.CRITICAL)


@dataclass(frozen=True, slots=True)
class MetricSample:
    """One observation of a named metric for a workflow (and optionally a step)."""

    workflow_id: str
    name: str
    value: float
    timestamp: datetime
    step: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
