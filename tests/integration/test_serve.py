"""`flowdoctor serve` as a real server on loopback, and `flowdoctor demo` loading the demo data
that it then serves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

P = "/api/workflow-troubleshooting"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowdoctor", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **env},
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {"FLOWDOCTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}
    demo = _cli("demo", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "demo data loaded" in demo.stderr
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowdoctor", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("flowdoctor serve did not answer within 60 s")
        yield base, env
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_serves_demo_data_and_docs(served: tuple[str, dict[str, str]]) -> None:
    base, env = served
    assert "swagger" in httpx.get(f"{base}/docs").text.lower()
    workflows = httpx.get(f"{base}{P}/workflows").json()["workflows"]
    assert len(workflows) >= 5 and "salesforce_sync_001" in workflows
    sessions = httpx.get(f"{base}{P}/sessions").json()["items"]
    assert len(sessions) >= 5
    statuses = {s["status"] for s in sessions}
    assert "verified" in statuses  # the fixed incidents verify against the runs after the fix
    health = httpx.get(f"{base}{P}/workflows/sheets_sales_report/health").json()
    assert health["score"] < 100 and any(c["points_lost"] > 0 for c in health["components"])
    # a second `demo` does not load the data twice
    again = _cli("demo", env=env)
    assert again.returncode == 0 and "already loaded" in again.stderr


def test_session_over_a_real_socket(served: tuple[str, dict[str, str]]) -> None:
    base, _ = served
    created = httpx.post(
        f"{base}{P}/sessions",
        json={
            "workflow_id": "adhoc",
            "error_logs": ["HTTP 504 Gateway Timeout from api.hubapi.com"],
        },
    )
    assert created.status_code == 201, created.text
    sid = created.json()["session_id"]
    assert created.json()["issues"][0]["category"] == "timeout"
    recs = httpx.post(f"{base}{P}/sessions/{sid}/recommendations")
    assert recs.status_code == 200 and recs.json()
    too_big = httpx.post(
        f"{base}{P}/logs",
        content=b'{"lines": ["' + b"x" * (11 * 1024 * 1024) + b'"]}',
        headers={"content-type": "application/json"},
    )
    assert too_big.status_code == 413
