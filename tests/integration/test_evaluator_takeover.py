"""Two `flowdoctor serve` processes on one PostgreSQL database: exactly one evaluates the rules;
when it is killed (SIGKILL, no goodbye) the other takes over once the lease runs out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flowdoctor.monitor.evaluator import LEASE
from flowdoctor.store import Database, upgrade
from support.servers import free_port, wait_for


def _serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flowdoctor",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(free_port()),
        ],
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def servers(
    pg_url: str, tmp_path: Path
) -> Iterator[tuple[Database, list[subprocess.Popen[bytes]]]]:
    db = Database(pg_url)
    upgrade(db.engine)
    env = {
        "FLOWDOCTOR_DATABASE_URL": pg_url,
        "FLOWDOCTOR_EVALUATION_INTERVAL_SECONDS": "1",
        "FLOWDOCTOR_EVALUATOR_LEASE_SECONDS": "3",
    }
    procs = [_serve(env, tmp_path / f"serve{i}.log") for i in range(2)]
    try:
        yield db, procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
        db.dispose()


def _holder(db: Database) -> str | None:
    with db.transaction() as store:
        return store.leases.holder(LEASE, now=datetime.now(UTC))


def _pid(holder: str | None) -> int | None:
    return None if holder is None else int(holder.split(":")[1])


def test_one_evaluator_at_a_time_and_takeover(
    servers: tuple[Database, list[subprocess.Popen[bytes]]],
) -> None:
    db, procs = servers
    pids = {p.pid for p in procs}
    wait_for("no server took the evaluator lease", lambda: _pid(_holder(db)) in pids, seconds=60)
    first = _pid(_holder(db))
    # It keeps it while alive: past the 3 s lease, renewed every pass, the same process holds it.
    time.sleep(4)
    assert _pid(_holder(db)) == first
    os.kill(first, signal.SIGKILL)  # type: ignore[arg-type]
    survivor = (pids - {first}).pop()
    wait_for(
        "the other server did not take over", lambda: _pid(_holder(db)) == survivor, seconds=30
    )
