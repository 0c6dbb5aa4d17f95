"""Connecting to the database and handing out transactions.

The caller owns the transaction: services open ``with db.transaction() as store:`` and every
repository call inside it commits or rolls back together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from flowdoctor.domain import RunEvent
from flowdoctor.errors import ConfigurationError, InputError, StoreError
from flowdoctor.store.alerts_repo import (
    AlertRepository,
    LeaseRepository,
    RuleRepository,
    SilenceRepository,
)
from flowdoctor.store.changes_repo import ChangeEventRepository
from flowdoctor.store.health_repo import HealthHistoryRepository
from flowdoctor.store.issues_repo import IssueRepository
from flowdoctor.store.keys_repo import KeyRepository
from flowdoctor.store.notify_repo import NotificationRepository
from flowdoctor.store.records_repo import LogRepository, MetricRepository, RunRepository
from flowdoctor.store.run_rows import PreparedInsert, prepare_runs
from flowdoctor.store.sessions_repo import SessionRepository
from flowdoctor.store.templates_repo import TemplateRepository
from flowdoctor.store.writer_lock import writer_lock_for


class Store:
    """The repositories, all bound to one open transaction."""

    def __init__(self, connection: Any) -> None:
        self.runs = RunRepository(connection)
        self.logs = LogRepository(connection)
        self.metrics = MetricRepository(connection)
        self.sessions = SessionRepository(connection)
        self.issues = IssueRepository(connection)
        self.templates = TemplateRepository(connection)
        self.changes = ChangeEventRepository(connection)
        self.rules = RuleRepository(connection)
        self.alerts = AlertRepository(connection)
        self.silences = SilenceRepository(connection)
        self.leases = LeaseRepository(connection)
        self.health = HealthHistoryRepository(connection)
        self.notifications = NotificationRepository(connection)
        self.keys = KeyRepository(connection)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while one process writes; busy_timeout waits instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_NUL_REFUSED = "cannot contain NUL (0x00)"
"""psycopg's words for text holding U+0000, which PostgreSQL refuses."""


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """PostgreSQL connection pool per process: ``size`` kept open, ``overflow`` more at peaks,
    ``timeout`` seconds to wait for a free one; ``connect_timeout`` for a new connection."""

    size: int = 5
    overflow: int = 10
    timeout: float = 30.0
    connect_timeout: int = 10


def create_db_engine(url: str, pool: PoolSettings | None = None) -> Engine:
    """An SQLAlchemy engine for ``url``; for a SQLite file, its folder is created and WAL set."""
    pool = pool or PoolSettings()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"database URL is not valid: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=pool.size,
            max_overflow=pool.overflow,
            pool_timeout=pool.timeout,
            # A database that does not answer must not hang a request or a worker for ever.
            connect_args={"connect_timeout": pool.connect_timeout},
        )
    raise ConfigurationError(f"unsupported database {parsed.get_backend_name()!r}")


class Database:
    """One database: an engine plus transactions that yield a ``Store``."""

    def __init__(self, url: str, pool: PoolSettings | None = None) -> None:
        self.url = url
        self.engine = create_db_engine(url, pool)
        self._writer_lock = writer_lock_for(self.engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def prepare_runs(self, events: Iterable[RunEvent], ingested_at: datetime) -> PreparedInsert:
        """The INSERTs of ``events`` for this database, made outside any transaction, for
        ``store.runs.add_prepared``."""
        return prepare_runs(self.dialect, events, ingested_at)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Open a transaction; it commits when the block ends and rolls back if it raises."""
        with _translated_errors(), self.engine.begin() as connection:
            yield Store(connection)

    @contextmanager
    def write_transaction(self) -> Iterator[Store]:
        """A transaction for a write that may meet many others (ingestion).

        On a SQLite file it first takes a lock beside the file that every flowdoctor process
        shares, so writers queue on it and the next starts the moment one commits; without it,
        they collide on SQLite's writer lock, whose busy handler sleeps for growing intervals
        (tens of milliseconds) between tries. Elsewhere it is ``transaction()``.
        """
        with self._writer_lock, self.transaction() as store:
            yield store

    def ping(self) -> None:
        """Raise ``StoreError`` unless the database answers."""
        with self.transaction() as store:
            store.runs.count()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _first_line(exc: Exception) -> str:
    return (
        str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    )


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Database exceptions as flowdoctor's: an outage, a busy pool or the caller's bad input."""
    try:
        yield
    except OperationalError as exc:
        raise StoreError(f"database unavailable: {_first_line(exc)}") from exc
    except DBAPIError as exc:
        if _NUL_REFUSED in str(exc.orig):
            # PostgreSQL keeps no NUL in text (SQLite does): the caller's input, not an outage.
            raise InputError("text cannot contain NUL (U+0000) characters") from exc
        raise StoreError(f"database refused the operation: {_first_line(exc)}") from exc
    except PoolTimeoutError as exc:  # every pooled connection busy for the pool timeout
        raise StoreError("database busy: no free connection in the pool") from exc
