"""What the demo data set is made of: six workflows, the incidents injected into them, and how each
behaves (the load curve, how a workflow writes its log lines, what an incident does to a step).

:mod:`flowdoctor.demo.dataset` turns this into runs, logs and metrics. Incident times are fractions
of the generated span back from ``now``, so a shorter span keeps every incident; error messages are
written the way each vendor's client reports them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flowdoctor.domain import LogLevel, LogRecord


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step of a workflow; ``platform`` is ``None`` for in-process code."""

    name: str
    platform: str | None
    baseline_ms: float


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """A demo workflow: what it is, how often it runs and what its runs look like."""

    workflow_id: str
    name: str
    description: str
    schedule_minutes: int
    steps: tuple[StepSpec, ...]
    records_mean: float
    json_logs: bool
    """Whether its log lines are JSON objects (else plain text lines)."""

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms its steps talk to, in step order, without repeats."""
        named = (step.platform for step in self.steps if step.platform is not None)
        return tuple(dict.fromkeys(named))

    def log_record(
        self,
        at: datetime,
        level: LogLevel,
        message: str,
        run_id: str,
        step: StepSpec | None = None,
        failure: FailureSpec | None = None,
    ) -> LogRecord:
        """A log line as this workflow's logger writes it (a JSON object or plain text), with
        the fields a parser would pull out of it already filled in."""
        step_name, platform = (step.name, step.platform) if step else (None, None)
        code, status = (failure.error_code, failure.http_status) if failure else (None, None)
        stamp = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
        if self.json_logs:
            named = {
                "ts": stamp, "level": level.value, "workflow_id": self.workflow_id,
                "run_id": run_id, "step": step_name, "platform": platform, "error_code": code,
                "http_status": status, "msg": message,
            }  # fmt: skip
            raw = json.dumps({key: value for key, value in named.items() if value is not None})
        else:
            where = f"run={run_id}" + (f" step={step_name}" if step_name else "")
            raw = f"{stamp} {level.value.upper()} [{self.workflow_id}] {where} {message}"
        return LogRecord(
            message=message, raw=raw, timestamp=at, level=level, workflow_id=self.workflow_id,
            run_id=run_id, step=step_name, platform=platform, error_code=code, http_status=status,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class FailureSpec:
    """The error an incident makes a step fail with."""

    step: str
    message: str
    error_code: str | None
    http_status: int | None
    retryable: bool


@dataclass(frozen=True, slots=True)
class IncidentSpec:
    """An injected incident. It starts ``starts_ago`` of the span before now and lasts
    ``duration`` (``None``: still going on). While it lasts, each attempt of its step fails with
    probability ``failure_rate`` (the first run in the window always fails) unless ``limit_ms`` is
    set: then the step slows down linearly to ``slowdown`` times its baseline and fails once it
    takes ``limit_ms``."""

    workflow_id: str
    title: str
    category: str
    starts_ago: float
    duration: timedelta | None
    fixed: bool
    failure: FailureSpec
    expected_error_substring: str
    failure_rate: float = 1.0
    slowdown: float = 1.0
    limit_ms: float | None = None

    def affect(
        self, duration_ms: float, progress: float, forced: bool, rng: random.Random
    ) -> tuple[float, bool]:
        """The step's duration and whether it fails, ``progress`` (0..1) into the incident."""
        duration_ms *= 1.0 + (self.slowdown - 1.0) * progress
        if self.limit_ms is not None:
            failed = duration_ms >= self.limit_ms
            return (self.limit_ms if failed else duration_ms), failed
        if forced or rng.random() < self.failure_rate:
            return duration_ms * 0.4, True  # errors come back faster than work does
        return duration_ms, False


def load_factor(at: datetime) -> float:
    """Business hours (UTC, weekdays) carry more records than nights and weekends."""
    if at.weekday() >= 5:
        return 0.5
    return 1.4 if 8 <= at.hour < 18 else 0.6


