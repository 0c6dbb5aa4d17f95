"""API keys through the real app on SQLite and PostgreSQL: open on loopback until a key exists,
always closed beyond loopback, scopes, revocation, rate limits with Retry-After, hashed storage,
keys never echoed or logged, and the CLI that issues them."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flowdoctor.access import parse_token
from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.clock import FixedClock
from flowdoctor.config import Settings
from flowdoctor.domain.access import Scope
from flowdoctor.runtime import Runtime, build
from flowdoctor.store.keys_tables import api_keys

P = API_PREFIX
RUN = {
    "workflow_id": "wf",
    "run_id": "r1",
    "status": "failure",
    "started_at": "2026-11-27T11:00:00Z",
}
RUNS = {"events": [RUN]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def test_open_on_loopback_until_the_first_key_then_closed(
    client: TestClient, runtime: Runtime
) -> None:
    assert client.get(f"{P}/alerts").status_code == 200
    _, token = runtime.keys.create("grafana", Scope.READ)
    refused = client.get(f"{P}/alerts")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert refused.json()["type"] == "/problems/unauthorized"
    assert client.get(f"{P}/alerts", headers=bearer(token)).status_code == 200
    assert client.get(f"{P}/alerts", headers={"X-API-Key": token}).status_code == 200
    assert client.get("/metrics", headers=bearer(token)).status_code == 200
    assert client.get("/healthz").status_code == 200  # liveness never needs a key
    assert client.get("/metrics").status_code == 401
    assert client.get("/openapi.json").status_code == 401


def test_scopes_decide_what_a_key_may_do(client: TestClient, runtime: Runtime) -> None:
    _, reader = runtime.keys.create("reader", Scope.READ)
    _, writer = runtime.keys.create("writer", "write")
    _, admin = runtime.keys.create("admin", Scope.ADMIN)
    denied = client.post(f"{P}/runs", json=RUNS, headers=bearer(reader))
    assert denied.status_code == 403 and "'reader' has scope 'read'" in denied.text
    assert client.post(f"{P}/runs", json=RUNS, headers=bearer(writer)).status_code == 201
    channel = {"name": "ops", "url": "webhook+http://127.0.0.1:9/x"}
    assert client.post(f"{P}/channels", json=channel, headers=bearer(writer)).status_code == 403
    assert client.post(f"{P}/channels", json=channel, headers=bearer(admin)).status_code == 201
    backtest = client.post(f"{P}/rules/backtest", json={}, headers=bearer(reader))
    assert backtest.status_code != 403  # computing an answer changes nothing: read will do


def test_bad_and_revoked_keys_are_refused_without_being_echoed_or_logged(
    client: TestClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    key, token = runtime.keys.create("ci", Scope.WRITE)
    forged = token[:-4] + "AAAA"
    caplog.set_level(logging.DEBUG)
    for sent in (forged, "fd_nonsense", "not-a-key-at-all"):
        answer = client.get(f"{P}/alerts", headers=bearer(sent))
        assert answer.status_code == 401 and sent not in answer.text
    assert client.get(f"{P}/alerts", headers=bearer(token)).status_code == 200
    runtime.keys.revoke(key.key_id)
    gone = client.get(f"{P}/alerts", headers=bearer(token))
    assert gone.status_code == 401 and "revoked" in gone.text
    secret = parse_token(token)[1]
    assert secret not in caplog.text and forged not in caplog.text


def test_only_a_hash_of_the_key_is_stored(runtime: Runtime) -> None:
    key, token = runtime.keys.create("prometheus", Scope.READ)
    secret = parse_token(token)[1]
    with runtime.db.engine.connect() as connection:
        row = connection.execute(select(api_keys)).one()
    assert row.key_id == key.key_id and secret not in str(tuple(row))
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert [k.name for k in runtime.keys.list()] == ["prometheus"]


def test_beyond_loopback_a_key_is_always_required(database_url: str, clock: FixedClock) -> None:
    runtime = build(Settings(database_url=database_url, host="0.0.0.0"), clock=clock)
    try:
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            refused = client.get(f"{P}/alerts")
            assert refused.status_code == 401 and "flowdoctor keys create" in refused.text
            assert client.get("/healthz").status_code == 200
            _, token = runtime.keys.create("ops", Scope.READ)
            assert client.get(f"{P}/alerts", headers=bearer(token)).status_code == 200
    finally:
        runtime.close()


def test_a_key_over_its_rate_gets_429_with_retry_after(
    database_url: str, clock: FixedClock
) -> None:
    settings = Settings(database_url=database_url, rate_limit_per_minute=6, rate_limit_burst=3)
    runtime = build(settings, clock=clock)
    try:
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            _, busy = runtime.keys.create("busy", Scope.READ)
            _, calm = runtime.keys.create("calm", Scope.READ)
            codes = [client.get(f"{P}/alerts", headers=bearer(busy)).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            limited = client.get(f"{P}/alerts", headers=bearer(busy))
            assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 10
            assert limited.json()["type"] == "/problems/rate-limited"
            assert client.get(f"{P}/alerts", headers=bearer(calm)).status_code == 200
    finally:
        runtime.close()


def test_the_openapi_document_says_how_to_authenticate(
    client: TestClient, runtime: Runtime
) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert document["paths"]["/healthz"]["get"]["security"] == []
    ingest = document["paths"][f"{P}/runs"]["post"]
    assert {"apiKey": []} in ingest["security"] and "Scope: `write`" in ingest["description"]
    assert {"401", "403", "429"} <= set(ingest["responses"])


def test_the_cli_issues_lists_and_revokes_keys(database_url: str, runtime: Runtime) -> None:
    env = {**os.environ, "FLOWDOCTOR_DATABASE_URL": database_url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "flowdoctor", "keys", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    made = cli("create", "deploy-bot", "--scope", "write")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert runtime.keys.authenticate(token).scope is Scope.WRITE
    assert "only time it is shown" in made.stderr
    listed = cli("list")
    assert "deploy-bot" in listed.stdout and token not in listed.stdout
    assert cli("create", "deploy-bot").returncode == 2  # the name is taken
    assert cli("create", "x", "--scope", "root").returncode == 2
    key_id = runtime.keys.list()[0].key_id
    assert cli("revoke", key_id).returncode == 0
    again = cli("revoke", key_id)
    assert again.returncode == 1 and key_id in again.stderr
