"""Tables of alert rules, alerts, their transitions, silences and the evaluator's lease, on the
shared ``metadata`` (migration 0005 creates them)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, String, Table, Text

from flowdoctor.store.tables import Id, metadata
from flowdoctor.store.types import UTCDateTime

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("rule_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("workflow_id", String(200)),
    Column("enabled", Boolean, nullable=False),
    Column("definition", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
"""A rule's fields as plain data (``monitor.rule_config.rule_to_mapping``)."""

alerts = Table(
    "alerts",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("rule_id", String(64)),
    Column("workflow_id", String(200)),
    Column("state", String(20), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("annotations", JSON, nullable=False),
    Column("value", Float),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("fired_at", UTCDateTime()),
    Column("resolved_at", UTCDateTime()),
    Column("acknowledged_by", String(200)),
    Column("acknowledged_at", UTCDateTime()),
    Column("acknowledgement_note", Text),
    Column("source", String(20), nullable=False),
    Index(None, "state", "severity"),
    Index(None, "workflow_id"),
    Index(None, "updated_at"),  # GET /alerts pages by last change (0009)
)

alert_transitions = Table(
    "alert_transitions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("detail", JSON, nullable=False),
    Index(None, "fingerprint", "at"),
)
"""Every change of every alert: state moves, acknowledgements, silencing; append-only."""

silences = Table(
    "silences",
    metadata,
    Column("silence_id", String(64), primary_key=True),
    Column("matchers", JSON, nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Index(None, "ends_at"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)
"""Who holds a singleton job (the rule evaluator) until when; another process takes over once
the lease has expired."""

health_history = Table(
    "health_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workflow_id", String(200), nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
    Column("score", Float, nullable=False),
    Column("components", JSON, nullable=False),
    Index(None, "workflow_id", "computed_at"),
)
"""Health scores as they were, with their breakdown (one row per workflow per recording)."""
