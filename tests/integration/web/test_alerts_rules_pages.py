"""The alerts and rules pages over the demo data: listing and filtering alerts, acting on them
through the forms (and the service agreeing), the live fragment; listing rules, creating,
refusing, previewing and editing one through the form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from flowdoctor.api.errors import install_error_handlers
from flowdoctor.clock import FixedClock
from flowdoctor.config import Settings
from flowdoctor.demo.loader import load_demo
from flowdoctor.domain import Alert, AlertState, Severity
from flowdoctor.monitor.rule_config import rule_from_mapping
from flowdoctor.runtime import Runtime, build
from flowdoctor.web import install_dashboard

DEMO_RULES = {"demo-error-rate", "demo-slow-runs", "demo-silent-workflow"}
ROW = re.compile(r'<tr id="alert-([0-9a-f]+)" data-state="(\w+)"')


@dataclass
class Demo:
    runtime: Runtime
    client: TestClient
    firing: list[Alert]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One database with the demo data for the module; each test acts on alerts of its own."""
    path = tmp_path_factory.mktemp("web") / "flowdoctor.db"
    runtime = build(
        Settings(database_url=f"sqlite:///{path}"),
        clock=FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC)),
    )
    load_demo(runtime)
    app = FastAPI()
    app.state.runtime = runtime
    install_dashboard(app)
    install_error_handlers(app)  # as the served app: an unknown id is a 404
    firing = sorted(runtime.alerts.list(states=[AlertState.FIRING]), key=lambda a: a.fingerprint)
    assert len(firing) >= 3, "the demo raises several alerts"
    with TestClient(app, follow_redirects=False) as client:
        yield Demo(runtime, client, firing)
    runtime.close()


def rows(html: str) -> dict[str, str]:
    """fingerprint -> state of every alert row of the page."""
    return dict(ROW.findall(html))


def row(html: str, fingerprint: str) -> str:
    """The HTML of one alert's row."""
    start = html.index(f'<tr id="alert-{fingerprint}"')
    return html[start : html.index("</tr>", start)]


def name_of(alert: Alert) -> str:
    return alert.labels.get("alertname") or alert.rule_id or alert.fingerprint


# -- alerts -----------------------------------------------------------------------------------


def test_the_alerts_page_lists_the_demo_alerts(demo: Demo) -> None:
    response = demo.client.get("/alerts")
    assert response.status_code == 200
    listed = rows(response.text)
    for alert in demo.firing:
        assert alert.fingerprint in listed
        html = row(response.text, alert.fingerprint)
        assert name_of(alert) in html
        assert f'<a href="/workflows/{alert.workflow_id}">' in html
        assert f"sev-{alert.severity.value}" in html
    assert 'data-live="/fragments/alerts"' in response.text


def test_filters_narrow_the_list(demo: Demo) -> None:
    everything = rows(demo.client.get("/alerts").text)
    medium = rows(demo.client.get("/alerts", params={"severity": "medium"}).text)
    expected = {a.fingerprint for a in demo.runtime.alerts.list(severities=[Severity.MEDIUM])}
    assert set(medium) == expected and 0 < len(medium) < len(everything)

    firing = rows(demo.client.get("/alerts", params={"state": "firing"}).text)
    assert set(firing.values()) == {"firing"}
    resolved = rows(demo.client.get("/alerts", params={"state": "resolved"}).text)
    assert set(resolved.values()) <= {"resolved"}
    assert not set(firing) & set(resolved)

    both = demo.client.get("/alerts?state=firing&state=resolved").text  # several may repeat
    assert set(rows(both).values()) <= {"firing", "resolved"} and both.count("<tr id=") >= 1
    assert "/silence?state=firing&amp;state=resolved" in both  # and the actions keep them

    page = demo.client.get("/alerts", params={"state": "firing", "severity": "medium"}).text
    assert '<option value="firing" selected>' in page  # the form shows the filters in force
    assert '<option value="medium" selected>' in page

    bad = demo.client.get("/alerts", params={"state": "sleeping"})
    assert bad.status_code == 422 and "&#39;sleeping&#39; is not one of" in bad.text


