"""Settings, read once (from ``FLOWDOCTOR_*`` environment variables) and passed down.

Nothing else in flowdoctor reads the environment: the CLI, the API and the library facade each call
``Settings()`` once at their edge and hand the object to ``runtime.build``.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """A SQLite file in the user's data folder (``~/.local/share/flowdoctor`` on Linux)."""
    folder = Path(platformdirs.user_data_dir("flowdoctor", appauthor=False))
    return f"sqlite:///{folder / 'flowdoctor.db'}"


class Settings(BaseSettings):
    """Every setting flowdoctor has; each can be set as ``FLOWDOCTOR_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="FLOWDOCTOR_", extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql+psycopg://...",
    )
    auto_migrate: bool = Field(
        default=True, description="Bring the schema up to date when flowdoctor starts."
    )
    host: str = Field(default="127.0.0.1", description="Address `flowdoctor serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `flowdoctor serve` uses.")
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest request body the API accepts."
    )
    max_batch_items: int = Field(
        default=10_000, ge=1, description="Most run events or log lines in one ingest request."
    )
    max_issue_groups: int = Field(
        default=10_000,
        ge=10,
        description="Most distinct error groups kept while reading one log; the rest are counted.",
    )
    log_level: str = Field(default="info", description="Server log level.")
    max_workflow_series: int = Field(
        default=1000,
        ge=1,
        description="Most workflows with their own health series at /metrics (the least healthy).",
    )
    dashboard_url: str | None = Field(
        default=None,
        description="Base URL of flowdoctor's dashboard; notifications link to the alert there.",
    )
    delivery_interval_seconds: float = Field(
        default=5.0,
        ge=0.1,
        le=600.0,
        description="How often `flowdoctor serve` delivers due notifications from the outbox.",
    )
    repeat_interval_minutes: float = Field(
        default=240.0,
        ge=1.0,
        description="How often a firing alert nobody acknowledged is notified again.",
    )
    evaluator_lease_seconds: float = Field(
        default=60.0,
        ge=1.0,
        le=3600.0,
        description="How long a dead evaluating process keeps others from taking over.",
    )
    evaluation_interval_seconds: float = Field(
        default=30.0,
        ge=1.0,
        le=3600.0,
        description="How often `flowdoctor serve` evaluates the alert rules.",
    )

    db_pool_size: int = Field(
        default=5, ge=1, le=1000, description="PostgreSQL connections each process keeps open."
    )
    db_max_overflow: int = Field(
        default=10, ge=0, le=1000, description="Extra PostgreSQL connections a process may open."
    )
    db_pool_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="How long a request waits for a free connection."
    )
    rate_limit_per_minute: int = Field(
        default=6000,
        ge=1,
        description="Requests a minute one API key may make, on average (429 beyond).",
    )
    rate_limit_burst: int = Field(
        default=200, ge=1, description="Requests one API key may make at once."
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("database_url must start with sqlite:// or postgresql")
        return value
