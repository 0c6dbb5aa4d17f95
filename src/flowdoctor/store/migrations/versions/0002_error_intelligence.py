"""Error intelligence: evidence and doc links on recommendations; template-miner state and counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# BigInteger ids on PostgreSQL; SQLite needs INTEGER PRIMARY KEY for its rowid alias.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # batch_alter_table: plain ALTERs on PostgreSQL, what SQLite can do (or a copy) on SQLite.
    with op.batch_alter_table("session_recommendations") as batch:
        # Recommendations made before this migration get no evidence, not a NULL.
        batch.add_column(
            sa.Column("evidence", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("doc_url", sa.Text(), nullable=True))
    op.create_table(
        "miner_states",
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", name=op.f("pk_miner_states")),
    )
    op.create_table(
        "error_templates",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("template_id", sa.String(length=100), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("occurrences", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_error_templates")),
        sa.UniqueConstraint(
            "workflow_id", "template_id", name=op.f("uq_error_templates_workflow_id_template_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("error_templates")
    op.drop_table("miner_states")
    with op.batch_alter_table("session_recommendations") as batch:
        batch.drop_column("doc_url")
        batch.drop_column("evidence")
