"""Benchmark: `flowdoctor diagnose` end to end on a generated workflow log: lines/s, peak memory.

Generates a fleet's log of ``--lines`` lines (default 1,000,000), runs the
installed CLI on it as a subprocess (``python -m flowdoctor diagnose FILE --format json``) and
reports wall seconds, lines/s and the child's peak RSS. It does the same on a log a tenth that
size, cut from the same stream, so flat memory shows as equal peak RSS, and on a 1,000-line log,
whose time is the fixed cost (interpreter start, imports, loading the knowledge base, training
the learned fallback): "steady lines/s" is the big log's lines over its time minus that cost.
The target is >= 50,000 lines/s end to end on 1,000,000 lines.

The default error share is 0.10: a log someone runs ``diagnose`` on is one with trouble in it,
but even a failing fleet writes mostly INFO (runs started, pages fetched, records synced) —
production workflow logs we have seen carry 1-15% error lines. ``--error-share 0.78`` is the
costly case of ``diagnose_stream.py``, where almost every line must be classified.

    python benchmarks/diagnose_throughput.py [--lines 1000000] [--workdir DIR]
        [--error-share 0.1] [--repeat 1] [--keep]

The mix is ``_logs.WORKFLOW_LOG_MIX`` (shown by ``--help``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from _logs import (  # benchmarks/ is on sys.path
    WORKFLOW_LOG_MIX,
    diagnose_command,
    generate_workflow_log,
    run_measured,
)

FIXED_COST_LINES = 1_000
"""The smallest log: its time is (almost all) the fixed cost of one diagnose."""


def log_file(workdir: Path, lines: int, error_share: float, keep: bool) -> Path:
    """The generated log of ``lines`` lines (reused when kept from an earlier run)."""
    path = workdir / f"flowdoctor-throughput-{lines}-{error_share:g}.log"
    if keep and path.exists():
        print(f"reusing {path}", file=sys.stderr, flush=True)
        return path

    def tick(done: int) -> None:
        print(f"  {done:,} / {lines:,} lines", file=sys.stderr, flush=True)

    print(f"generating {lines:,} lines -> {path}", file=sys.stderr, flush=True)
    generate_workflow_log(path, lines, error_share=error_share, progress=tick)
    return path


def measure(path: Path, repeat: int) -> dict[str, float]:
    """Median wall seconds and the largest peak RSS (MiB) over ``repeat`` runs, and the output."""
    report = path.with_suffix(".json")
    times: list[float] = []
    rss = 0
    for attempt in range(1, repeat + 1):
        print(f"diagnosing {path.name} ({attempt}/{repeat}) ...", file=sys.stderr, flush=True)
        secs, rss_kib, code = run_measured(diagnose_command(path), stdout=report)
        if code != 0:
            raise SystemExit(f"diagnose failed with exit code {code} on {path}")
        times.append(secs)
        rss = max(rss, rss_kib)
        print(f"  {secs:.2f} s, peak RSS {rss_kib / 1024:.0f} MiB", file=sys.stderr, flush=True)
    result = json.loads(report.read_text())
    report.unlink()
    return {
        "secs": statistics.median(times),
        "rss_mib": rss / 1024,
        "lines": float(result["input"]["lines_read"]),
        "errors": float(result["input"]["errors_seen"]),
        "issues": float(len(result["issues"])),
        "unclassified": float(result["input"]["unclassified"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="The generated log:\n" + WORKFLOW_LOG_MIX,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="the big log's lines")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--error-share", type=float, default=0.10, help="share of error events")
    parser.add_argument("--repeat", type=int, default=1, help="runs per log (median time)")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) generated logs")
    args = parser.parse_args()
    sizes = sorted({FIXED_COST_LINES, max(args.lines // 10, FIXED_COST_LINES), args.lines})
    rows: list[dict[str, float]] = []
    for lines in sizes:
        path = log_file(args.workdir, lines, args.error_share, args.keep)
        rows.append(measure(path, max(args.repeat, 1)))
        if not args.keep:
            path.unlink()
    fixed = rows[0]["secs"]
    print(
        f"error share {args.error_share:g}; fixed cost (a {FIXED_COST_LINES:,}-line log): "
        f"{fixed:.2f} s\n"
    )
    print(
        "| lines | error lines | issues | unclassified | wall s | lines/s | steady lines/s "
        "| peak RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        steady = row["lines"] / (row["secs"] - fixed) if row["secs"] > fixed else float("nan")
        cells = [f"{row['lines']:,.0f}", f"{row['errors']:,.0f}", f"{row['issues']:.0f}"]
        cells += [f"{row['unclassified']:,.0f}", f"{row['secs']:.2f}"]
        cells += [f"{row['lines'] / row['secs']:,.0f}", f"{steady:,.0f}", f"{row['rss_mib']:.0f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
