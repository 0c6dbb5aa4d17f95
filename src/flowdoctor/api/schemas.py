"""Request and response bodies of the REST API. Requests are strict: unknown fields, NaN,
infinity, booleans given as numbers and naive timestamps are refused with 422 naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
)

from flowdoctor.api.pagination import Page
from flowdoctor.domain import (
    ChangeEvent,
    ChangeKind,
    IssueCategory,
    MetricSample,
    ReplaySafety,
    RunEvent,
    RunStatus,
    SessionStatus,
    Severity,
    Stage,
)
from flowdoctor.ingest import DEFAULT_MAX_LINE_BYTES
from flowdoctor.store.issues_repo import StoredIssue


def _utc_representable(value: datetime) -> datetime:
    # 0001-01-01T00:00:00+01:00 is a valid aware time whose UTC instant falls before year 1.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time falls outside the years 1-9999 in UTC") from None
    return value


Timestamp = Annotated[AwareDatetime, AfterValidator(_utc_representable)]


def _within_line_limit(line: str) -> str:
    # The file reader cuts longer lines; a client sending one over HTTP is told instead.
    if len(line) > DEFAULT_MAX_LINE_BYTES // 4 and len(line.encode()) > DEFAULT_MAX_LINE_BYTES:
        raise ValueError(f"a log line is at most {DEFAULT_MAX_LINE_BYTES:,} bytes of UTF-8")
    return line


LogLine = Annotated[StrictStr, AfterValidator(_within_line_limit)]
"""One log line, at most ``DEFAULT_MAX_LINE_BYTES`` (64 KiB) of UTF-8."""
"""A time with its UTC offset, and within the years 1-9999 once in UTC."""
WorkflowId = Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"\S")]
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
MetricName = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Metrics = Annotated[dict[MetricName, Finite], Field(max_length=1000)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class _Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# -- requests ------------------------------------------------------------------------------------


class RunEventIn(_Request):
    """One run (or step of a run) as an automation platform reports it."""

    workflow_id: WorkflowId
    run_id: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    status: RunStatus
    started_at: Timestamp
    step: Annotated[StrictStr, Field(max_length=200)] | None = None
    platform: Annotated[StrictStr, Field(max_length=100)] | None = None
    duration_ms: Annotated[Finite, Field(ge=0)] | None = None
    error_message: Annotated[StrictStr, Field(max_length=10_000)] | None = None
    error_code: Annotated[StrictStr, Field(max_length=200)] | None = None
    http_status: Annotated[StrictInt, Field(ge=100, le=599)] | None = None
    records_processed: Annotated[StrictInt, Field(ge=0, le=2**62)] | None = None
    attempt: Annotated[StrictInt, Field(ge=1, le=1000)] = 1

    def to_domain(self) -> RunEvent:
        """The domain record."""
        # The validated fields as the model holds them (all flat; extra fields are refused):
        # half the cost of ``model_dump``'s copy, on the path of every ingested run.
        return RunEvent(**self.__dict__)


class CreateSessionIn(_Request):
    """Start a session. Without ``error_logs`` or ``run_events`` it reads the stored errors of the
    workflow's last 24 hours."""

    workflow_id: WorkflowId
    error_logs: Annotated[list[LogLine], Field(max_length=100_000)] | None = None
    run_events: Annotated[list[RunEventIn], Field(max_length=10_000)] = []


class AnalyzeMetricsIn(_Request):
    """Metrics to analyse; with no ``metrics`` the workflow's stored runs are used."""

    metrics: Metrics | None = None
    baseline: Metrics | None = None


class VerifyIn(_Request):
    """Verify a fix from stored runs around ``fix_applied_at``, or from two metric snapshots."""

    fix_applied_at: Timestamp | None = None
    before: Metrics | None = None
    after: Metrics | None = None


class IngestRunsIn(_Request):
    """A batch of run events; all are stored or none."""

    events: Annotated[list[RunEventIn], Field(min_length=1)]


class IngestLogsIn(_Request):
    """A batch of log lines (plain text or JSON objects, one per line); all are stored or none."""

    workflow_id: WorkflowId | None = None
    lines: Annotated[list[LogLine], Field(min_length=1)]


Label = Annotated[StrictStr, Field(max_length=200)]
Labels = Annotated[dict[Label, Label], Field(max_length=50)]


class MetricSampleIn(_Request):
    """One observation of a named metric."""

    workflow_id: WorkflowId
    name: MetricName
    value: Finite
    timestamp: Timestamp
    step: Annotated[StrictStr, Field(max_length=200)] | None = None
    labels: Labels = {}

    def to_domain(self) -> MetricSample:
        """The domain record."""
        return MetricSample(**self.model_dump())


class IngestMetricsIn(_Request):
    """A batch of metric samples; all are stored or none."""

    samples: Annotated[list[MetricSampleIn], Field(min_length=1)]


