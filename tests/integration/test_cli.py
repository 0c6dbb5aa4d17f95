"""The command line, run as a real subprocess: diagnose on files and stdin in every format, the
exit codes for bad input, and the database commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowdoctor.store.migrate import head_revision

MIXED_LOG = """\
2026-11-27T10:00:01Z ERROR [salesforce_sync_001] INVALID_SESSION_ID: Session expired or invalid
2026-11-27T10:05:01Z ERROR [salesforce_sync_001] INVALID_SESSION_ID: Session expired or invalid
2026-11-27T10:06:00Z INFO [salesforce_sync_001] retrying in 30s
Nov 27 10:07:00 worker1 sync[311]: error: connect ECONNREFUSED 10.0.0.5:5432
{"level": "error", "time": "2026-11-27T10:08:00Z", "msg": "Slack error: ratelimited", "status": 429}
{"level": "error", "time": "2026-11-27T10:09:00Z", "msg": "Traceback: KeyError: 'email'"}
2026-11-27 10:10:00,120 ERROR upstream returned HTTP 503 Service Unavailable
"""


def flowdoctor(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "flowdoctor", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def mixed_log(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.log"
    path.write_text(MIXED_LOG)
    return path


def test_diagnose_table_shows_categories_severities_and_recommendations(mixed_log: Path) -> None:
    done = flowdoctor("diagnose", str(mixed_log))
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    for word in ("permissions", "connectivity", "resource", "logic", "external_service"):
        assert word in out
    assert "high" in out and "Recommendations" in out and "Probable root causes" in out


def test_diagnose_json_has_the_same_content(mixed_log: Path) -> None:
    table = flowdoctor("diagnose", str(mixed_log)).stdout.decode()
    done = flowdoctor("diagnose", str(mixed_log), "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout)
    categories = {i["category"] for i in data["issues"]}
    assert categories == {"permissions", "connectivity", "resource", "logic", "external_service"}
    assert data["input"]["lines_read"] == 7 and data["input"]["errors_seen"] == 6
    assert sum(i["occurrences"] for i in data["issues"]) == 6
    assert data["recommendations"] and data["root_causes"]
    for rec in data["recommendations"]:
        assert rec["title"] in table  # the same recommendations as the table shows
    for issue in data["issues"]:
        assert issue["severity"] in table


def test_brackets_in_log_text_are_shown_not_taken_as_markup(tmp_path: Path) -> None:
    path = tmp_path / "brackets.log"
    path.write_text("ERROR [db_export] connect ECONNREFUSED 10.0.0.5:5432 [/oops]\n")
    done = flowdoctor("diagnose", str(path), env={"COLUMNS": "200"})
    assert done.returncode == 0, done.stderr.decode()
    assert "[db_export] connect ECONNREFUSED" in done.stdout.decode()


def test_diagnose_markdown_and_stdin(mixed_log: Path) -> None:
    done = flowdoctor("diagnose", "-", "--format", "markdown", stdin=mixed_log.read_bytes())
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert out.startswith("# flowdoctor diagnosis: stdin")
    assert "| permissions | high |" in out and "## Recommendations" in out


@pytest.mark.parametrize("target", ["missing.log", "."])
def test_missing_or_unreadable_file_exits_2_with_one_line(tmp_path: Path, target: str) -> None:
    done = flowdoctor("diagnose", str(tmp_path / target))
    assert done.returncode == 2
    err = done.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "cannot read" in err
    assert done.stdout == b""


def test_binary_and_blank_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "dirty.log"
    path.write_bytes(
        b"\x00\x01\x02\xff\xfe\x00\x00garbage\n\nERROR Connection timeout\n\x89PNG\x00\x1a\n"
    )
    done = flowdoctor("diagnose", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout)
    assert data["input"]["unreadable"] == 2
    assert [i["category"] for i in data["issues"]] == ["timeout"]


def test_version() -> None:
    from flowdoctor import __version__

    done = flowdoctor("--version")
    assert done.returncode == 0 and done.stdout.decode().strip() == f"flowdoctor {__version__}"


def test_unknown_format_is_a_usage_error(mixed_log: Path) -> None:
    done = flowdoctor("diagnose", str(mixed_log), "--format", "xml")
    assert done.returncode == 2


def test_db_upgrade_and_save_use_the_configured_database(
    mixed_log: Path, database_url: str
) -> None:
    env = {"FLOWDOCTOR_DATABASE_URL": database_url}
    upgraded = flowdoctor("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr.decode()
    assert f"revision {head_revision()}" in upgraded.stderr.decode()
    saved = flowdoctor(
        "diagnose", str(mixed_log), "--save", "--workflow", "wf1", "--format", "json", env=env
    )
    assert saved.returncode == 0, saved.stderr.decode()
    session_id = json.loads(saved.stdout)["session_id"]
    from flowdoctor.config import Settings
    from flowdoctor.runtime import build

    runtime = build(Settings(database_url=database_url))
    try:
        session = runtime.sessions.get(session_id)
    finally:
        runtime.close()
    assert session.workflow_id == "wf1" and len(session.issues) == 5
    assert session.recommendations


def test_bad_database_url_is_one_clear_line(mixed_log: Path) -> None:
    done = flowdoctor("db", "upgrade", env={"FLOWDOCTOR_DATABASE_URL": "mysql://x"})
    assert done.returncode == 2
    assert "database_url" in done.stderr.decode()
