"""Indexes for the sort orders of paginated lists: alerts by last change, sessions newest first,
templates most frequent first, a channel's notifications.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_alerts_updated_at", "alerts", ["updated_at"]),
    ("ix_sessions_created_at", "sessions", ["created_at"]),
    ("ix_error_templates_occurrences", "error_templates", ["occurrences"]),
    ("ix_notifications_channel_id_id", "notifications", ["channel_id", "id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(op.f(name), table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