class ChangeEventIn(_Request):
    """A change someone made (or a vendor incident); no ``workflow_id`` means every workflow."""

    kind: ChangeKind
    description: Annotated[StrictStr, Field(min_length=1, max_length=2000, pattern=r"\S")]
    occurred_at: Timestamp | None = None
    workflow_id: WorkflowId | None = None
    platform: Annotated[StrictStr, Field(max_length=100)] | None = None
    author: Annotated[StrictStr, Field(max_length=200)] | None = None
    labels: Labels = {}
    event_id: (
        Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")] | None
    ) = None


class RecordChangesIn(_Request):
    """A batch of change events; all are recorded or none. Re-sending one is harmless."""

    events: Annotated[list[ChangeEventIn], Field(min_length=1)]


# -- responses -----------------------------------------------------------------------------------


class IssueOut(_Response):
    fingerprint: str
    category: IssueCategory
    severity: Severity
    retryable: bool
    platform: str | None
    workflow_id: str | None
    replay_safety: ReplaySafety
    confidence: float
    rule_id: str | None
    message_template: str
    occurrences: int
    first_seen: datetime | None
    last_seen: datetime | None
    evidence: list[str]


class IssueRecordOut(IssueOut):
    """An issue a session's identification found, with its id and its session."""

    issue_id: int
    session_id: str

    @classmethod
    def of(cls, stored: StoredIssue) -> IssueRecordOut:
        """The response body of a stored issue."""
        fields = {name: getattr(stored.issue, name) for name in IssueOut.model_fields}
        return cls.model_validate(
            {**fields, "issue_id": stored.issue_id, "session_id": stored.session_id}
        )


class IssuePage(Page[IssueRecordOut]):
    """A page of issues across sessions, most recently recorded first."""


class TemplateOut(_Response):
    """A recurring error template of a workflow, counted over every session."""

    workflow_id: str
    template_id: str
    template: str
    occurrences: int
    first_seen: datetime
    last_seen: datetime


class TemplatePage(Page[TemplateOut]):
    """A page of error templates, most frequent first."""


class FindingOut(_Response):
    kind: str
    description: str
    confidence: float
    stage: Stage
    subject: str | None
    category: IssueCategory | None
    evidence: list[str]


class RecommendationOut(_Response):
    priority: int
    title: str
    steps: list[str]
    rationale: str
    retryable: bool
    replay_safety: ReplaySafety
    confidence: float
    category: IssueCategory | None
    platform: str | None
    issue_fingerprints: list[str]
    evidence: list[str]
    doc_url: str | None


class SimilarIssueOut(_Response):
    """A past issue like one of this session's, and how its session was resolved."""

    issue_fingerprint: str
    issue_template: str
    session_id: str
    workflow_id: str
    past_fingerprint: str
    past_template: str
    similarity: float
    score: float
    fixes: list[str]
    verified: bool
    verification_reason: str | None
    seen_at: datetime


class VerificationOut(_Response):
    verified: bool
    reason: str
    baseline: dict[str, float]
    after: dict[str, float]
    fix_applied_at: datetime | None


class StageOut(_Response):
    stage: Stage
    started_at: datetime
    finished_at: datetime
    duration_ms: float
    output: dict[str, Any]


class EventOut(_Response):
    sequence: int
    at: datetime
    kind: str
    detail: dict[str, Any]


class SessionOut(_Response):
    session_id: str
    workflow_id: str
    stage: Stage | None
    status: SessionStatus
    created_at: datetime
    updated_at: datetime


class SessionPage(Page[SessionOut]):
    """A page of sessions, newest first."""


class SessionDetailOut(SessionOut):
    issues: list[IssueOut]
    findings: list[FindingOut]
    recommendations: list[RecommendationOut]
    verification: VerificationOut | None
    metrics: dict[str, float]


class SummaryOut(SessionOut):
    """Everything about a session at a glance, with its full audit trail."""

    issues_by_category: dict[str, int]
    issues_by_severity: dict[str, int]
    total_occurrences: int
    root_causes: list[FindingOut]
    findings: list[FindingOut]
    recommendations: list[RecommendationOut]
    verification: VerificationOut | None
    similar_past_issues: list[SimilarIssueOut]
    stages: list[StageOut]
    events: list[EventOut]


class IngestOut(BaseModel):
    accepted: int
    skipped: int = 0


class HealthComponentOut(_Response):
    name: str
    points_lost: float
    max_points: float
    reason: str


class HealthOut(_Response):
    workflow_id: str
    score: float | None
    computed_at: datetime
    components: list[HealthComponentOut]


class ChangeEventOut(_Response):
    event_id: str
    occurred_at: datetime
    kind: ChangeKind
    description: str
    workflow_id: str | None
    platform: str | None
    author: str | None
    labels: dict[str, str]

    @classmethod
    def of(cls, event: ChangeEvent) -> ChangeEventOut:
        """The response body of a domain event."""
        return cls.model_validate(event)


class ChangeEventPage(Page[ChangeEventOut]):
    """A page of change events, oldest first."""


class RecordChangesOut(BaseModel):
    created: int
    events: list[ChangeEventOut]


class HealthPointOut(BaseModel):
    computed_at: datetime
    score: float
    components: list[HealthComponentOut]


class WorkflowListOut(BaseModel):
    workflows: list[str]
