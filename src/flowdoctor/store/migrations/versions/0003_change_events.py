"""Change events that users record, for linking metric shifts to what changed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=True),
        sa.Column("platform", sa.String(length=100), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_change_events")),
    )
    op.create_index(
        op.f("ix_change_events_workflow_id_occurred_at"),
        "change_events",
        ["workflow_id", "occurred_at"],
    )
    op.create_index(op.f("ix_change_events_occurred_at"), "change_events", ["occurred_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_change_events_occurred_at"), table_name="change_events")
    op.drop_index(op.f("ix_change_events_workflow_id_occurred_at"), table_name="change_events")
    op.drop_table("change_events")
