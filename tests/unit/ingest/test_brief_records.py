"""Brief reading (``diagnose`` without ``--save``) skips field parsing of lines below ERROR only:
error records are exactly the full ones, and every record keeps its level."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from flowdoctor.ingest import IngestReport, read_log_records

SHARED = Path("/work/shared/benchmarks")

LINES = [
    "2026-11-28T10:00:00Z INFO [crm_sync] synced 120 records status=200",
    "2026-11-28T10:00:01Z ERROR [crm_sync] INVALID_SESSION_ID: Session expired or invalid",
    "2026-11-28 10:00:02,123 - app.sheets - WARNING - slow response 2300 ms http_status=200",
    "2026-11-28 10:00:02,124 - app.sheets - ERROR - HttpError 429 Quota exceeded",
    'time=2026-11-28T10:00:03Z level=info workflow=hub msg="page 3 fetched"',
    'time=2026-11-28T10:00:03Z level=error workflow=hub code=E42 msg="HubSpot 401"',
    '{"level":30,"time":1764324000000,"workflow_id":"wf1","msg":"run started"}',
    '{"level":50,"time":1764324001000,"workflow_id":"wf1","msg":"boom","statusCode":503}',
    '{"severity":"DEBUG","message":"cache hit","error":{"code":"X"}}',
    "Traceback (most recent call last):",
    '  File "/app/sync.py", line 42, in run',
    "psycopg2.OperationalError: connection refused",
    '{"msg": "no level here", "status": 500}',
    "{not json at all, level=info",
]


def _records(data: bytes, *, brief: bool) -> list:
    return list(read_log_records(io.BytesIO(data), report=IngestReport(), brief=brief))


def _assert_brief_agrees(data: bytes) -> int:
    full = _records(data, brief=False)
    brief = _records(data, brief=True)
    assert len(full) == len(brief)
    shortened = 0
    for whole, short in zip(full, brief, strict=True):
        assert (short.level, short.line_number, short.raw) == (
            whole.level,
            whole.line_number,
            whole.raw,
        )
        if whole.is_error:
            assert short == whole
        else:
            shortened += short != whole
    return shortened


def test_brief_records_agree_with_full_ones() -> None:
    shortened = _assert_brief_agrees("\n".join(LINES).encode())
    assert shortened >= 3  # the INFO/WARN/DEBUG lines with fields were really skipped


@pytest.mark.parametrize("system", ["Apache", "HDFS", "OpenSSH", "Spark", "BGL"])
def test_brief_records_agree_on_real_logs(system: str) -> None:
    path = SHARED / "loghub" / system / f"{system}_2k.log"
    if not path.is_file():
        pytest.skip(f"benchmark data not found at {path}")
    _assert_brief_agrees(path.read_bytes())
