"""The session pages over the demo data: the list, one session's stages, issues and
recommendations, starting a session from a pasted log, and the advance and verify actions."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from flowdoctor.config import Settings
from flowdoctor.demo.loader import load_demo
from flowdoctor.domain import Stage
from flowdoctor.ingest import records_from_strings
from flowdoctor.runtime import Runtime, build
from flowdoctor.web import install_dashboard
from flowdoctor.web import sessions as web_sessions

SALESFORCE = "ERROR [crm_sync] Salesforce API error: INVALID_SESSION_ID: Session expired or invalid"
SLACK = "ERROR [crm_sync] Slack API error: ratelimited (HTTP 429 Too Many Requests)"
PASTED_LOG = (
    f"2026-11-29T10:00:00Z {SALESFORCE}\r\n"
    f"2026-11-29T10:05:00Z {SALESFORCE}\r\n"
    "\r\n"
    f"2026-11-29T10:06:00Z {SLACK}\r\n"
    f"2026-11-29T10:07:00Z {SLACK}\r\n"
)
"""Realistic errors as a browser sends a textarea: CRLF line ends, a blank line."""


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    db: Path = tmp_path_factory.mktemp("session-pages") / "demo.db"
    rt = build(Settings(database_url=f"sqlite:///{db}"))
    assert load_demo(rt).loaded
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> TestClient:
    app = FastAPI()
    app.state.runtime = runtime
    install_dashboard(app)
    return TestClient(app)


def text_of(page: str) -> str:
    """The page's visible text, tags dropped and whitespace collapsed, entities decoded."""
    body = re.sub(r"<head>.*?</head>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def stage_states(page: str) -> dict[str, str]:
    """Each stage of the timeline and its badge: completed, next or pending."""
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, flags=re.S)
    assert timeline, "the page has no stage timeline"
    found = re.findall(
        r"<strong>(\w+)</strong>\s*<span class=\"badge[^\"]*\">(\w+)</span>", timeline[1]
    )
    return {name.lower(): state for name, state in found}


def start(runtime: Runtime, workflow_id: str) -> str:
    """A session that has only run identification, as the API's POST /sessions leaves it."""
    lines = ["2026-11-29T09:00:00Z ERROR Slack API error: ratelimited (HTTP 429)"]
    session = runtime.sessions.start(
        workflow_id=workflow_id, error_logs=records_from_strings(lines)
    )
    return session.session_id


def test_the_list_shows_the_demo_sessions_newest_first(
    client: TestClient, runtime: Runtime
) -> None:
    demo = runtime.sessions.page(limit=50).items
    assert demo, "the demo creates sessions"
    r = client.get("/sessions")
    assert r.status_code == 200
    assert 'href="/sessions/new"' in r.text and "Start a session from a log" in r.text
    for s in demo:
        assert f'href="/sessions/{s.session_id}"' in r.text
        assert s.workflow_id in r.text
    # Newest first: the links come in the service's order.
    positions = [r.text.index(f'href="/sessions/{s.session_id}"') for s in demo]
    assert positions == sorted(positions)
    text = text_of(r.text)
    assert "verified" in text and "resolution" in text


def test_the_list_filters_by_workflow(client: TestClient, runtime: Runtime) -> None:
    demo = runtime.sessions.page(limit=50).items
    wanted = demo[-1].workflow_id
    r = client.get("/sessions", params={"workflow_id": wanted})
    assert r.status_code == 200
    for s in demo:
        assert (f'href="/sessions/{s.session_id}"' in r.text) == (s.workflow_id == wanted)


def test_a_demo_session_shows_stages_issues_and_recommendations(
    client: TestClient, runtime: Runtime
) -> None:
    verified = [
        runtime.sessions.get(s.session_id)
        for s in runtime.sessions.page(limit=50).items
        if s.stage is Stage.VERIFICATION
    ]
    assert verified, "the demo verifies the fixes of its fixed incidents"
    session = verified[0]
    r = client.get(f"/sessions/{session.session_id}")
    assert r.status_code == 200
    assert stage_states(r.text) == {stage.value: "completed" for stage in Stage}
    text = text_of(r.text)
    for issue in session.issues:
        assert issue.category.value.replace("_", " ") in text
        assert issue.message_template in text
    assert session.recommendations
    first = session.recommendations[0]
    assert first.title in text
    assert all(step in text for step in first.steps)
    assert session.verification is not None and session.verification.reason in text
    # Verification may be repeated; nothing follows it, so no advance button.
    assert "Verify the fix" in r.text and "/advance" not in r.text


def test_a_pasted_log_starts_a_session_taken_through_resolution(
    client: TestClient, runtime: Runtime
) -> None:
    r = client.post(
        "/sessions",
        data={"workflow_id": "crm_sync", "log": PASTED_LOG},
        follow_redirects=False,
    )
    assert r.status_code == 303
    location = r.headers["location"]
    assert re.fullmatch(r"/sessions/[0-9a-f-]{36}\?done=started", location)
    session = runtime.sessions.get(location.split("/")[2].split("?")[0])
    assert session.workflow_id == "crm_sync" and session.stage is Stage.RESOLUTION

    page = client.get(location)
    assert page.status_code == 200
    assert 'class="notice good" role="status"' in page.text
    states = stage_states(page.text)
    assert [states[s.value] for s in Stage] == ["completed"] * 4 + ["next"]
    text = text_of(page.text)
    # The classifier's taxonomy: an expired Salesforce session is a permissions failure, a Slack
    # rate limit a resource one.
    assert "permissions" in text and "salesforce" in text
    assert "resource" in text and "slack" in text
    assert "INVALID_SESSION_ID: Session expired or invalid" in text
    assert {i.occurrences for i in session.issues} == {2}
    assert "Salesforce session ID or OAuth access token expired or is invalid" in text
    assert "Refresh the access token" in text  # a step of that recommendation
    assert "Retry-After" in text  # a step of the Slack rate-limit recommendation
    assert "Advance to verification" in page.text


