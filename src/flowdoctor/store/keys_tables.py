"""The API keys table, on the shared ``metadata`` (migration 0008 makes it)."""

from __future__ import annotations

from sqlalchemy import Column, String, Table, UniqueConstraint

from flowdoctor.store.tables import metadata
from flowdoctor.store.types import UTCDateTime

api_keys = Table(
    "api_keys",
    metadata,
    # The public half of a key (``fd_<key_id>_<secret>``): finds the row without the secret.
    Column("key_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("scope", String(20), nullable=False),
    # sha256 of the secret half. Keys are 256 random bits, so a fast hash is enough: there is no
    # dictionary to guess from, and a slow hash would cost every request.
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    UniqueConstraint("name"),
)
"""API keys; a key's secret is never stored, only its hash."""