def _step(name: str, platform: str | None, baseline_ms: float) -> StepSpec:
    return StepSpec(name, platform, baseline_ms)


# Step baselines keep a healthy run's p95 under the 2 s latency warning of the metric analysis, so
# only the injected incidents stand out.
WORKFLOWS: tuple[WorkflowSpec, ...] = (
    WorkflowSpec(
        "salesforce_sync_001", "Salesforce account sync",
        "Copies new and changed Salesforce accounts and opportunities into the analytics "
        "PostgreSQL database.",
        15, (_step("fetch", "salesforce", 800), _step("transform", None, 150),
             _step("load", "postgresql", 400)),
        records_mean=120, json_logs=False,
    ),
    WorkflowSpec(
        "slack_incident_alerts", "Incident alerts to Slack",
        "Posts new monitoring alerts to #incidents in Slack and threads their updates.",
        5, (_step("collect", None, 120), _step("post", "slack", 450)),
        records_mean=3, json_logs=True,
    ),
    WorkflowSpec(
        "teams_daily_digest", "Teams operations digest",
        "Refreshes the day's digest of open tickets and deploys in the Operations channel of "
        "Microsoft Teams every hour.",
        60, (_step("build", None, 500), _step("post", "microsoft_teams", 600)),
        records_mean=25, json_logs=False,
    ),
    WorkflowSpec(
        "sheets_sales_report", "Sales report in Google Sheets",
        "Reads closed-won deals from the 'Sales' tab and writes the regional summary sheet.",
        30, (_step("fetch", "google_sheets", 550), _step("transform", None, 150),
             _step("write", "google_sheets", 650)),
        records_mean=400, json_logs=False,
    ),
    WorkflowSpec(
        "hubspot_lead_router", "HubSpot lead router",
        "Assigns new HubSpot contacts to sales reps by territory and notifies the rep in Slack.",
        10, (_step("fetch", "hubspot", 450), _step("transform", None, 60),
             _step("update", "hubspot", 350), _step("notify", "slack", 300)),
        records_mean=8, json_logs=True,
    ),
    WorkflowSpec(
        "warehouse_export", "Warehouse export to S3",
        "Exports the last hour of orders from PostgreSQL to Parquet files in S3.",
        60, (_step("query", "postgresql", 900), _step("upload", "aws_s3", 400)),
        records_mean=8000, json_logs=True,
    ),
)  # fmt: skip

_SF_QUERY = "GET /services/data/v59.0/query?q=SELECT+Id,Name,LastModifiedDate+FROM+Account"
_SHEETS_URL = (
    "https://sheets.googleapis.com/v4/spreadsheets/1Qp9vX2sLmT7cR4/values/%27Sales%27%21A1%3AZ"
)
_TEAMS_URL = "https://acme.webhook.office.com/webhookb2/4b1c9e2f@7d3a/IncomingWebhook/9e2fd7a1"
_HUBSPOT_BODY = (
    '{"status":"error","message":"Property values were not valid: [{\\"isValid\\":false,'
    '\\"message\\":\\"\\\\\\"Sales Qualified\\\\\\" was not one of the allowed options\\",'
    '\\"error\\":\\"INVALID_OPTION\\",\\"name\\":\\"hs_lead_status\\"}]",'
    '"correlationId":"5c0e1f4a-7d2b-4e8a-9b61-2f3c8d7e6a10","category":"VALIDATION_ERROR"}'
)

