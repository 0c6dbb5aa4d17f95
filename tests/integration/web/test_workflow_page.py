"""The workflow page: the health score and why points were lost, charts of the last day with what
the detectors found, recent runs, recurring error templates and open alerts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from flowdoctor.api.errors import install_error_handlers
from flowdoctor.config import Settings
from flowdoctor.demo.loader import load_demo
from flowdoctor.domain import AlertState, RunEvent, RunStatus
from flowdoctor.runtime import Runtime, build
from flowdoctor.web import install_dashboard

WORKFLOW = "sheets_sales_report"
"""A demo workflow whose incident is still going on: failures, a template, a firing alert."""
NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    path = tmp_path_factory.mktemp("workflow-page") / "demo.db"
    rt = build(Settings(database_url=f"sqlite:///{path}"))
    load_demo(rt)
    now = rt.clock.now()
    rt.changes.record(
        kind="deployment",
        description="<i>new</i> sheet range",
        occurred_at=now - timedelta(hours=3),
        workflow_id=WORKFLOW,
    )
    rt.changes.record(
        kind="vendor_incident", description="Google outage", occurred_at=now - timedelta(hours=5)
    )
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> TestClient:
    app = FastAPI()
    app.state.runtime = runtime
    install_dashboard(app)
    install_error_handlers(app)
    return TestClient(app)


@pytest.fixture(scope="module")
def body(client: TestClient) -> str:
    response = client.get(f"/workflows/{WORKFLOW}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return str(response.text)


def section(body: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', body, re.S)
    assert match, heading_id
    return str(match.group(1))


def test_score_and_every_component_with_its_reason(runtime: Runtime, body: str) -> None:
    health = runtime.workflows.health(WORKFLOW)
    assert health.score < 50  # the demo's ongoing incident
    tile = re.search(
        r'<div class="tile (\w+)"><span class="tile-value" id="health-score">(\d+)', body
    )
    assert tile and tile.groups() == ("bad", f"{health.score:.0f}")
    breakdown = section(body, "breakdown-h")
    rows = re.findall(r'<tr class="component">(.*?)</tr>', breakdown, re.S)
    assert len(rows) == len(health.components)
    for component, row in zip(health.components, rows, strict=True):
        assert component.name.replace("_", " ") in row
        assert str(escape(component.reason)) in row
        assert f"of {component.max_points:,.0f}" in row
    lost = [c for c in health.components if c.points_lost > 0]
    assert lost and all(f"\N{MINUS SIGN}{c.points_lost:,.1f}" in breakdown for c in lost)
    stats = section(body, "stats-h")
    assert f"{health.stats.error_rate * 100:.1f}%" in stats
    assert "Last success" in stats and "Last failure" in stats


def test_charts_are_svg_with_detector_marks_and_change_events(body: str) -> None:
    charts = re.findall(r"<svg .*?</svg>", section(body, "metrics-h"), re.S)
    titles = [ET.fromstring(svg).findtext(f"{NS}title") or "" for svg in charts]
    assert any(t.startswith("Run duration p95") for t in titles)
    assert any(t.startswith("Error rate") for t in titles)
    error_chart = ET.fromstring(charts[[t.startswith("Error rate") for t in titles].index(True)])
    assert error_chart.findall(f"{NS}polyline[@class='series']")
    # The Sales tab was renamed 17 hours ago and every run since failed: the failure detector
    # marks it, and the change events of the workflow and of the fleet show as flags.
    assert error_chart.findall(f"{NS}circle[@class='anomaly']")
    flags = [e.findtext(f"{NS}title") or "" for e in error_chart.findall(f"{NS}path")]
    assert any("<i>new</i> sheet range" in f for f in flags)  # escaped in the markup, parsed back
    assert any("Google outage" in f for f in flags)
    assert "&lt;i&gt;new&lt;/i&gt; sheet range" in body and "<i>new</i>" not in body


def test_recent_runs_newest_first(runtime: Runtime, body: str) -> None:
    rows = re.findall(r'<tr class="run">(.*?)</tr>', section(body, "runs-h"), re.S)
    assert len(rows) == 50
    times = [re.search(r'data-value="([^"]+)"', row).group(1) for row in rows]  # type: ignore[union-attr]
    assert times == sorted(times, reverse=True)
    assert all(WORKFLOW in row for row in rows)
    failed = [row for row in rows if ">failure</span>" in row]
    assert failed
    # The long Sheets error is cut in the cell and whole in the title.
    assert all("…</span>" in row and "Unable to parse range" in row for row in failed)


def test_templates_with_counts_and_trend(runtime: Runtime, body: str) -> None:
    templates = runtime.issues.templates(workflow_id=WORKFLOW).items
    assert templates
    rows = re.findall(r'<tr class="template">(.*?)</tr>', section(body, "templates-h"), re.S)
    assert len(rows) == len(templates)
    first = rows[0]
    assert str(escape(templates[0].template)) in first
    assert f'data-value="{templates[0].occurrences}"' in first
    assert "new" in first  # it started within the last day


def test_open_alerts_link_to_the_alerts_page(runtime: Runtime, body: str) -> None:
    open_alerts = runtime.alerts.list(
        workflow_id=WORKFLOW, states=[AlertState.PENDING, AlertState.FIRING]
    )
    assert open_alerts
    alerts = section(body, "alerts-h")
    for alert in open_alerts:
        assert f'href="/alerts#alert-{alert.fingerprint}"' in alerts
    assert "demo-error-rate" in alerts


def test_unknown_workflow_is_404(client: TestClient) -> None:
    response = client.get("/workflows/no_such_workflow")
    assert response.status_code == 404
    assert "no_such_workflow" in response.text


def test_workflow_id_with_html_is_escaped(runtime: Runtime, client: TestClient) -> None:
    name = "<b>x</b>"
    now = runtime.clock.now()
    runtime.intake.add_runs(
        [
            RunEvent(
                workflow_id=name,
                run_id=f"r{i}",
                status=RunStatus.FAILURE if i % 3 == 0 else RunStatus.SUCCESS,
                started_at=now - timedelta(minutes=30 * i + 1),
                duration_ms=100.0 + i,
                error_message="<script>alert(1)</script> failed" if i % 3 == 0 else None,
            )
            for i in range(12)
        ]
    )
    response = client.get("/workflows/%3Cb%3Ex%3C%2Fb%3E")
    assert response.status_code == 200
    assert "<b>x</b>" not in response.text and "<script>alert" not in response.text
    assert "Workflow &lt;b&gt;x&lt;/b&gt;" in response.text
    assert response.text.count('<tr class="run">') == 12
