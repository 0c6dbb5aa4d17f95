"""Health history: each workflow's score and breakdown as recorded over time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "health_history",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_history")),
    )
    op.create_index(
        op.f("ix_health_history_workflow_id_computed_at"),
        "health_history",
        ["workflow_id", "computed_at"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_health_history_workflow_id_computed_at"), table_name="health_history")
    op.drop_table("health_history")
