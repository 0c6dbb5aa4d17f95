"""The schema, as SQLAlchemy Core tables. Alembic migrations in ``migrations/`` must match it
(a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from flowdoctor.store.types import UTCDateTime

# Named constraints, so migrations can refer to them the same way on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids on PostgreSQL; SQLite needs INTEGER PRIMARY KEY for its rowid alias.
Id = BigInteger().with_variant(Integer(), "sqlite")

runs = Table(
    "runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workflow_id", String(200), nullable=False),
    Column("run_id", String(200), nullable=False),
    Column("step", String(200)),
    Column("platform", String(100)),
    Column("status", String(20), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("duration_ms", Float),
    Column("error_message", Text),
    Column("error_code", String(200)),
    Column("http_status", Integer),
    Column("records_processed", BigInteger),
    Column("attempt", Integer, nullable=False),
    Column("ingested_at", UTCDateTime(), nullable=False),
    Index(None, "workflow_id", "started_at"),
)

log_records = Table(
    "log_records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workflow_id", String(200)),
    Column("run_id", String(200)),
    Column("step", String(200)),
    Column("platform", String(100)),
    Column("level", String(20)),
    Column("logged_at", UTCDateTime()),
    Column("message", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("error_code", String(200)),
    Column("http_status", Integer),
    Column("ingested_at", UTCDateTime(), nullable=False),
    Index(None, "workflow_id", "logged_at"),
)

metric_samples = Table(
    "metric_samples",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workflow_id", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("value", Float, nullable=False),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("step", String(200)),
    Column("labels", JSON, nullable=False),
    Index(None, "workflow_id", "name", "observed_at"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_id", String(36), primary_key=True),
    Column("workflow_id", String(200), nullable=False),
    Column("stage", String(20)),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("verification", JSON),
    Index(None, "workflow_id", "created_at"),
    Index(None, "created_at"),  # GET /sessions pages newest first (0009)
)


def _session_fk() -> Column[str]:
    return Column(
        "session_id",
        String(36),
        ForeignKey("sessions.session_id", ondelete="CASCADE"),
        nullable=False,
    )


session_stages = Table(
    "session_stages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _session_fk(),
    Column("stage", String(20), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=False),
    Column("output", JSON, nullable=False),
    Index(None, "session_id"),
)

session_events = Table(
    "session_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _session_fk(),
    Column("sequence", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("detail", JSON, nullable=False),
    UniqueConstraint("session_id", "sequence"),
)

session_issues = Table(
    "session_issues",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _session_fk(),
    Column("fingerprint", String(64), nullable=False),
    Column("category", String(30), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("retryable", Boolean, nullable=False),
    Column("platform", String(100)),
    Column("workflow_id", String(200)),
    Column("replay_safety", String(30), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("rule_id", String(100)),
    Column("message_template", Text, nullable=False),
    Column("occurrences", BigInteger, nullable=False),
    Column("first_seen", UTCDateTime()),
    Column("last_seen", UTCDateTime()),
    Column("evidence", JSON, nullable=False),
    UniqueConstraint("session_id", "fingerprint"),
)

session_findings = Table(
    "session_findings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _session_fk(),
    Column("stage", String(20), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("description", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("subject", String(200)),
    Column("category", String(30)),
    Column("evidence", JSON, nullable=False),
    Index(None, "session_id"),
)

session_recommendations = Table(
    "session_recommendations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _session_fk(),
    Column("priority", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("steps", JSON, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("retryable", Boolean, nullable=False),
    Column("replay_safety", String(30), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("category", String(30)),
    Column("platform", String(100)),
    Column("issue_fingerprints", JSON, nullable=False),
    # The server default fills rows written before migration 0002 added the column.
    Column("evidence", JSON, nullable=False, server_default="[]"),
    Column("doc_url", Text),
    Index(None, "session_id"),
)

miner_states = Table(
    "miner_states",
    metadata,
    Column("workflow_id", String(200), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
"""A workflow's template-miner state, as versioned JSON (never a pickle)."""

error_templates = Table(
    "error_templates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workflow_id", String(200), nullable=False),
    Column("template_id", String(100), nullable=False),
    Column("template", Text, nullable=False),
    Column("occurrences", BigInteger, nullable=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    UniqueConstraint("workflow_id", "template_id"),
    Index(None, "occurrences"),  # GET /templates pages most frequent first (0009)
)
"""Recurring error templates of each workflow, with counts accumulated across sessions."""

change_events = Table(
    "change_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("workflow_id", String(200)),
    Column("platform", String(100)),
    Column("author", String(200)),
    Column("labels", JSON, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Index(None, "workflow_id", "occurred_at"),
    Index(None, "occurred_at"),
)
"""Changes users record (edits, rotated credentials, deployments, vendor incidents); a NULL
``workflow_id`` is a change that concerns every workflow."""