@pytest.mark.parametrize(
    ("workflow_id", "log", "message"),
    [
        ("crm_sync", "  \r\n\r\n ", "Paste at least one log line."),
        ("", PASTED_LOG, "Enter the workflow id the log comes from."),
        ("   ", PASTED_LOG, "Enter the workflow id the log comes from."),
        ("w" * 201, PASTED_LOG, "A workflow id is at most 200 characters"),
        ("crm_sync", "ok\n\n" + "x" * (64 * 1024 + 1), "Log line 3 is longer than 65,536 bytes"),
        (
            "crm_sync",
            "ERROR x\n" * 100_001,
            "At most 100,000 log lines at a time (100,001 pasted).",
        ),
    ],
)
def test_bad_input_re_renders_the_form_with_the_message_and_the_text_kept(
    client: TestClient, runtime: Runtime, workflow_id: str, log: str, message: str
) -> None:
    before = len(runtime.sessions.page(limit=500).items)
    r = client.post("/sessions", data={"workflow_id": workflow_id, "log": log})
    assert r.status_code == 422
    assert message in html.unescape(r.text)
    assert f'value="{html.escape(workflow_id)}"' in r.text
    assert html.escape(log, quote=False).strip() in r.text  # inside the textarea
    assert len(runtime.sessions.page(limit=500).items) == before


def test_missing_fields_are_reported_like_empty_ones(client: TestClient) -> None:
    r = client.post("/sessions", data={"log": PASTED_LOG})
    assert r.status_code == 422
    assert "Enter the workflow id" in r.text
    assert "INVALID_SESSION_ID" in r.text


def test_user_text_is_escaped(client: TestClient) -> None:
    r = client.post(
        "/sessions",
        data={"workflow_id": "<b>wf</b>", "log": "ERROR <script>alert(1)</script>"},
    )
    assert r.status_code == 200  # followed the 303
    assert "<script>alert(1)" not in r.text and "<b>wf</b>" not in r.text
    assert "&lt;b&gt;wf&lt;/b&gt;" in r.text


def test_an_unknown_session_is_a_404_page(client: TestClient) -> None:
    for r in (
        client.get("/sessions/no-such-session"),
        client.post("/sessions/no-such-session/advance"),
        client.post("/sessions/no-such-session/verify"),
    ):
        assert r.status_code == 404
        assert "There is no troubleshooting session &#39;no-such-session&#39;" in r.text


def test_advance_moves_the_session_stage_by_stage(client: TestClient, runtime: Runtime) -> None:
    session_id = start(runtime, "advance_me")
    page = client.get(f"/sessions/{session_id}").text
    assert stage_states(page)["analysis"] == "next"
    assert "Recommendations come with the resolution stage" in page
    expected = [Stage.ANALYSIS, Stage.DIAGNOSIS, Stage.RESOLUTION, Stage.VERIFICATION]
    for stage in expected:
        r = client.post(f"/sessions/{session_id}/advance", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == f"/sessions/{session_id}?done=advanced"
        assert runtime.sessions.get(session_id).stage is stage
        states = stage_states(client.get(r.headers["location"]).text)
        assert states[stage.value] == "completed"
    # Nothing follows verification: 409 with the reason, the page still shown.
    r = client.post(f"/sessions/{session_id}/advance")
    assert r.status_code == 409
    assert "cannot move from" in html.unescape(r.text)
    assert stage_states(r.text)["verification"] == "completed"


def test_verify_the_fix_of_a_resolved_session(client: TestClient, runtime: Runtime) -> None:
    session_id = start(runtime, "verify_me")
    runtime.sessions.recommend(session_id)
    page = client.get(f"/sessions/{session_id}").text
    assert "Verify the fix" in page and "Not verified yet" in page

    r = client.post(f"/sessions/{session_id}/verify", data={"fix_applied_at": "yesterday"})
    assert r.status_code == 422
    assert "The fix time must look like" in r.text

    r = client.post(
        f"/sessions/{session_id}/verify",
        data={"fix_applied_at": "2026-11-29T08:00"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session = runtime.sessions.get(session_id)
    assert session.stage is Stage.VERIFICATION and session.verification is not None
    page = client.get(r.headers["location"]).text
    assert "Verification ran" in page
    assert html.escape(session.verification.reason) in page
    assert "Fix applied at 2026-11-29 08:00 UTC" in page


def test_verify_before_resolution_is_refused(client: TestClient, runtime: Runtime) -> None:
    session_id = start(runtime, "too_early")
    r = client.post(f"/sessions/{session_id}/verify")
    assert r.status_code == 409
    assert "cannot move from" in html.unescape(r.text)
    assert runtime.sessions.get(session_id).stage is Stage.IDENTIFICATION


def test_the_list_pages_through_older_sessions(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_sessions, "PAGE_SIZE", 3)
    every = [s.session_id for s in runtime.sessions.page(limit=500).items]
    assert len(every) > 3
    seen: list[str] = []
    url: str | None = "/sessions"
    while url:
        r = client.get(url)
        assert r.status_code == 200
        seen += re.findall(r'<td><a href="/sessions/([0-9a-f-]{36})">', r.text)
        older = re.search(r'<a href="(/sessions\?[^"]+)">Older sessions</a>', r.text)
        url = html.unescape(older[1]) if older else None
    assert seen == every

    r = client.get("/sessions", params={"after_time": "not a time", "after_id": "x"})
    assert r.status_code == 422
    assert "That page link is not valid" in r.text
    assert f'href="/sessions/{every[0]}"' in r.text  # the newest page instead
