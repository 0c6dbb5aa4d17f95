"""`flowdoctor diagnose` streams: peak memory does not grow with the size of the log, a single
enormous line is bounded, and the progress bar appears when asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LINE_SHAPES = [
    "2026-11-27T10:{m:02d}:00Z ERROR [wf_{n}] INVALID_SESSION_ID: Session expired (user {n})",
    "2026-11-27T10:{m:02d}:00Z ERROR [wf_{n}] connect ECONNREFUSED 127.0.0.1:{n}",
    '{{"level": "error", "msg": "Slack error: ratelimited, retry after {n}s", "ts": {n}}}',
    "2026-11-27T10:{m:02d}:00Z INFO [wf_{n}] synced {n} records",
]


def _write_log(path: Path, lines: int) -> None:
    with path.open("w") as out:
        for i in range(lines):
            shape = LINE_SHAPES[i % len(LINE_SHAPES)]
            out.write(shape.format(m=i % 60, n=(i * 7919) % 100_003) + "\n")


def _peak_rss_kib(path: Path) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowdoctor", "diagnose", str(path), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return int(usage.ru_maxrss)


def test_peak_memory_is_flat_as_the_log_grows_tenfold(tmp_path: Path) -> None:
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    _write_log(small, 20_000)
    _write_log(large, 200_000)
    assert large.stat().st_size > 9 * small.stat().st_size
    growth_mib = (_peak_rss_kib(large) - _peak_rss_kib(small)) / 1024
    # the large file is ~15 MB bigger; holding it (or its records) would add far more than this
    assert growth_mib < 8, f"peak RSS grew by {growth_mib:.1f} MiB"


def test_one_enormous_line_is_bounded_and_the_rest_still_read(tmp_path: Path) -> None:
    path = tmp_path / "one-line.log"
    with path.open("w") as out:
        out.write("ERROR " + "x" * (30 * 1024 * 1024) + "\n")
        out.write("ERROR Connection timeout\n")
    done = subprocess.run(
        [sys.executable, "-m", "flowdoctor", "diagnose", str(path), "--format", "json"],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    import json

    data = json.loads(done.stdout)
    assert data["input"]["oversized"] == 1
    assert "timeout" in {i["category"] for i in data["issues"]}
    assert all(len(e) <= 64 * 1024 for i in data["issues"] for e in i["evidence"])


def test_progress_bar_when_forced(tmp_path: Path) -> None:
    path = tmp_path / "log.log"
    _write_log(path, 5_000)
    done = subprocess.run(
        [sys.executable, "-m", "flowdoctor", "diagnose", str(path), "--progress"],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "reading" in done.stderr.decode()