INCIDENTS: tuple[IncidentSpec, ...] = (
    IncidentSpec(
        "salesforce_sync_001", "Salesforce session expired", "permissions",
        starts_ago=0.20, duration=timedelta(hours=3), fixed=True,
        failure=FailureSpec(
            "fetch", f"INVALID_SESSION_ID: Session expired or invalid ({_SF_QUERY} returned 401)",
            "INVALID_SESSION_ID", 401, retryable=False,
        ),
        expected_error_substring="INVALID_SESSION_ID: Session expired or invalid",
    ),
    IncidentSpec(
        "salesforce_sync_001", "Analytics database refused connections", "connectivity",
        starts_ago=0.62, duration=timedelta(minutes=40), fixed=False,
        failure=FailureSpec(
            "load",
            "psycopg2.OperationalError: could not connect to server: Connection refused "
            'Is the server running on host "pg-analytics.internal" (10.20.4.17) and accepting '
            "TCP/IP connections on port 5432?",
            "08001", None, retryable=True,
        ),
        expected_error_substring="could not connect to server: Connection refused",
        failure_rate=0.9,
    ),
    *(
        IncidentSpec(
            "slack_incident_alerts", "Slack rate limited chat.postMessage", "resource",
            starts_ago=ago, duration=timedelta(minutes=minutes), fixed=False,
            failure=FailureSpec(
                "post",
                "slack_sdk.errors.SlackApiError: The request to the Slack API failed. "
                "(url: https://slack.com/api/chat.postMessage, status: 429) The server responded "
                "with: {'ok': False, 'error': 'ratelimited'} (Retry-After: 30)",
                "ratelimited", 429, retryable=True,
            ),
            expected_error_substring="ratelimited",
            failure_rate=0.6,
        )
        for ago, minutes in ((0.45, 45), (0.06, 30))
    ),
    IncidentSpec(
        "sheets_sales_report", "The 'Sales' tab was renamed", "configuration",
        starts_ago=0.10, duration=None, fixed=False,
        failure=FailureSpec(
            "fetch",
            f"googleapiclient.errors.HttpError: <HttpError 400 when requesting {_SHEETS_URL}"
            "?alt=json returned \"Unable to parse range: 'Sales'!A1:Z\". "
            "Details: \"Unable to parse range: 'Sales'!A1:Z\">",
            "INVALID_ARGUMENT", 400, retryable=False,
        ),
        expected_error_substring="Unable to parse range: 'Sales'!A1:Z",
    ),
    IncidentSpec(
        "teams_daily_digest", "Microsoft Teams webhook outage", "external_service",
        starts_ago=0.35, duration=timedelta(hours=2), fixed=False,
        failure=FailureSpec(
            "post", f"POST {_TEAMS_URL} failed: HTTP 503 Service Unavailable "
            "(The service is temporarily unavailable. Please try again later.)",
            None, 503, retryable=True,
        ),
        expected_error_substring="503 Service Unavailable",
    ),
    IncidentSpec(
        "warehouse_export", "Export queries slow down and hit the statement timeout", "timeout",
        starts_ago=0.14, duration=None, fixed=False,
        failure=FailureSpec(
            "query",
            "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout "
            "CONTEXT: COPY (SELECT * FROM orders WHERE updated_at >= $1) TO STDOUT",
            "57014", None, retryable=True,
        ),
        expected_error_substring="canceling statement due to statement timeout",
        slowdown=45.0, limit_ms=30_000,
    ),
    IncidentSpec(
        "hubspot_lead_router", "Router crashes on contacts without an email", "logic",
        starts_ago=0.30, duration=timedelta(hours=5), fixed=True,
        failure=FailureSpec(
            "transform",
            'Traceback (most recent call last): File "/srv/flows/lead_router/transform.py", '
            'line 42, in route_contact: domain = contact["properties"]["email"].split("@")[1] '
            "KeyError: 'email'",
            None, None, retryable=False,
        ),
        expected_error_substring="KeyError: 'email'",
        failure_rate=0.35,
    ),
    IncidentSpec(
        "hubspot_lead_router", "Lead status value not allowed by HubSpot", "data",
        starts_ago=0.80, duration=timedelta(hours=6), fixed=True,
        failure=FailureSpec(
            "update",
            "hubspot.crm.contacts.exceptions.ApiException: (400) Reason: Bad Request "
            f"HTTP response body: {_HUBSPOT_BODY}",
            "VALIDATION_ERROR", 400, retryable=False,
        ),
        expected_error_substring="Property values were not valid",
        failure_rate=0.25,
    ),
)  # fmt: skip
