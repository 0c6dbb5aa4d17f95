"""Alertmanager into flowdoctor: webhook payloads (version 4) become alerts listed with
flowdoctor's own; and a real Alertmanager 0.25 posts to a flowdoctor served on loopback."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import API_PREFIX, create_app
from flowdoctor.runtime import Runtime
from support.servers import free_port, served, wait_for

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def _payload(
    status: str, *, fingerprint: str = "3f2a1b", ends: str | None = None
) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="SalesforceDown"}',
        "status": status,
        "receiver": "flowdoctor",
        "groupLabels": {"alertname": "SalesforceDown"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://127.0.0.1:9093",
        "truncatedAlerts": 0,
        "alerts": [
            {
                "status": status,
                "labels": {
                    "alertname": "SalesforceDown",
                    "severity": "critical",
                    "workflow_id": "sf_sync",
                },
                "annotations": {"summary": "Salesforce API 5xx"},
                "startsAt": "2026-11-27T11:50:00Z",
                "endsAt": ends or "0001-01-01T00:00:00Z",
                "generatorURL": "http://127.0.0.1:9090/graph",
                "fingerprint": fingerprint,
            }
        ],
    }


def test_v4_payloads_become_alerts_once(client: TestClient) -> None:
    url = "/api/v1/alertmanager"
    assert client.post(url, json=_payload("firing")).json() == {
        "created": 1,
        "updated": 0,
        "resolved": 0,
    }
    assert client.post(url, json=_payload("firing")).json()["updated"] == 1
    listed = client.get(f"{API_PREFIX}/alerts", params={"state": "firing"}).json()["items"]
    assert len(listed) == 1
    alert = listed[0]
    assert alert["source"] == "alertmanager" and alert["severity"] == "critical"
    assert alert["workflow_id"] == "sf_sync"
    done = client.post(url, json=_payload("resolved", ends="2026-11-27T12:10:00Z")).json()
    assert done["resolved"] == 1
    (resolved,) = client.get(f"{API_PREFIX}/alerts").json()["items"]
    assert resolved["state"] == "resolved" and resolved["resolved_at"].startswith(
        "2026-11-27T12:10"
    )
    for bad in (
        {"version": "3", "status": "firing", "receiver": "x", "alerts": []},
        {**_payload("firing"), "alerts": [{"status": "burning"}]},
        [1],
    ):
        assert client.post(url, json=bad).status_code == 422


@pytest.mark.skipif(
    ALERTMANAGER is None,
    reason="Alertmanager is not installed (Debian's "
    "prometheus-alertmanager; `make test` installs it)",
)
def test_a_real_alertmanager_posts_to_flowdoctor(runtime: Runtime, tmp_path: Path) -> None:
    with served(create_app(runtime)) as address:
        port = free_port()
        config = tmp_path / "alertmanager.yml"
        config.write_text(
            "route:\n  receiver: flowdoctor\n  group_wait: 1s\n  group_interval: 1s\n"
            "  repeat_interval: 1h\nreceivers:\n  - name: flowdoctor\n    webhook_configs:\n"
            f"      - url: http://{address}/api/v1/alertmanager\n        send_resolved: true\n"
        )
        log = (tmp_path / "am.log").open("w")
        process = subprocess.Popen(
            [
                str(ALERTMANAGER),
                f"--config.file={config}",
                f"--storage.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            am = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5)

            def ready() -> bool:
                try:
                    return am.get("/-/ready").status_code == 200
                except httpx.HTTPError:
                    return False

            wait_for(
                "Alertmanager did not get ready", ready, lambda: (tmp_path / "am.log").read_text()
            )
            starts = datetime.now(UTC) - timedelta(minutes=1)
            alert = {
                "labels": {
                    "alertname": "HubSpotLatency",
                    "severity": "warning",
                    "workflow_id": "hs_sync",
                },
                "annotations": {"summary": "p95 over 5 s"},
                "startsAt": starts.isoformat(),
            }
            assert am.post("/api/v2/alerts", json=[alert]).status_code == 200

            def stored() -> bool:
                return any(a.source.value == "alertmanager" for a in runtime.alerts.list())

            wait_for(
                "flowdoctor did not receive Alertmanager's notification",
                stored,
                lambda: (tmp_path / "am.log").read_text(),
            )
            (received,) = runtime.alerts.list()
            assert received.labels["alertname"] == "HubSpotLatency"
            assert received.severity.value == "medium" and received.workflow_id == "hs_sync"
            # Ending it in Alertmanager resolves it in flowdoctor.
            ended = {**alert, "endsAt": datetime.now(UTC).isoformat()}
            assert am.post("/api/v2/alerts", json=[ended]).status_code == 200
            wait_for(
                "the resolution did not arrive",
                lambda: runtime.alerts.list()[0].state.value == "resolved",
                lambda: (tmp_path / "am.log").read_text(),
            )
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()