def test_acknowledging_through_the_form(demo: Demo) -> None:
    alert = demo.firing[0]
    response = demo.client.post(
        f"/alerts/{alert.fingerprint}/acknowledge?state=open",
        data={"by": "alice", "note": "looking into the <sheet>"},
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/alerts?state=open&done=acknowledged")  # the filters kept

    page = demo.client.get(location).text
    assert 'role="status">Alert acknowledged.' in page
    html = row(page, alert.fingerprint)
    assert "alice" in html and "looking into the &lt;sheet&gt;" in html  # escaped
    stored = demo.runtime.alerts.get(alert.fingerprint).alert
    assert stored.acknowledged_by == "alice"
    assert stored.acknowledgement_note == "looking into the <sheet>"

    acknowledged = rows(demo.client.get("/alerts", params={"ack": "yes"}).text)
    assert alert.fingerprint in acknowledged


def test_resolving_through_the_form_and_again_is_a_conflict(demo: Demo) -> None:
    alert = demo.firing[1]
    response = demo.client.post(f"/alerts/{alert.fingerprint}/resolve", data={"by": "bob"})
    assert response.status_code == 303
    page = demo.client.get(response.headers["location"]).text
    assert rows(page)[alert.fingerprint] == "resolved"
    assert demo.runtime.alerts.get(alert.fingerprint).alert.state is AlertState.RESOLVED
    assert alert.fingerprint in rows(demo.client.get("/alerts?state=resolved").text)

    again = demo.client.post(f"/alerts/{alert.fingerprint}/resolve", data={"by": "bob"})
    assert again.status_code == 409
    assert 'role="alert">Could not resolve the alert: it is already resolved' in again.text
    refused = demo.client.post(f"/alerts/{alert.fingerprint}/acknowledge", data={"by": "bob"})
    assert refused.status_code == 409
    assert "a resolved alert cannot be acknowledged" in refused.text


def test_silencing_through_the_form(demo: Demo) -> None:
    alert = demo.firing[2]
    response = demo.client.post(
        f"/alerts/{alert.fingerprint}/silence",
        data={"hours": "4", "by": "carol", "comment": "maintenance window"},
    )
    assert response.status_code == 303
    assert "done=silenced" in response.headers["location"]
    view = demo.runtime.alerts.get(alert.fingerprint)
    assert len(view.silenced_by) == 1
    silence = next(s for s in demo.runtime.alerts.silences() if s.silence_id == view.silenced_by[0])
    assert silence.reason == "maintenance window" and silence.created_by == "carol"
    assert (silence.ends_at - demo.runtime.clock.now()).total_seconds() == 4 * 3600
    # the silence matches the alert's own labels, so its neighbours stay loud
    others = [a for a in demo.firing if a.fingerprint != alert.fingerprint]
    assert not any(silence.mutes(a.labels, demo.runtime.clock.now()) for a in others)

    page = demo.client.get(response.headers["location"]).text
    assert "silenced until" in row(page, alert.fingerprint)

    refused = demo.client.post(
        f"/alerts/{alert.fingerprint}/silence", data={"hours": "5", "by": "c"}
    )
    assert refused.status_code == 422


def test_an_empty_name_is_refused_with_the_reason(demo: Demo) -> None:
    alert = demo.firing[0]
    response = demo.client.post(f"/alerts/{alert.fingerprint}/acknowledge", data={"by": " "})
    assert response.status_code == 422
    assert "your name: must be a non-empty string" in response.text


def test_acting_on_an_unknown_alert_is_a_404(demo: Demo) -> None:
    for action in ("acknowledge", "resolve", "silence"):
        response = demo.client.post(f"/alerts/no-such-alert/{action}", data={"by": "x"})
        assert response.status_code == 404, action


def test_the_fragment_is_the_table_alone_with_the_same_filters(demo: Demo) -> None:
    response = demo.client.get("/fragments/alerts", params={"severity": "medium"})
    assert response.status_code == 200
    assert "<html" not in response.text and "<h1" not in response.text
    assert 'id="alert-table"' in response.text
    medium = {a.fingerprint for a in demo.runtime.alerts.list(severities=[Severity.MEDIUM])}
    assert set(rows(response.text)) == medium
    # its forms carry the filters, so acting from a refreshed table keeps the view
    assert "/silence?severity=medium" in response.text
    none = demo.client.get("/fragments/alerts", params={"severity": "info"})
    assert "No alert matches these filters." in none.text


# -- rules ------------------------------------------------------------------------------------

NEW_RULE = {
    "name": "Slow warehouse",
    "metric_name": "p95_duration_ms",
    "condition": "greater_than",
    "threshold": "5000",
    "window": "1h",
    "for_duration": "5m",
    "severity": "high",
    "workflow_id": "warehouse_export",
    "labels": "team=data",
    "annotations": "summary=The export is slow",
    "enabled": "on",
}


def rule_ids(demo: Demo) -> set[str]:
    return {r.rule_id for r in demo.runtime.rules.list()}


def test_the_rules_page_lists_the_demo_rules(demo: Demo) -> None:
    page = demo.client.get("/rules").text
    for rule_id in DEMO_RULES:
        assert f'<tr id="rule-{rule_id}">' in page
        assert f'href="/rules/{rule_id}/edit"' in page
    assert "error_rate" in page and "p95_duration_ms" in page and "absent" in page
    assert "every workflow" in page
    assert "More than a fifth of the runs failed in the last hour" in page


def test_creating_a_rule_through_the_form(demo: Demo) -> None:
    before = rule_ids(demo)
    response = demo.client.post("/rules", data={**NEW_RULE, "action": "save"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/rules?done=created")
    (new_id,) = rule_ids(demo) - before
    rule = demo.runtime.rules.get(new_id)
    assert (rule.name, rule.threshold, rule.workflow_id) == (
        "Slow warehouse",
        5000,
        "warehouse_export",
    )
    assert rule.window.total_seconds() == 3600 and rule.for_duration.total_seconds() == 300
    assert rule.labels == {"team": "data"}
    assert rule.annotations == {"summary": "The export is slow"}

    page = demo.client.get(response.headers["location"]).text
    assert 'role="status">Rule created.' in page
    assert f'<tr id="rule-{new_id}">' in page and "Slow warehouse" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("window", "-5m", "&#39;-5m&#39; is not a duration"),
        ("window", "0", "the window must be longer than 0"),
        ("threshold", "lots", "the threshold must be a finite number"),
        ("metric_name", " ", "must be a non-empty string"),
        ("labels", "team", "&#39;team&#39; is not name=value"),
    ],
    ids=["negative window", "zero window", "bad threshold", "blank metric", "bad label"],
)
def test_an_invalid_rule_is_refused_next_to_its_field(
    demo: Demo, field: str, value: str, message: str
) -> None:
    before = rule_ids(demo)
    response = demo.client.post(
        "/rules", data={**NEW_RULE, "name": "Refused", field: value, "action": "save"}
    )
    assert response.status_code == 422
    assert 'role="alert">The rule was not saved' in response.text
    assert message in response.text
    assert f'id="rule-{field}" name="{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'id="rule-{field}-error"' in response.text  # the message next to the field
    assert 'value="Refused"' in response.text  # the input is kept
    assert rule_ids(demo) == before


def test_the_preview_shows_a_backtest_and_saves_nothing(demo: Demo) -> None:
    before = rule_ids(demo)
    rule = {**NEW_RULE, "workflow_id": "", "metric_name": "error_rate", "threshold": "0.2"}
    response = demo.client.post("/rules", data={**rule, "action": "preview", "days": "1"})
    assert response.status_code == 200
    assert rule_ids(demo) == before
    expected = demo.runtime.rules.backtest(
        rule_from_mapping(
            {"metric_name": "error_rate", "condition": "greater_than", "threshold": 0.2,
             "window": "1h", "for": "5m", "severity": "high"}
        ),
        days=1,
    )  # fmt: skip
    assert expected, "the demo's incidents would have fired it"
    text = response.text
    assert "Preview: what this rule would have fired over the last 1 day" in text
    found = re.search(r"It would have fired <strong>(\d+)</strong>", text)
    assert found is not None and int(found.group(1)) == len(expected)
    workflows = {e.labels["workflow_id"] for e in expected}
    assert all(w in text for w in workflows)
    assert 'id="backtest-table"' in text
    assert 'value="Slow warehouse"' in text  # the form is still filled in


def test_editing_a_rule_changes_its_threshold(demo: Demo) -> None:
    form = demo.client.get("/rules/demo-slow-runs/edit")
    assert form.status_code == 200
    assert 'value="demo-slow-runs"' in form.text and 'value="10000"' in form.text
    assert 'value="1h"' in form.text  # the window, as it is written
    assert '<option value="medium" selected>' in form.text

    edited = {
        "name": "demo-slow-runs",
        "metric_name": "p95_duration_ms",
        "condition": "greater_than",
        "threshold": "20000",
        "window": "1h",
        "for_duration": "0",
        "severity": "medium",
        "enabled": "on",
        "action": "save",
    }
    response = demo.client.post("/rules/demo-slow-runs", data=edited)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/rules?done=updated")
    assert demo.runtime.rules.get("demo-slow-runs").threshold == 20000
    page = demo.client.get(response.headers["location"]).text
    assert 'role="status">Rule updated.' in page
    assert 'data-value="20000.0">20000<' in row_of_rule(page, "demo-slow-runs")


def row_of_rule(html: str, rule_id: str) -> str:
    start = html.index(f'<tr id="rule-{rule_id}">')
    return html[start : html.index("</tr>", start)]


def test_unknown_rules_are_404s(demo: Demo) -> None:
    assert demo.client.get("/rules/no-such-rule/edit").status_code == 404
    response = demo.client.post("/rules/no-such-rule", data={**NEW_RULE, "action": "save"})
    assert response.status_code == 404
