"""docs/deployment.md, followed: three `flowdoctor serve` processes on one PostgreSQL database,
schema made once with `flowdoctor db upgrade` and auto-migration off, a key issued with
`flowdoctor keys create`. Each serves what another stored; exactly one evaluates the rules; when
it is killed (SIGKILL, no goodbye) one of the others takes over once the lease runs out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
import pytest

from flowdoctor.api.paths import API_PREFIX
from flowdoctor.monitor.evaluator import LEASE
from flowdoctor.store import Database
from support.servers import free_port, wait_for

P = API_PREFIX


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str


def _flowdoctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowdoctor", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _serve(env: dict[str, str], log: Path) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flowdoctor", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return Server(process, f"http://127.0.0.1:{port}")


@pytest.fixture
def deployment(pg_url: str, tmp_path: Path) -> Iterator[tuple[Database, list[Server], str]]:
    env = {
        "FLOWDOCTOR_DATABASE_URL": pg_url,
        "FLOWDOCTOR_AUTO_MIGRATE": "false",
        "FLOWDOCTOR_EVALUATION_INTERVAL_SECONDS": "1",
        "FLOWDOCTOR_EVALUATOR_LEASE_SECONDS": "3",
    }
    _flowdoctor(env, "db", "upgrade")
    key = _flowdoctor(env, "keys", "create", "ops", "--scope", "admin").stdout.strip()
    servers = [_serve(env, tmp_path / f"serve{i}.log") for i in range(3)]
    db = Database(pg_url)
    try:
        for server in servers:
            wait_for(f"{server.url} did not come up", partial(_alive, server.url), seconds=60)
        yield db, servers, key
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.terminate()
                server.process.wait(timeout=30)
        db.dispose()


def _alive(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _holder(db: Database) -> str | None:
    with db.transaction() as store:
        return store.leases.holder(LEASE, now=datetime.now(UTC))


def _pid(holder: str | None) -> int | None:
    return None if holder is None else int(holder.split(":")[1])


def test_three_processes_share_the_data_and_one_evaluator(
    deployment: tuple[Database, list[Server], str],
) -> None:
    db, servers, key = deployment
    auth = {"Authorization": f"Bearer {key}"}
    first, *others = servers
    run = {"workflow_id": "sf_sync", "run_id": "r1", "status": "failure"}
    run["started_at"] = datetime.now(UTC).isoformat()
    stored = httpx.post(f"{first.url}{P}/runs", json={"events": [run]}, headers=auth, timeout=30)
    assert stored.status_code == 201, stored.text
    for server in others:  # what one stored, the others serve
        listed = httpx.get(f"{server.url}{P}/workflows", headers=auth, timeout=30)
        assert listed.json()["workflows"] == ["sf_sync"]
        assert httpx.get(f"{server.url}{P}/workflows", timeout=30).status_code == 401

    pids = {s.process.pid for s in servers}
    wait_for("no server took the evaluator lease", lambda: _pid(_holder(db)) in pids, seconds=60)
    holder = _pid(_holder(db))
    # It keeps it while alive: past the 3 s lease, renewed every pass, the same process holds it.
    time.sleep(4)
    assert _pid(_holder(db)) == holder
    os.kill(holder, signal.SIGKILL)  # type: ignore[arg-type]
    survivors = pids - {holder}
    wait_for("no other server took over", lambda: _pid(_holder(db)) in survivors, seconds=30)
    for server in servers:  # the survivors still serve
        if server.process.pid in survivors:
            assert _alive(server.url)
