"""`flowdoctor serve --workers 2` on SQLite and on PostgreSQL: both worker processes answer on the
one port, each on its own (the other stopped with SIGSTOP meanwhile), a batch either of them took is
stored exactly once, and keep-alive requests do not wait for delayed ACKs (TCP_NODELAY is set)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from flowdoctor.cli.workers import tcp_listener
from flowdoctor.store import Database
from support.servers import free_port, wait_for

P = "/api/workflow-troubleshooting"


def _workers(parent: int) -> list[int]:
    """The pids of ``parent``'s worker processes (multiprocessing spawns them)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return sorted(found)


@pytest.fixture
def serve(database_url: str, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    log = tmp_path / "serve.log"
    port = free_port()
    command = [sys.executable, "-m", "flowdoctor", "serve", "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"],
        env={**os.environ, "FLOWDOCTOR_DATABASE_URL": database_url},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(
            "two workers did not both start",
            lambda: (
                log.read_text().count("Application startup complete") >= 2
                or proc.poll() is not None
            ),
            log.read_text,
            seconds=90,
        )
        assert proc.poll() is None, log.read_text()
        yield f"http://127.0.0.1:{port}", proc, log
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def _batch(tag: str) -> dict[str, list[dict[str, str]]]:
    return {
        "events": [
            {
                "workflow_id": "two_workers",
                "run_id": f"{tag}-{i}",
                "status": "success",
                "started_at": "2026-11-29T12:00:00Z",
            }
            for i in range(3)
        ]
    }


def test_each_worker_answers_and_a_batch_lands_once(
    serve: tuple[str, subprocess.Popen[bytes], Path], database_url: str
) -> None:
    base, proc, log = serve
    workers = _workers(proc.pid)
    assert len(workers) == 2, (workers, log.read_text())
    for stopped, tag in zip(workers, ("a", "b"), strict=True):
        # With one worker stopped, only the other can accept the (new) connection; it is
        # continued well within uvicorn's 5 s health check, so nobody restarts it.
        os.kill(stopped, signal.SIGSTOP)
        try:
            assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
            stored = httpx.post(f"{base}{P}/runs", json=_batch(tag), timeout=10)
        finally:
            os.kill(stopped, signal.SIGCONT)
        assert stored.status_code == 201, stored.text
        assert stored.json()["accepted"] == 3
    assert httpx.get(f"{base}{P}/workflows", timeout=10).json()["workflows"] == ["two_workers"]
    db = Database(database_url)
    try:
        with db.transaction() as store:
            runs = store.runs.list(workflow_id="two_workers")
    finally:
        db.dispose()
    assert sorted(r.run_id for r in runs) == ["a-0", "a-1", "a-2", "b-0", "b-1", "b-2"]
    assert _workers(proc.pid) == workers  # neither was restarted
    with httpx.Client(base_url=base, timeout=10) as client:  # one keep-alive connection
        seconds = [client.get("/healthz").elapsed.total_seconds() for _ in range(11)][1:]
    # Nagle's algorithm against the client's delayed ACK costs every one of them >= 40 ms
    assert min(seconds) < 0.03, seconds
    proc.terminate()
    assert proc.wait(timeout=30) == 0
    assert "Traceback" not in log.read_text(), log.read_text()


async def test_connections_accepted_on_the_workers_listener_have_tcp_nodelay() -> None:
    listener = tcp_listener(uvicorn.Config("flowdoctor.api.app:worker_app", port=0))
    loop = asyncio.get_running_loop()
    nodelay: asyncio.Future[int] = loop.create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            nodelay.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await loop.create_server(Probe, sock=listener)
    async with server:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        assert await asyncio.wait_for(nodelay, 10) != 0
        writer.close()
