"""``GET /metrics`` served by a real app: the text parses, ``promtool check metrics`` accepts it,
and a real Prometheus server scrapes it over loopback and answers queries with our numbers."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from flowdoctor.api.routes import metrics
from flowdoctor.monitor.prometheus import (
    IngestKind,
    Instruments,
    NotificationOutcome,
    StaticMetricsSource,
    build_registry,
)
from support.servers import free_port, served, wait_for

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
INSTALL_HINT = "Debian's `prometheus` package provides it; `make test` installs it"
DEADLINE_SECONDS = 60.0
"""How long to wait for a server to come up or a scrape to land before failing (not a budget)."""


def metrics_app(source: StaticMetricsSource, **limits: int) -> tuple[FastAPI, Instruments]:
    """A tiny app with only the metrics router, wired the way ``create_app`` wires it."""
    registry, instruments = build_registry(source, **limits)
    app = FastAPI()
    app.state.metrics_registry = registry
    app.include_router(metrics.router)
    return app, instruments


def scrape(client: TestClient) -> dict[str, Any]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def sample_values(families: dict[str, Any], family: str, sample: str) -> dict[str, float]:
    """``{label values joined by '|': value}`` of one sample name in one family."""
    return {
        "|".join(v for _, v in sorted(s.labels.items())): s.value
        for s in families[family].samples
        if s.name == sample
    }


@pytest.fixture
def source() -> StaticMetricsSource:
    return StaticMetricsSource(
        health={"billing_sync": 35.0, "crm_import": 92.5, "daily_report": 60.0},
        alerts={("firing", "critical"): 2, ("pending", "high"): 1},
        issues={("timeout", "high", "hubspot"): 4, ("permissions", "medium", "slack"): 1},
    )


def test_metrics_route_serves_the_prometheus_text_format(source: StaticMetricsSource) -> None:
    app, _ = metrics_app(source)
    with TestClient(app) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    health = sample_values(
        families, "flowdoctor_workflow_health_score", "flowdoctor_workflow_health_score"
    )
    assert health == {"billing_sync": 35.0, "crm_import": 92.5, "daily_report": 60.0}
    alerts = sample_values(families, "flowdoctor_alerts", "flowdoctor_alerts")
    assert alerts["critical|firing"] == 2.0 and alerts["high|pending"] == 1.0
    issues = sample_values(families, "flowdoctor_issues", "flowdoctor_issues")
    assert issues == {"timeout|hubspot|high": 4.0, "permissions|slack|medium": 1.0}


def test_counters_move_between_scrapes(source: StaticMetricsSource) -> None:
    app, instruments = metrics_app(source)
    with TestClient(app) as client:
        before = scrape(client)
        instruments.observe_ingest(IngestKind.LOGS, items=250, seconds=0.12)
        instruments.observe_evaluation(rules=7, seconds=0.4)
        instruments.count_notification(NotificationOutcome.RETRY)
        instruments.count_notification(NotificationOutcome.DELIVERED)
        after = scrape(client)
    name = "flowdoctor_ingested_items"
    assert sample_values(before, name, f"{name}_total")["logs"] == 0.0
    assert sample_values(after, name, f"{name}_total")["logs"] == 250.0
    name = "flowdoctor_ingest_duration_seconds"
    assert sample_values(after, name, f"{name}_count")["logs"] == 1.0
    name = "flowdoctor_rule_evaluations"
    assert sample_values(after, name, f"{name}_total") == {"": 7.0}
    name = "flowdoctor_evaluation_duration_seconds"
    assert sample_values(after, name, f"{name}_sum") == {"": pytest.approx(0.4)}
    name = "flowdoctor_notifications"
    assert sample_values(after, name, f"{name}_total") == {
        "delivered": 1.0,
        "retry": 1.0,
        "failed": 0.0,
    }


def test_label_bounds_hold_over_http() -> None:
    source = StaticMetricsSource(
        health={f"wf{n:04d}": float(n % 101) for n in range(3000)},
        issues={("timeout", "high", f"platform{n}"): n + 1 for n in range(200)},
    )
    app, _ = metrics_app(source, max_workflow_series=100, max_platform_series=10)
    with TestClient(app) as client:
        families = scrape(client)
    name = "flowdoctor_workflow_health_score"
    health = sample_values(families, name, name)
    assert len(health) == 100
    assert max(health.values()) == 3.0  # the lowest scores: 30 workflows each at 0, 1, 2, 3...
    omitted = families["flowdoctor_workflow_health_omitted"].samples[0].value
    assert omitted == 2900.0
    issues = sample_values(families, "flowdoctor_issues", "flowdoctor_issues")
    platforms = {key.split("|")[1] for key in issues}
    assert len(platforms) == 11 and "other" in platforms and "platform199" in platforms
    assert sum(issues.values()) == sum(range(1, 201))


@pytest.mark.skipif(PROMTOOL is None, reason=f"promtool is not installed ({INSTALL_HINT})")
@pytest.mark.parametrize("workflows", [3, 2000])
def test_promtool_accepts_the_exposition(workflows: int) -> None:
    source = StaticMetricsSource(
        health={f"wf-{n}": float(n % 100) for n in range(workflows)},
        alerts={("firing", "critical"): 1, ("resolved", "low"): 3},
        issues={("timeout", "high", f"p{n}"): n for n in range(workflows)},
    )
    app, instruments = metrics_app(source)
    instruments.observe_ingest(IngestKind.RUNS, items=10, seconds=0.05)
    instruments.observe_evaluation(rules=3, seconds=0.2)
    instruments.count_notification(NotificationOutcome.FAILED)
    with TestClient(app) as client:
        body = client.get("/metrics").content
    assert PROMTOOL is not None
    checked = subprocess.run(
        [PROMTOOL, "check", "metrics"], input=body, capture_output=True, timeout=120, check=False
    )
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    # promtool prints lint findings (naming, units, counters without _total) even on success
    assert checked.stdout.decode().strip() == "", checked.stdout.decode()


@contextmanager
def prometheus_scraping(target: str, workdir: Path) -> Iterator[tuple[httpx.Client, Path]]:
    """A real Prometheus scraping ``target`` every second; yields a client on its HTTP API."""
    assert PROMETHEUS is not None
    config = workdir / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML: no YAML writer needed, no quoting surprises
            {
                "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                "scrape_configs": [
                    {"job_name": "flowdoctor", "static_configs": [{"targets": [target]}]}
                ],
            }
        ),
        encoding="utf-8",
    )
    port = free_port()
    log_path = workdir / "prometheus.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5, trust_env=False)
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"prometheus exited with {proc.returncode}\n{_tail(log_path)}")
            try:
                return client.get("/-/ready").status_code == 200
            except httpx.TransportError:
                return False

        wait_for("prometheus did not become ready", ready, lambda: _tail(log_path))
        yield client, log_path
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _query(client: httpx.Client, promql: str, by: str) -> dict[str, float]:
    """An instant query's vector as ``{value of the label `by` ('' without it): value}``."""
    response = client.get("/api/v1/query", params={"query": promql})
    body = response.json()
    assert body["status"] == "success", body
    return {
        series["metric"].get(by, ""): float(series["value"][1]) for series in body["data"]["result"]
    }


