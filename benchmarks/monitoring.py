"""Benchmark: one rule-evaluation cycle over 1,000 workflows x 10 rules, on SQLite and PostgreSQL.

Each workflow has had a run every 3 minutes for the last hour (20 runs: 10 % of workflows fail
half their runs lately, and one in 50 has gone silent for 90 minutes). Two rule sets, 10,000
checks per cycle each:

- ``fleet``: 10 rules that select every workflow (error rate, p95 duration, retry rate, run
  count, records, silence: absent for 60 min, rate of change of the error rate, a p50 duration,
  time since the last success, and one with a ``for`` of 5 min);
- ``per-workflow``: 10 rules for each of the 1,000 workflows (10,000 rules), the same ten kinds.

A cycle is one ``Evaluator.evaluate_once()``: read the rules and the runs of the longest window,
derive every scope's metrics, judge every rule on every selected workflow, write the alert moves
and their transitions in one transaction. The first cycle raises the alerts (writes); the table
gives it and the median of the next ``--repeat`` cycles (steady state: reads, few writes).

    python benchmarks/monitoring.py [--workflows 1000] [--repeat 5] [--pg postgresql+psycopg://...]

PostgreSQL runs in a fresh schema of the given database (dropped afterwards); without ``--pg``,
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` is tried and skipped, saying why, if it
does not answer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _databases import fresh_database  # benchmarks/ is on sys.path

from flowdoctor.clock import FixedClock
from flowdoctor.config import Settings
from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.runtime import Runtime, build

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KINDS: list[dict[str, Any]] = [
    {"metric_name": "error_rate", "condition": "greater_than", "threshold": 0.3},
    {"metric_name": "p95_duration_ms", "condition": "greater_than", "threshold": 5000},
    {"metric_name": "retry_rate", "condition": "greater_or_equal", "threshold": 0.5},
    {"metric_name": "run_count", "condition": "less_than", "threshold": 1},
    {"metric_name": "records_processed", "condition": "less_than", "threshold": 1},
    {"metric_name": "run_count", "condition": "absent", "threshold": 60},
    {"metric_name": "error_rate", "condition": "rate_of_change", "threshold": 1.0},
    {"metric_name": "p50_duration_ms", "condition": "greater_than", "threshold": 3000},
    {"metric_name": "seconds_since_last_success", "condition": "greater_than", "threshold": 1800},
    {"metric_name": "error_rate", "condition": "greater_than", "threshold": 0.2, "for": "5m"},
]


def runs_for(workflows: int) -> list[RunEvent]:
    """Twenty runs per workflow over the last hour (see the module docstring)."""
    runs = []
    for w in range(workflows):
        wf = f"wf_{w:04d}"
        silent = w % 50 == 49
        failing = w % 10 == 0
        for i in range(20):
            at = NOW - timedelta(minutes=3 * i + (90 if silent else 0))
            bad = failing and i < 6 and i % 2 == 0
            runs.append(
                RunEvent(
                    wf,
                    f"{wf}-{i}",
                    RunStatus.FAILURE if bad else RunStatus.SUCCESS,
                    at,
                    platform=("salesforce", "hubspot", "slack")[w % 3],
                    duration_ms=400.0 + (w % 7) * 10,
                    records_processed=5,
                )
            )
    return runs


def rules_for(kind: str, workflows: int) -> list[dict[str, Any]]:
    """The rule set ``fleet`` or ``per-workflow``."""
    if kind == "fleet":
        return [
            {**k, "name": f"fleet-{i}", "window": "15m", "severity": "high"}
            for i, k in enumerate(KINDS)
        ]
    return [
        {
            **k,
            "name": f"wf_{w:04d}-{i}",
            "workflow_id": f"wf_{w:04d}",
            "window": "15m",
            "severity": "medium",
        }
        for w in range(workflows)
        for i, k in enumerate(KINDS)
    ]


def measure(runtime: Runtime, repeat: int) -> tuple[float, float, float, int, int]:
    """(first cycle s, median of the next cycles, slowest of them, checks, firing alerts)."""
    first = runtime.evaluator.evaluate_once()
    steady = [runtime.evaluator.evaluate_once() for _ in range(repeat)]
    seconds = [r.seconds for r in steady]
    firing = len(runtime.alerts.list(limit=None))
    return first.seconds, statistics.median(seconds), max(seconds), first.checks, firing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workflows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="steady-state cycles (default 5)")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    rows = []
    for backend in ("sqlite", "postgresql"):
        for kind in ("fleet", "per-workflow"):
            with fresh_database(backend, args.pg, name="bench") as url:
                if url is None:
                    continue
                runtime = build(Settings(database_url=url), clock=FixedClock(NOW))
                try:
                    print(f"{backend} {kind}: loading ...", file=sys.stderr)
                    runs = runs_for(args.workflows)
                    for start in range(0, len(runs), 10_000):
                        runtime.intake.add_runs(runs[start : start + 10_000])
                    rules = rules_for(kind, args.workflows)
                    started = time.perf_counter()
                    for rule in rules:
                        runtime.rules.create(rule)
                    created = time.perf_counter() - started
                    print(
                        f"{backend} {kind}: {len(rules)} rules in {created:.1f} s; evaluating",
                        file=sys.stderr,
                    )
                    first, median, worst, checks, alerts = measure(runtime, args.repeat)
                    rows.append((backend, kind, len(rules), checks, alerts, first, median, worst))
                finally:
                    runtime.close()
    print(
        f"{args.workflows:,} workflows, 20 runs each in the last hour; "
        f"{args.repeat} steady cycles after the first\n"
    )
    print(
        "| database | rules | rules stored | checks per cycle | alerts | first cycle s "
        "| steady median s | steady slowest s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for backend, kind, n_rules, checks, alerts, first, median, worst in rows:
        print(
            f"| {backend} | {kind} | {n_rules:,} | {checks:,} | {alerts:,} | {first:.2f} "
            f"| {median:.2f} | {worst:.2f} |"
        )


if __name__ == "__main__":
    main()
