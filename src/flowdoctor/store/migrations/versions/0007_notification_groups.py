"""Notification groups: a channel's grouping settings and each outbox row's group.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Both nullable: existing channels and rows keep sending each alert on its own.
    op.add_column("notification_channels", sa.Column("grouping", sa.JSON(), nullable=True))
    op.add_column("notifications", sa.Column("group_id", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_notifications_group_id_status"), "notifications", ["group_id", "status"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_group_id_status"), table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("group_id")
    with op.batch_alter_table("notification_channels") as batch:
        batch.drop_column("grouping")
