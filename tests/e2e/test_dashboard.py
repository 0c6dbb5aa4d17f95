"""Every dashboard page in Chromium with the demo data, the actions an operator takes from the
pages, keyboard use and the 390 px layout; screenshots of every page for the README."""

from __future__ import annotations

import re

import httpx

from e2e.conftest import NARROW, Server, screenshot

API = "/api/workflow-troubleshooting"


def first_workflow_link(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("#workflow-table tbody tr a").first.get_attribute("href"))


def test_overview_shows_the_fleet_and_sorts_and_searches(page, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/")
    assert page.title().startswith("Overview")
    rows = page.locator("#workflow-table tbody tr")
    known = httpx.get(f"{demo_server.url}{API}/workflows").json()["workflows"]
    assert rows.count() == len(known) >= 6
    scores = [
        float(v)
        for v in page.locator("#workflow-table tbody td:nth-child(2)").evaluate_all(
            "cells => cells.map(c => c.dataset.value)"
        )
    ]
    assert scores == sorted(scores)  # least healthy first
    assert page.locator("#firing-alerts li").count() >= 1
    assert page.locator("svg.chart").count() == 3

    # sort by workflow name with the keyboard: the header is a button
    page.locator("#workflow-table th button", has_text="Workflow").focus()
    page.keyboard.press("Enter")
    names = page.locator("#workflow-table tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.lower)

    # search narrows the table
    page.fill("#workflow-search", "salesforce")
    visible = page.locator("#workflow-table tbody tr:visible")
    assert visible.count() >= 1
    assert all("salesforce" in t.lower() for t in visible.all_inner_texts())
    page.fill("#workflow-search", "")
    screenshot(page, "overview")


def test_every_page_loads_with_content(page, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/")
    workflow = first_workflow_link(page)
    checks = {
        "workflow": (workflow, "Health"),
        "alerts": ("/alerts", "Alerts"),
        "sessions": ("/sessions", "Sessions"),
        "rules": ("/rules", "Rules"),
        "session-new": ("/sessions/new", "Start"),
    }
    for name, (path, heading) in checks.items():
        response = page.goto(demo_server.url + path)
        assert response is not None and response.status == 200, path
        assert heading.lower() in page.locator("main").inner_text().lower(), path
        screenshot(page, name)
    page.goto(demo_server.url + "/sessions")
    page.locator("main table tbody tr a").first.click()
    page.wait_for_load_state()
    assert re.search(r"/sessions/[^/]+$", page.url)
    assert "identification" in page.locator("main").inner_text().lower()
    screenshot(page, "session")


def test_an_unknown_page_is_a_readable_404(page, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    page.on("console", lambda m: None)
    response = page.goto(demo_server.url + "/workflows/no_such_workflow")
    assert response is not None and response.status == 404
    assert "no_such_workflow" in page.locator("main").inner_text()
    page.problems.clear()  # the browser logs the 404 itself


def test_the_narrow_layout_keeps_navigation_and_does_not_scroll_sideways(
    page, demo_server: Server
) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/sessions")
    session = str(page.locator("main table tbody tr a").first.get_attribute("href"))
    page.goto(demo_server.url + "/")
    workflow = first_workflow_link(page)
    page.set_viewport_size(NARROW)
    paths = ("/", workflow, "/alerts", "/sessions", session, "/sessions/new", "/rules")
    for path in (*paths, "/rules/new", "/login"):
        page.goto(demo_server.url + path)
        assert page.locator("nav a", has_text="Alerts").is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow} px wider than the screen"


def test_the_skip_link_and_navigation_are_keyboard_reachable(page, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent").strip())
    assert {"Overview", "Alerts", "Sessions", "Rules"} <= set(reached)


def firing_row(page):  # type: ignore[no-untyped-def]
    """The first firing alert's row on /alerts."""
    return page.locator("tr[id^='alert-']", has=page.locator(".badge.state-firing")).first


def test_acknowledging_an_alert_from_the_page_changes_its_state(page, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/alerts")
    screenshot(page, "alerts")
    row = firing_row(page)
    fingerprint = str(row.get_attribute("id")).removeprefix("alert-")
    row.locator("summary").click()
    row.get_by_label("Note").first.fill("looking into it")
    row.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    assert "done=" in page.url
    row = page.locator(f"#alert-{fingerprint}")
    assert "looking into it" in row.inner_text()
    alert = httpx.get(f"{demo_server.url}{API}/alerts/{fingerprint}").json()
    assert alert["acknowledged_by"] == "dashboard"


def test_alerts_update_live_without_a_reload(page, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/alerts")
    row = firing_row(page)
    fingerprint = str(row.get_attribute("id")).removeprefix("alert-")
    page.evaluate("window.__same_document = true")
    # Someone else resolves it (through the API); the open page must show it within seconds.
    httpx.post(
        f"{demo_server.url}{API}/alerts/{fingerprint}/resolve", json={"by": "api-user"}
    ).raise_for_status()
    page.locator(f"#alert-{fingerprint} .badge.state-resolved").wait_for(timeout=20_000)
    assert page.evaluate("window.__same_document") is True  # no reload happened


def test_a_session_started_from_a_pasted_log_shows_its_recommendations(
    page, demo_server: Server
) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/sessions/new")
    page.get_by_label("Workflow").fill("crm_sync")
    page.locator("textarea#log").fill(
        "2026-11-29T10:00:00Z ERROR [crm_sync] Salesforce API error: INVALID_SESSION_ID: "
        "Session expired or invalid\n"
        "2026-11-29T10:00:05Z ERROR [crm_sync] Salesforce API error: INVALID_SESSION_ID: "
        "Session expired or invalid\n"
        "2026-11-29T10:01:00Z ERROR [crm_sync] Slack API returned 429 ratelimited; "
        "Retry-After: 30\n"
    )
    screenshot(page, "session-new")
    page.get_by_role("button", name="Start the session").click()
    page.wait_for_load_state()
    assert re.search(r"/sessions/[^/?]+", page.url)
    text = page.locator("main").inner_text()
    assert "permissions" in text.lower()
    recommendations = page.locator("ol.recommendations > li")
    assert recommendations.count() >= 1
    assert page.locator("ol.recommendations ol.steps li").count() >= 1
    screenshot(page, "session-started")


def test_a_rule_created_on_the_page_is_listed(page, demo_server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo_server.url + "/rules/new")
    page.locator("#rule-name").fill("e2e-slow-exports")
    page.locator("#rule-metric_name").fill("p95_duration_ms")
    page.locator("#rule-threshold").fill("20000")
    page.locator("#rule-window").fill("1h")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert "would have fired" in page.locator("main").inner_text().lower()
    screenshot(page, "rule-new")
    page.get_by_role("button", name="Create rule").click()
    page.wait_for_load_state()
    assert "/rules" in page.url
    assert page.locator("tr[id^='rule-']", has_text="e2e-slow-exports").count() == 1
    screenshot(page, "rules")
