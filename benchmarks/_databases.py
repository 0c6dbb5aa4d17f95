"""A fresh database for one benchmark run: a SQLite file in a temporary folder, or a PostgreSQL
schema of its own, dropped afterwards."""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def fresh_database(kind: str, pg_url: str, *, name: str) -> Iterator[str | None]:
    """A database URL for ``kind`` (``sqlite`` or ``postgresql``); ``None`` when PostgreSQL does
    not answer, the reason on stderr. ``name`` tells the file and schema of each benchmark apart."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / f'{name}.db'}"
        return
    try:
        import psycopg
    except ImportError:
        print("postgresql: psycopg is not installed; skipped", file=sys.stderr, flush=True)
        yield None
        return
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    schema = f"fd_{name}_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"postgresql: not reachable at {dsn} ({first}); skipped", file=sys.stderr, flush=True)
        yield None
        return
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
