"""Alembic environment: runs migrations on the connection ``flowdoctor.store.migrate`` hands in."""

from __future__ import annotations

from alembic import context

from flowdoctor.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER most things
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
