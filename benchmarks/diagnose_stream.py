"""Benchmark: `flowdoctor diagnose` on large logs — throughput and peak memory by file size.

Generates mixed text/JSON logs of each size (realistic error lines with varying IDs, numbers and
timestamps, plus info lines), runs `flowdoctor diagnose FILE --format json` on each as a
subprocess, and reports wall time, MB/s, lines/s and the child's peak RSS. `wc -l` on the same
file, timed in the same run, is the I/O floor. Flat memory means peak RSS does not grow with size.

    python benchmarks/diagnose_stream.py --sizes-mb 10 100 1000 [--workdir /tmp] [--error-share 0.1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = [
    "{ts} ERROR [salesforce_sync_{n}] INVALID_SESSION_ID: Session expired or invalid (user {id})",
    "{ts} ERROR [slack_alerts] Slack API error: ratelimited, retry after {n}s (channel C{id})",
    "{ts} ERROR [db_export] connect ECONNREFUSED 127.0.0.1:{n}",
    '{{"level":"error","time":"{ts}","workflow_id":"hubspot_{n}","msg":"KeyError: \'email\'"}}',
    "{ts} ERROR [sheets_report] Unable to parse range: 'Sales{n}'!A1:Z (sheet {id})",
    "{ts} ERROR [teams_digest] POST https://graph.example/v1.0/teams/{id} returned HTTP 503",
    "{ts} ERROR [warehouse] canceling statement due to statement timeout after {n} ms",
    "{ts} INFO [salesforce_sync_{n}] synced {n} records in {n} ms",
    "{ts} WARNING [slack_alerts] slow response from slack.com: {n} ms",
]


ERROR_LINES = [line for line in LINES if "ERROR" in line or '"error"' in line]
OTHER_LINES = [line for line in LINES if line not in ERROR_LINES]


def generate(path: Path, size_bytes: int, error_share: float | None = None, seed: int = 1) -> int:
    """Write a log of about ``size_bytes``; returns the number of lines.

    With ``error_share`` that share of the lines are errors; without, every shape in LINES is
    equally likely (7 of 9 are errors: a fleet failing badly, the costly case).
    """
    rng = random.Random(seed)
    lines = 0
    written = 0
    with path.open("w") as out:
        while written < size_bytes:
            chunk = []
            for _ in range(10_000):
                if error_share is None:
                    template = rng.choice(LINES)
                else:
                    shapes = ERROR_LINES if rng.random() < error_share else OTHER_LINES
                    template = rng.choice(shapes)
                day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
                ts = f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00Z"
                line = template.format(
                    ts=ts, n=rng.randint(1, 99_999), id=f"{rng.getrandbits(40):x}"
                )
                chunk.append(line)
            text = "\n".join(chunk) + "\n"
            out.write(text)
            written += len(text)
            lines += len(chunk)
    return lines


def run_measured(cmd: list[str], stdout: Path | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in KiB and exit code of one child process."""
    start = time.perf_counter()
    sink = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout is not None:
        sink.close()  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--error-share",
        type=float,
        default=None,
        help="share of error lines (default: 7 of 9 lines are errors, the costly case)",
    )
    args = parser.parse_args()
    rows = []
    for size_mb in args.sizes_mb:
        path = args.workdir / f"flowdoctor-bench-{size_mb}mb.log"
        print(f"generating {size_mb} MB ...", file=sys.stderr, flush=True)
        lines = generate(path, size_mb * 1024 * 1024, args.error_share)
        actual_mb = path.stat().st_size / 1024 / 1024
        wc_s, _, _ = run_measured(["wc", "-l", str(path)])
        print(f"diagnosing {size_mb} MB ...", file=sys.stderr, flush=True)
        cmd = [
            sys.executable,
            "-m",
            "flowdoctor",
            "diagnose",
            str(path),
            "--format",
            "json",
            "--no-progress",
        ]
        report = path.with_suffix(".json")
        secs, rss_kib, code = run_measured(cmd, stdout=report)
        if code != 0:
            raise SystemExit(f"diagnose failed with exit code {code} on {path}")
        result = json.loads(report.read_text())
        errors, issues = result["input"]["errors_seen"], len(result["issues"])
        row = (actual_mb, lines, errors, issues, secs, actual_mb / secs, lines / secs)
        rows.append((*row, rss_kib / 1024, wc_s))
        print(f"  {secs:.1f} s, peak RSS {rss_kib / 1024:.0f} MB", file=sys.stderr, flush=True)
        path.unlink()
        report.unlink()
    print(
        "| file MB | lines | error lines | issues | diagnose s | MB/s | lines/s | peak RSS MB "
        "| wc -l s (I/O floor) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mb, lines, errors, issues, secs, mbs, lps, rss, wc_s in rows:
        cells = [f"{mb:.0f}", f"{lines:,}", f"{errors:,}", f"{issues}", f"{secs:.1f}"]
        cells += [f"{mbs:.2f}", f"{lps:,.0f}", f"{rss:.0f}", f"{wc_s:.2f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
