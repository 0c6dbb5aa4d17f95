"""The dashboard's overview, its HTML error pages, logging in with a key, and the refusal of forms
posted from other sites; through the real app on a SQLite file with the demo data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flowdoctor.api.app import create_app
from flowdoctor.config import Settings
from flowdoctor.demo.loader import load_demo
from flowdoctor.domain import AlertState, RunEvent, RunStatus
from flowdoctor.domain.access import Scope
from flowdoctor.runtime import Runtime, build

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    folder: Path = tmp_path_factory.mktemp("web")
    rt = build(Settings(database_url=f"sqlite:///{folder}/flowdoctor.db"))
    load_demo(rt)
    now = rt.clock.now()
    rt.intake.add_runs(
        [
            RunEvent(
                workflow_id="<b>x</b>",
                run_id=f"x{i}",
                status=RunStatus.FAILURE,
                started_at=now - timedelta(minutes=i),
                error_message="<script>alert(1)</script>",
            )
            for i in range(3)
        ]
    )
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as c:
        yield c


def test_the_overview_lists_every_workflow_least_healthy_first(
    client: TestClient, runtime: Runtime
) -> None:
    response = client.get("/", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    table = html[html.index('id="workflow-table"') :]
    fleet = runtime.overview.overview()
    assert len(fleet.workflows) == len(runtime.workflows.list_ids())
    positions = [
        table.index(f'href="/workflows/{w.workflow_id}"')
        for w in fleet.workflows
        if "<" not in w.workflow_id
    ]
    assert positions == sorted(positions)  # rendered in the service's order: least healthy first
    scores = [w.score for w in fleet.workflows]
    assert scores == sorted(scores)
    for report in fleet.workflows:
        for component in report.components:
            if component.points_lost > 0:
                assert component.reason.replace("'", "&#39;") in html or component.reason in html


def test_the_overview_escapes_what_workflows_report(client: TestClient) -> None:
    html = client.get("/", headers=HTML).text
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html


def test_the_overview_counts_firing_alerts_and_draws_issue_charts(
    client: TestClient, runtime: Runtime
) -> None:
    html = client.get("/", headers=HTML).text
    firing = runtime.alerts.list(states=[AlertState.FIRING])
    assert f'<span class="tile-value" id="firing-count">{len(firing)}</span>' in html
    fragment = client.get("/fragments/firing-alerts").text
    assert fragment.count("<li") == len(firing)
    charts = [part.split("</svg>")[0] + "</svg>" for part in html.split("<svg")[1:]]
    assert len(charts) == 3
    for chart in charts:
        ET.fromstring("<svg" + chart)  # each one well-formed XML


def test_static_assets_ship_with_the_package(client: TestClient) -> None:
    css = client.get("/static/app.css")
    js = client.get("/static/app.js")
    assert css.status_code == js.status_code == 200
    assert "text/css" in css.headers["content-type"]
    assert "makeSortable" in js.text
    assert "http" not in css.text.replace("https://", "").split("/*")[0]  # no remote assets


def test_a_browser_gets_an_html_404_and_the_api_keeps_problem_json(client: TestClient) -> None:
    page = client.get("/workflows/no_such_workflow", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "no_such_workflow" in page.text
    nowhere = client.get("/no/such/page", headers=HTML)
    assert nowhere.status_code == 404 and "<main" in nowhere.text
    api = client.get("/api/workflow-troubleshooting/workflows/nope/health", headers=HTML)
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_a_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post("/logout", headers=headers)
        assert response.status_code == 403
    same = client.post(
        "/logout",
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_with_a_key_issued_pages_need_the_login_cookie(tmp_path: Path) -> None:
    rt = build(Settings(database_url=f"sqlite:///{tmp_path}/keys.db"))
    try:
        _, secret = rt.keys.create("ops", Scope.READ)
        with TestClient(create_app(rt)) as c:
            bounce = c.get("/alerts", headers=HTML, follow_redirects=False)
            assert bounce.status_code == 303
            assert bounce.headers["location"] == "/login?next=/alerts"
            assert c.get("/static/app.css").status_code == 200  # the login page needs it
            # a fragment fetched by the page's script is not a page: 401, never the login form
            fragment = c.get("/fragments/firing-alerts", headers=HTML, follow_redirects=False)
            assert fragment.status_code == 401
            assert c.get("/login", headers=HTML).status_code == 200
            api = c.get("/api/workflow-troubleshooting/alerts")
            assert api.status_code == 401  # the API still answers with problem details

            wrong = c.post("/login", data={"key": "fd_nope", "next": "/alerts"})
            assert wrong.status_code == 401
            assert "the API key is malformed" in wrong.text
            assert "set-cookie" not in wrong.headers

            good = c.post(
                "/login", data={"key": secret, "next": "//evil.example/"}, follow_redirects=False
            )
            assert good.status_code == 303
            assert good.headers["location"] == "/"  # never off this server
            cookie = good.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            assert c.get("/", headers=HTML).status_code == 200  # the cookie now opens pages
            assert c.get("/api/workflow-troubleshooting/alerts").status_code == 200
    finally:
        rt.close()
