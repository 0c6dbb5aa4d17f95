"""Shared fixtures: real databases (a SQLite file, and PostgreSQL on 127.0.0.1:5432 when it
answers), a wired runtime on each, and a fixed clock."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flowdoctor.clock import FixedClock
from flowdoctor.config import Settings
from flowdoctor.runtime import Runtime, build
from support.data import SHARED_BENCHMARKS

PG_ADMIN_URL = os.environ.get(
    "FLOWDOCTOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL tests must skip."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'flowdoctor[postgres]')"
    dsn = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"no PostgreSQL answers at {dsn}: {first}"


_PG_SKIP_REASON: str | None = None
_PG_CHECKED = False


def postgres_skip_reason() -> str | None:
    global _PG_SKIP_REASON, _PG_CHECKED
    if not _PG_CHECKED:
        _PG_SKIP_REASON, _PG_CHECKED = _postgres_reason(), True
    return _PG_SKIP_REASON


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    reason = postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"fd_test_{uuid.uuid4().hex[:12]}"
    dsn = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'flowdoctor.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def runtime(settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    rt = build(settings, clock=clock)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def real_log_lines() -> Callable[[int], list[str]]:
    """Real lines from the shared benchmark data: dev.jsonl's texts and every ``step``-th line of
    each Loghub-2k log. Empty where the data is absent (tests then skip, saying so)."""

    def lines(step: int) -> list[str]:
        found: list[str] = []
        dev = SHARED_BENCHMARKS / "platform_errors" / "dev.jsonl"
        if dev.is_file():
            rows = dev.read_text(encoding="utf-8").splitlines()
            found += [json.loads(row)["text"] for row in rows if row]
        for log in sorted((SHARED_BENCHMARKS / "loghub").glob("*/*_2k.log")):
            found += log.read_text(encoding="utf-8", errors="replace").splitlines()[::step]
        return found

    return lines
