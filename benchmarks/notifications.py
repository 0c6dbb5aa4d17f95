"""Benchmark: from a failing run to the webhook, and a receiver that is down for five minutes.

A real flowdoctor app (rule evaluation every ``--interval`` s, outbox delivery every 0.2 s, the
default retry policy: 30 s doubling) runs in this process on a SQLite file, with one fleet-wide
rule (error rate above 50 % over 5 minutes, fires at once) and one webhook channel pointing at an
HTTP receiver on 127.0.0.1 that records when each notification arrived and its dedup key.

1. Latency: ``--workflows`` workflows start failing, 50 every half second; for each, the time from
   storing its failed run to the receiver getting its notification. The target is under 2 s plus
   the evaluation interval and the group wait, p99 over all of them. By default each alert is
   sent on its own; ``--group-wait S`` groups the channel's alerts by ``--group-by`` labels (wait
   and interval both S), so a notification carries many alerts.
2. Outage: the receiver's port is closed for ``--down`` seconds while 5 more workflows start
   failing every 2 s; then it comes back. Every alert must arrive exactly once: lost = alerts
   raised but never received, duplicated = an alert received twice in the same state.

    python benchmarks/notifications.py [--workflows 1000] [--down 300] [--interval 1]
        [--group-wait 2 --group-by alertname]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from flowdoctor.api.app import create_app
from flowdoctor.config import Settings
from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.domain.notifications import Grouping
from flowdoctor.runtime import build


class Receiver:
    """Records (arrival time, alert and state, workflow) of every alert in every POST (a grouped
    notification carries several); ``down()`` closes the port."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str, str]] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                now = time.monotonic()
                with receiver._lock:
                    receiver.requests += 1
                    for alert in body["alerts"]:
                        key = f"{alert['fingerprint']}:{alert['status']}"
                        workflow = alert.get("labels", {}).get("workflow_id", "")
                        receiver.arrivals.append((now, key, workflow))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def received(self) -> list[tuple[float, str, str]]:
        with self._lock:
            return list(self.arrivals)


def fail(runtime: Any, workflows: list[str]) -> float:
    """Store one failed run for each workflow now; returns when (monotonic)."""
    now = datetime.now(UTC)
    runtime.intake.add_runs(
        [
            RunEvent(w, f"{w}-{now.timestamp()}", RunStatus.FAILURE, now - timedelta(seconds=1))
            for w in workflows
        ]
    )
    return time.monotonic()


def wait_for(count: int, receiver: Receiver, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len({k for _, k, _ in receiver.received()}) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workflows", type=int, default=1000)
    parser.add_argument("--down", type=float, default=300.0, help="outage length, s (0: skip)")
    parser.add_argument("--interval", type=float, default=1.0, help="evaluation interval, s")
    parser.add_argument(
        "--group-wait", type=float, default=None, help="group the channel's alerts (wait, s)"
    )
    parser.add_argument("--group-by", default="alertname", help="comma-separated label names")
    args = parser.parse_args()
    grouping = None
    if args.group_wait is not None:
        grouping = Grouping(
            by=tuple(n for n in args.group_by.split(",") if n),
            wait=timedelta(seconds=args.group_wait),
            interval=timedelta(seconds=args.group_wait),
        )
    receiver = Receiver()
    receiver.up()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'bench.db'}",
            evaluation_interval_seconds=args.interval,
            delivery_interval_seconds=0.2,
        )
        runtime = build(settings)
        runtime.channels.create(
            name="bench",
            url=f"webhook+http://127.0.0.1:{receiver.port}/hook",
            grouping=grouping,
        )
        runtime.rules.create(
            {
                "name": "failing",
                "metric_name": "error_rate",
                "window": "5m",
                "condition": "greater_than",
                "threshold": 0.5,
                "severity": "high",
            }
        )
        with TestClient(create_app(runtime, evaluate_rules=True)):
            stored: dict[str, float] = {}
            names = [f"wf_{i:04d}" for i in range(args.workflows)]
            print(f"latency: {len(names)} workflows start failing, 50 per 0.5 s", file=sys.stderr)
            for start in range(0, len(names), 50):
                batch = names[start : start + 50]
                at = fail(runtime, batch)
                stored.update(dict.fromkeys(batch, at))
                time.sleep(0.5)
            wait_for(len(names), receiver, 120)
            first = {}
            for arrived, _, workflow in receiver.received():
                first.setdefault(workflow, arrived)
            latency = sorted(first[w] - stored[w] for w in names if w in first)
            missing = len(names) - len(latency)
            p99 = latency[int(0.99 * (len(latency) - 1))] if latency else float("nan")
            rows = [
                (
                    "latency",
                    len(names),
                    len(latency),
                    missing,
                    statistics.median(latency),
                    p99,
                    latency[-1],
                )
            ]
            if args.down > 0:
                before = len(receiver.received())
                receiver.down()
                print(f"outage: receiver down for {args.down:.0f} s", file=sys.stderr)
                extra, ends = [], time.monotonic() + args.down
                n = 0
                while time.monotonic() < ends:
                    batch = [f"late_{n + k:05d}" for k in range(5)]
                    n += 5
                    fail(runtime, batch)
                    extra += batch
                    time.sleep(2)
                receiver.up()
                print(
                    f"outage: receiver back; {len(extra)} alerts raised meanwhile", file=sys.stderr
                )
                wait_for(len(names) + len(extra), receiver, 1200)
                received = receiver.received()[before:]
                keys = Counter(k for _, k, _ in received)
                got = {w for _, _, w in received}
                lost = len([w for w in extra if w not in got])
                duplicated = sum(c - 1 for c in keys.values())
                rows.append(
                    ("outage", len(extra), len(keys), lost, duplicated, float("nan"), float("nan"))
                )
        runtime.close()
    receiver.down()
    grouped = (
        f"grouped by {args.group_by} (wait and interval {args.group_wait:g} s)"
        if grouping
        else "each alert sent on its own"
    )
    sends = receiver.requests
    print(f"evaluation every {args.interval:g} s, delivery every 0.2 s, SQLite, {grouped}")
    print(f"{sends:,} webhook requests carried {len(receiver.received()):,} alert notifications\n")
    print("| phase | alerts | received | lost | median s / duplicated | p99 s | max s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for phase, alerts, got, lost, a, b, c in rows:
        if phase == "latency":
            print(f"| {phase} | {alerts:,} | {got:,} | {lost} | {a:.2f} | {b:.2f} | {c:.2f} |")
        else:
            label = f"{phase} ({args.down:.0f} s down)"
            print(f"| {label} | {alerts:,} | {got:,} | {lost} | {a} dup | - | - |")


if __name__ == "__main__":
    main()
