"""`flowdoctor classify` and `flowdoctor templates`, run as real subprocesses: one JSON object per
input line whatever the line is, in order, with exactly the documented keys; real messages get
their category and platform; lines that differ only in ids share a template; stdin; bad paths."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CLASSIFY_KEYS = ["category", "severity", "retryable", "platform", "confidence", "template_id"]
TEMPLATE_KEYS = ["template_id", "template"]

REAL_LINES = [
    "2026-11-27T10:00:01Z ERROR [salesforce_sync_001] INVALID_SESSION_ID: Session expired or "
    "invalid",
    '{"level": "error", "time": "2026-11-27T10:08:00Z", "msg": "Slack error: ratelimited"}',
    "2026-11-27 10:09:00,120 ERROR psycopg2.OperationalError: could not connect to server: "
    'Connection refused\tIs the server running on host "db.internal" (10.0.0.5) and accepting '
    "TCP/IP connections on port 5432?",
]
"""Salesforce, Slack and PostgreSQL, as their clients and our workflows really log them."""


def flowdoctor(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "flowdoctor", *args],
        input=stdin,
        capture_output=True,
        timeout=180,
        check=False,
    )


def json_lines(done: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_real_messages_get_their_category_and_platform_in_order(tmp_path: Path) -> None:
    log = write_lines(tmp_path / "real.log", REAL_LINES)
    answers = json_lines(flowdoctor("classify", str(log)))
    assert [list(a) for a in answers] == [CLASSIFY_KEYS] * 3
    verdicts = [(a["category"], a["platform"], a["retryable"]) for a in answers]
    assert verdicts == [
        ("permissions", "salesforce", False),
        ("resource", "slack", True),
        ("connectivity", "postgresql", True),
    ]
    assert all(0.0 < a["confidence"] <= 1.0 for a in answers)
    assert [a["template_id"] for a in answers] == ["T1", "T2", "T3"]


def test_lines_differing_only_in_ids_and_numbers_share_a_template(tmp_path: Path) -> None:
    log = write_lines(
        tmp_path / "ids.log",
        [
            "2026-11-27T10:00:01Z ERROR [wf_17] connect ECONNREFUSED 10.0.0.5:5432",
            "2026-11-27T11:42:09Z ERROR [wf_9031] connect ECONNREFUSED 10.0.7.1:6543",
            "2026-11-27T11:43:00Z ERROR Slack error: ratelimited",
            "Nov 27 11:44:00 worker1 sync[311]: error: [wf_5] connect ECONNREFUSED 10.1.2.3:5432",
        ],
    )
    ids = [a["template_id"] for a in json_lines(flowdoctor("classify", str(log)))]
    assert ids[0] == ids[1] == ids[3] != ids[2]
    templates = json_lines(flowdoctor("templates", str(log)))
    assert [list(t) for t in templates] == [TEMPLATE_KEYS] * 4
    assert [t["template_id"] for t in templates] == ids  # the same miner, the same ids
    assert "2026" not in templates[1]["template"]  # the timestamp was not templated
    assert "ECONNREFUSED" in templates[1]["template"] and "9031" not in templates[1]["template"]


def test_json_lines_use_the_text_field_then_message_fields_then_the_line(tmp_path: Path) -> None:
    log = write_lines(
        tmp_path / "in.jsonl",
        [
            # "text" wins over "message": it is the field this command documents
            json.dumps({"id": 1, "message": "all good", "text": "Slack error: ratelimited"}),
            json.dumps({"id": 2, "msg": "INVALID_SESSION_ID: Session expired or invalid"}),
            json.dumps({"id": 3, "text": "Slack error: ratelimited"}),
            '{"text": "INVALID_SESSION_ID: Session expired',  # not JSON: plain text
        ],
    )
    answers = json_lines(flowdoctor("classify", str(log)))
    assert [(a["category"], a["platform"]) for a in answers] == [
        ("resource", "slack"),
        ("permissions", "salesforce"),
        ("resource", "slack"),
        ("permissions", "salesforce"),
    ]
    assert answers[0]["template_id"] == answers[2]["template_id"]  # only the text was templated
    templates = json_lines(flowdoctor("templates", str(log)))
    assert templates[0]["template"] == "Slack error: ratelimited"


def test_stdin_by_dash_and_by_default(tmp_path: Path) -> None:
    data = "".join(line + "\n" for line in REAL_LINES).encode()
    by_file = flowdoctor("classify", str(write_lines(tmp_path / "r.log", REAL_LINES)))
    assert flowdoctor("classify", "-", stdin=data).stdout == by_file.stdout
    assert (
        flowdoctor("templates", stdin=data).stdout
        == flowdoctor("templates", "-", stdin=data).stdout
    )


def test_empty_binary_and_huge_lines_each_get_one_answer(tmp_path: Path) -> None:
    log = tmp_path / "dirty.log"
    huge = "ERROR Slack error: ratelimited " + "x" * (1024 * 1024 + 7)
    log.write_bytes(
        b"\n"  # empty
        b"   \t\n"  # blank
        b"\x00\x01\x02\xff\xfe\x00garbage\n"  # binary
        + huge.encode()
        + b"\n\x89PNG\r\n\x1a\n"  # a PNG header, with its CR LF
        + b"caf\xe9 ERROR connect ECONNREFUSED 10.0.0.5:5432\r\n"  # Latin-1 byte, CRLF
        + b"ERROR Connection timeout"  # no final newline
    )
    done = flowdoctor("classify", str(log), "--explain")
    answers = json_lines(done)
    assert len(answers) == 8
    assert all(list(a) == [*CLASSIFY_KEYS, "rule_id", "evidence"] for a in answers)
    assert [a["template_id"] for a in answers[:3]] == [None, None, None]
    assert answers[0]["category"] == answers[2]["category"] == "unclassified"
    assert "not text" in answers[2]["evidence"][0]
    assert answers[3]["category"] == "resource" and answers[3]["template_id"] == "T1"
    assert any("only its beginning" in e for e in answers[3]["evidence"])
    assert answers[6]["category"] == "connectivity" and answers[7]["category"] == "timeout"
    assert "1 longer than" in done.stderr.decode()
    templates = json_lines(flowdoctor("templates", str(log)))
    assert len(templates) == 8
    assert templates[3]["template_id"] == "T1" and len(templates[3]["template"]) <= 64 * 1024


def test_output_is_utf8_json_with_non_ascii_kept(tmp_path: Path) -> None:
    log = write_lines(
        tmp_path / "u.log", ['{"text": "Zahlung für Kunde Müller fehlgeschlagen ☕"}']
    )
    done = flowdoctor("templates", str(log))
    assert "für Kunde Müller".encode() in done.stdout  # not \\u escapes
    assert json_lines(done)[0]["template"] == "Zahlung für Kunde Müller fehlgeschlagen ☕"


def test_templates_table_summarises_counts(tmp_path: Path) -> None:
    lines = [
        f"2026-11-27T10:00:{i:02d}Z ERROR [wf_{i}] connect ECONNREFUSED 10.0.0.{i}:5432"
        for i in range(5)
    ]
    log = write_lines(tmp_path / "t.log", [*lines, "ERROR Slack error: ratelimited"])
    done = flowdoctor("templates", str(log), "--format", "table")
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert "2 templates in 6 lines" in out
    rows = [line for line in out.splitlines() if "T1" in line or "T2" in line]
    assert "5" in rows[0] and "ECONNREFUSED" in rows[0] and "ratelimited" in rows[1]


def test_answers_stream_out_before_the_input_ends() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowdoctor", "templates", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            for expected, line in [
                ("T1", b"ERROR Slack error: ratelimited\n"),
                ("T2", b"ERROR INVALID_SESSION_ID: Session expired or invalid\n"),
            ]:
                proc.stdin.write(line)
                proc.stdin.flush()
                assert selector.select(timeout=60), "no answer while the input was still open"
                assert json.loads(proc.stdout.readline())["template_id"] == expected
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("command", ["classify", "templates"])
@pytest.mark.parametrize("target", ["missing.log", "."])
def test_missing_or_unreadable_file_exits_2_with_one_line(
    tmp_path: Path, command: str, target: str
) -> None:
    done = flowdoctor(command, str(tmp_path / target))
    assert done.returncode == 2
    err = done.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "cannot read" in err
    assert done.stdout == b""


def test_unknown_templates_format_is_a_usage_error(tmp_path: Path) -> None:
    log = write_lines(tmp_path / "a.log", ["ERROR boom"])
    assert flowdoctor("templates", str(log), "--format", "xml").returncode == 2
