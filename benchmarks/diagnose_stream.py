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
import sys
import tempfile
from pathlib import Path

from _logs import diagnose_command, generate, run_measured  # benchmarks/ is on sys.path


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
        cmd = diagnose_command(path)
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