@pytest.mark.slow
@pytest.mark.skipif(
    PROMETHEUS is None, reason=f"the prometheus server is not installed ({INSTALL_HINT})"
)
def test_a_real_prometheus_scrapes_our_values(source: StaticMetricsSource, tmp_path: Path) -> None:
    app, instruments = metrics_app(source, max_workflow_series=2)
    instruments.observe_ingest(IngestKind.RUNS, items=42, seconds=0.3)
    with served(app) as target, prometheus_scraping(target, tmp_path) as (client, log_path):
        last: dict[str, dict[str, float]] = {}

        def sees(promql: str, expected: dict[str, float], by: str = "") -> Callable[[], bool]:
            def probe() -> bool:
                last[promql] = _query(client, promql, by)
                return last[promql] == expected

            return probe

        def why() -> str:
            targets = client.get("/api/v1/targets").json()["data"]["activeTargets"]
            errors = [(t["scrapeUrl"], t["health"], t["lastError"]) for t in targets]
            return f"last answers: {last}\ntargets: {errors}\n{_tail(log_path)}"

        # the two lowest scores of three, as the bound says
        health = "flowdoctor_workflow_health_score"
        wait_for(
            "prometheus did not report the health scores",
            sees(health, {"billing_sync": 35.0, "daily_report": 60.0}, by="workflow_id"),
            why,
        )
        wait_for(
            "prometheus did not report the omitted count",
            sees("flowdoctor_workflow_health_omitted", {"": 1.0}),
            why,
        )
        wait_for(
            "the scrape target is not up",
            sees('up{job="flowdoctor"}', {"flowdoctor": 1.0}, by="job"),
            why,
        )
        runs = 'flowdoctor_ingested_items_total{kind="runs"}'
        wait_for(
            "prometheus did not report the ingest counter",
            sees(runs, {"runs": 42.0}, by="kind"),
            why,
        )

        # the gauges are read at scrape time and the counters keep moving
        source.health["crm_import"] = 10.0
        instruments.observe_ingest(IngestKind.RUNS, items=8, seconds=0.1)
        wait_for(
            "prometheus did not see the new lowest score",
            sees(health, {"crm_import": 10.0, "billing_sync": 35.0}, by="workflow_id"),
            why,
        )
        wait_for(
            "prometheus did not see the counter move", sees(runs, {"runs": 50.0}, by="kind"), why
        )
        firing = 'sum(flowdoctor_alerts{state="firing"})'
        wait_for("prometheus did not report the alerts", sees(firing, {"": 2.0}), why)
