"""JSON log lines as real tools write them: pino, bunyan, structlog, ECS, n8n, Zapier-like."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from flowdoctor.domain import LogLevel
from flowdoctor.errors import InputError
from flowdoctor.ingest import parse_json_line


def test_pino_line_with_error_object() -> None:
    line = json.dumps(
        {
            "level": 50,
            "time": 1704164645123,
            "pid": 4242,
            "hostname": "worker-1",
            "msg": "request failed",
            "err": {
                "type": "Error",
                "message": "connect ECONNREFUSED 10.0.0.1:5432",
                "code": "ECONNREFUSED",
                "stack": "Error: connect ECONNREFUSED\n    at TCPConnectWrap",
            },
        }
    )
    rec = parse_json_line(line, line_number=3)
    assert rec.level is LogLevel.ERROR
    assert rec.timestamp == datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    # Both the log message and the error's own message matter to the classifier.
    assert rec.message == "request failed: connect ECONNREFUSED 10.0.0.1:5432"
    assert rec.error_code == "ECONNREFUSED"
    assert rec.extra == {"pid": "4242", "hostname": "worker-1"}
    assert rec.raw == line
    assert rec.line_number == 3


def test_bunyan_line() -> None:
    line = (
        '{"name":"sync","hostname":"h1","pid":7,"level":40,"msg":"slow upstream",'
        '"time":"2024-01-02T03:04:05.123Z","v":0}'
    )
    rec = parse_json_line(line)
    assert rec.level is LogLevel.WARNING
    assert rec.timestamp == datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    assert rec.message == "slow upstream"
    assert rec.extra["name"] == "sync"


def test_n8n_execution_error() -> None:
    line = json.dumps(
        {
            "workflowId": "wf-12",
            "executionId": "9001",
            "node": "HTTP Request",
            "error": {"message": "Service unavailable", "httpCode": "503"},
        }
    )
    rec = parse_json_line(line)
    assert (rec.workflow_id, rec.run_id, rec.step) == ("wf-12", "9001", "HTTP Request")
    assert rec.message == "Service unavailable"
    assert rec.http_status == 503


def test_zapier_like_task_with_status_word() -> None:
    line = json.dumps(
        {
            "zap_id": 123456,
            "step": "Create Spreadsheet Row",
            "app": "google-sheets",
            "status": "error",
            "message": "Google Sheets: Quota exceeded for quota metric 'Write requests'",
        }
    )
    rec = parse_json_line(line)
    assert rec.workflow_id == "123456"
    assert rec.platform == "google-sheets"
    # "status": "error" is not an HTTP status; it is kept as an extra instead.
    assert rec.http_status is None
    assert rec.extra == {"status": "error"}


def test_ecs_nested_level_and_at_timestamp() -> None:
    line = (
        '{"@timestamp":"2024-01-02T03:04:05+01:00","log":{"level":"warn"},'
        '"message":"disk 91% full","service":{"name":"api"}}'
    )
    rec = parse_json_line(line)
    assert rec.level is LogLevel.WARNING
    assert rec.timestamp == datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert rec.platform == "api"


def test_error_as_nested_json_string_is_kept_as_text() -> None:
    rec = parse_json_line(json.dumps({"error": '{"code": 42, "detail": "bad"}'}))
    assert rec.message == '{"code": 42, "detail": "bad"}'


def test_status_only_counts_when_it_is_an_http_status() -> None:
    assert parse_json_line('{"msg": "x", "status": 429}').http_status == 429
    assert parse_json_line('{"msg": "x", "status": "429"}').http_status == 429
    assert parse_json_line('{"msg": "x", "statusCode": 99}').http_status is None
    assert parse_json_line('{"msg": "x", "status": true}').http_status is None


def test_keys_are_matched_case_insensitively() -> None:
    rec = parse_json_line('{"Message": "boom", "Level": "ERROR", "RunId": "r1"}')
    assert (rec.message, rec.level, rec.run_id) == ("boom", LogLevel.ERROR, "r1")


def test_no_message_field_falls_back_to_the_whole_line() -> None:
    rec = parse_json_line('{"workflow": "sync", "code": "E42"}')
    assert rec.message == '{"workflow": "sync", "code": "E42"}'
    assert rec.error_code == "E42"


def test_extra_is_bounded() -> None:
    obj = {f"k{i}": "v" * 1000 for i in range(50)}
    obj["msg"] = "hello"
    rec = parse_json_line(json.dumps(obj))
    assert len(rec.extra) == 20
    assert all(len(value) == 500 for value in rec.extra.values())


def test_non_scalar_leftovers_are_not_in_extra() -> None:
    rec = parse_json_line('{"msg": "x", "tags": ["a"], "ctx": {"a": 1}, "ok": true, "n": null}')
    assert rec.extra == {"ok": "true"}


def test_nan_and_infinity_are_tolerated() -> None:
    rec = parse_json_line('{"msg": "x", "time": NaN, "status": Infinity, "level": -Infinity}')
    assert rec.timestamp is None
    assert rec.http_status is None
    assert rec.level is None


def test_lone_surrogates_are_replaced() -> None:
    rec = parse_json_line('{"msg": "bad \\ud800 char"}')
    assert rec.message == "bad \ufffd char"
    rec.message.encode("utf-8")  # would raise if a surrogate were left


@pytest.mark.parametrize(
    "line",
    [
        "[1, 2, 3]",
        '"just a string"',
        "42",
        "null",
        "{not json",
        '{"a": 1',
        "1" * 5000,
        "[" * 100_000,
        '{"a": ' + "[" * 100_000,
    ],
)
def test_not_an_object_raises_input_error(line: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_json_line(line)
    assert caught.value.field == "line"


def test_huge_integer_inside_an_object_is_refused_cleanly() -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        parse_json_line('{"n": ' + "9" * 5000 + "}")
