"""Benchmark: a real ``flowdoctor serve`` under load over loopback, on SQLite and PostgreSQL.

For each database the script starts ``flowdoctor serve --workers N`` (a subprocess, on a fresh
SQLite file in a temporary folder or a fresh PostgreSQL schema, dropped afterwards) and measures,
each row for ``--duration`` seconds after a short warm-up that is not counted:

1. no-op: ``GET /healthz`` (liveness, no database) with wrk: the ceiling of the stack;
2. batched ingest: ``POST .../runs`` of 100 run events per request with wrk (a Lua script makes
   every run id unique: a prefix per wrk run, the wrk thread, a per-thread counter and the
   position in the batch), in requests/s and run events/s; afterwards the events in the database
   (and their distinct run ids) are counted and compared with what wrk saw acknowledged;
3. single-event ingest at a fixed rate of ``--rate`` requests/s (200): an open-loop asyncio HTTP/1.1
   client in this process (plain wrk has no rate option and Debian has no wrk2); each request is
   sent at its scheduled time whatever the earlier ones are doing, on an idle keep-alive
   connection or a new one, and its latency counts from that scheduled time, so a stall is not
   hidden (no coordinated omission);
4. reads: ``GET .../workflows/{id}/health`` of a workflow with 200 runs in the last day (counts and
   reads its runs, scores them) with wrk, while the batched rows above are in the same tables;
5. the ratio batched-ingest requests/s / no-op requests/s.

wrk's Lua ``done()`` hook prints each row's percentiles as one JSON line that the script parses.
Targets printed beside the figures: batched ingest >= 10,000 run events/s on SQLite with two
workers; single-event p99 under 50 ms at 200 requests/s; batched ingest requests/s >= 0.3 x the
no-op requests/s. wrk, the server's workers, PostgreSQL and this script share the machine's cores.

    python benchmarks/load.py [--duration 15] [--connections 32] [--threads 2] [--workers 2]
                              [--rate 200] [--postgres-url postgresql+psycopg://...]
                              [--sqlite-only] [--log-level warning] [--json]

The server runs at log level ``warning`` unless ``--log-level`` says otherwise: at ``info``
uvicorn writes an access-log line per request, which costs the server CPU the rows measure.

Needs ``wrk`` on PATH (`make bench-tools` installs Debian's package). PostgreSQL defaults to
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` and is skipped, saying why, when it does not
answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from _databases import fresh_database  # benchmarks/ is on sys.path
from sqlalchemy import text

from flowdoctor.store import Database

P = "/api/workflow-troubleshooting"
BATCH = 100
READ_WORKFLOW = "load_read"
TARGET_EVENTS = 10_000.0
TARGET_SINGLE_P99_MS = 50.0
TARGET_RATIO = 0.3

# Printed by every wrk script when it finishes: one line, parsed by ``run_wrk``.
DONE_LUA = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"duration_us":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,' ..
    '"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""

# A POST of ``batch`` run events per request; ids: prefix-thread-counter-position, never repeated.
BATCH_LUA = r"""
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

local counter = 0
function init(args)
  prefix, batch, workflows = args[1], tonumber(args[2]), tonumber(args[3])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local events = {}
  for i = 1, batch do
    local n = counter * batch + i
    events[i] = string.format(
      '{"workflow_id":"load_%d","run_id":"%s-%d-%d-%d","status":"%s","started_at":"%s",' ..
      '"platform":"bench","duration_ms":%d,"records_processed":%d}',
      n % workflows, prefix, tid, counter, i, (n % 20 == 0) and "failure" or "success", now,
      100 + n % 900, n % 50)
  end
  return wrk.format(nil, nil, nil, '{"events":[' .. table.concat(events, ",") .. ']}')
end
"""


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the database and the server ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, workers: int, log_level: str, log: Path) -> Iterator[str]:
    """``flowdoctor serve --workers N`` on ``url``; yields its base URL once /healthz answers."""
    port = free_port()
    env = {**os.environ, "FLOWDOCTOR_DATABASE_URL": url, "FLOWDOCTOR_LOG_LEVEL": log_level}
    command = [sys.executable, "-m", "flowdoctor", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not answers(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                sys.exit(f"load.py: flowdoctor serve did not start:\n{tail}")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stored_runs(url: str) -> tuple[int, int]:
    """(run events stored, distinct run ids among them)."""
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT count(*), count(DISTINCT run_id) FROM runs")).one()
            return int(row[0]), int(row[1])
    finally:
        db.dispose()


def seed_reads(base: str) -> None:
    """200 runs of ``READ_WORKFLOW`` over the last day: what the read row's health reads."""
    now = datetime.now(UTC)
    events = [
        {
            "workflow_id": READ_WORKFLOW,
            "run_id": f"seed-{i}",
            "status": "failure" if i % 10 == 0 else "success",
            "started_at": (now - timedelta(minutes=7 * i)).isoformat(),
            "platform": "bench",
            "duration_ms": 200.0 + i,
        }
        for i in range(200)
    ]
    response = httpx.post(f"{base}{P}/runs", json={"events": events}, timeout=30)
    response.raise_for_status()


# --- wrk -------------------------------------------------------------------------------------


def run_wrk(
    url: str, script: str, seconds: float, args: argparse.Namespace, extra: list[str]
) -> dict[str, Any]:
    """wrk on ``url`` with ``script`` (plus the done() hook); its JSON line, parsed."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + DONE_LUA)
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections)]
    command += ["-d", f"{max(1, round(seconds))}s", "--timeout", "60s", "-s", f.name, url]
    if extra:
        command += ["--", *extra]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        os.unlink(f.name)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
            return result
    sys.exit(
        f"load.py: wrk printed no result (exit {done.returncode}):\n{done.stdout}{done.stderr}"
    )


def wrk_row(
    name: str, url: str, script: str, args: argparse.Namespace, extra: list[str]
) -> dict[str, Any]:
    """A warm-up, then the measured wrk run; requests/s, latency percentiles (ms) and errors.
    ``{phase}`` in a script argument becomes ``warm`` or ``run``, so run ids differ between them."""
    warmup = min(3.0, max(1.0, args.duration / 5))
    progress(f"  {name}: warm-up {warmup:.0f} s")
    warm = run_wrk(url, script, warmup, args, [a.format(phase="warm") for a in extra])
    progress(f"  {name}: {args.duration:.0f} s, wrk -t{args.threads} -c{args.connections}")
    r = run_wrk(url, script, args.duration, args, [a.format(phase="run") for a in extra])
    seconds = r["duration_us"] / 1e6
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return {
        "row": name,
        "client": f"wrk -t{args.threads} -c{args.connections}",
        "requests": r["requests"],
        "seconds": round(seconds, 2),
        "req_s": r["requests"] / seconds,
        "p50_ms": r["p50_us"] / 1000,
        "p90_ms": r["p90_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "max_ms": r["max_us"] / 1000,
        "errors": errors,
        "non_2xx": r["status"],
        "requests_with_warmup": warm["requests"] + r["requests"],
    }


# --- the fixed-rate client -------------------------------------------------------------------


class Connections:
    """Keep-alive HTTP/1.1 connections to the server, opened as needed; a lean client (a few
    hundred microseconds of CPU a request, where httpx takes milliseconds and so, on a busy
    machine, falls behind its own schedule and reports its lag as the server's latency)."""

    IDLE_SECONDS = 3.0  # uvicorn closes a keep-alive connection idle for 5 s

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.opened = 0

    async def post(self, path: str, body: bytes) -> int:
        """The response's status (0 when the connection failed)."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        reader, writer = await self._connection()
        try:
            writer.write(head.encode() + body)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError):
            writer.close()
            return 0
        self.idle.append((reader, writer, time.monotonic()))
        return status

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.monotonic() - since < self.IDLE_SECONDS:
                return reader, writer
            writer.close()
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()


async def fixed_rate(base: str, rate: float, seconds: float, prefix: str) -> dict[str, Any]:
    """Open loop: request i is sent at start + i / rate whatever the earlier ones are doing, on a
    free connection or a new one; its latency counts from start + i / rate."""
    host, port = base.removeprefix("http://").split(":")
    connections = Connections(host, int(port))
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    failures: Counter[int] = Counter()  # status (0: no response) -> how many

    async def one(i: int, due: float) -> None:
        event = {
            "workflow_id": f"load_single_{i % 50}",
            "run_id": f"{prefix}-{i}",
            "status": "success",
            "started_at": datetime.now(UTC).isoformat(),
            "duration_ms": 120.0,
        }
        status = await connections.post(f"{P}/runs", json.dumps({"events": [event]}).encode())
        latencies.append(loop.time() - due)
        if status != 201:
            failures[status] += 1

    tasks = set()
    cpu = time.process_time()
    start = loop.time() + 0.05
    for i in range(round(rate * seconds)):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        task = asyncio.create_task(one(i, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    cpu = time.process_time() - cpu
    connections.close()
    ms = sorted(x * 1000 for x in latencies)
    return {
        "row": f"single-event ingest at {rate:g} req/s",
        "client": "asyncio open loop",
        "requests": len(ms),
        "seconds": round(elapsed, 2),
        "req_s": len(ms) / elapsed,
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1],
        "errors": sum(failures.values()),
        "non_2xx": sum(n for status, n in failures.items() if status),
        "failures": {str(status): n for status, n in sorted(failures.items())},
        "connections": connections.opened,
        "client_cpu_share": round(cpu / elapsed, 3),
    }


def percentile(ordered: list[float], p: float) -> float:
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=1000, method="inclusive")[round(p * 10) - 1]


# --- one database ----------------------------------------------------------------------------


def measure(backend: str, url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The four rows and the ratio for one database."""
    rows = []
    with (
        tempfile.TemporaryDirectory() as folder,
        server(url, args.workers, args.log_level, Path(folder) / "serve.log") as base,
    ):
        progress(f"{backend}: serving at {base} with {args.workers} workers")
        seed_reads(base)
        rows.append(wrk_row("no-op GET /healthz", f"{base}/healthz", "", args, []))
        before = stored_runs(url)
        prefix = uuid.uuid4().hex[:8]
        batch = wrk_row(
            f"batched ingest POST /runs x{BATCH}",
            f"{base}{P}/runs",
            BATCH_LUA,
            args,
            [prefix + "-{phase}", str(BATCH), "50"],
        )
        time.sleep(1.0)  # requests wrk gave up on at the end may still be committing
        batch["events_s"] = batch["req_s"] * BATCH
        batch["events_acknowledged"] = batch["requests_with_warmup"] * BATCH
        batch["events_stored"], batch["distinct_run_ids"] = delta(stored_runs(url), before)
        rows.append(batch)
        progress(f"  single-event ingest: {args.rate:g} req/s for {args.duration:.0f} s")
        before = stored_runs(url)
        single = asyncio.run(fixed_rate(base, args.rate, args.duration, uuid.uuid4().hex[:8]))
        single["events_s"] = single["req_s"]
        single["events_acknowledged"] = single["requests"] - single["errors"]
        single["events_stored"], single["distinct_run_ids"] = delta(stored_runs(url), before)
        rows.append(single)
        health = f"{base}{P}/workflows/{READ_WORKFLOW}/health"
        rows.append(wrk_row("reads GET /workflows/{id}/health", health, "", args, []))
        runs_total = stored_runs(url)[0]
    for row in rows:
        row["database"] = backend
    progress(f"{backend}: {runs_total:,} runs stored in all")
    rows.append(
        {
            "database": backend,
            "row": "ratio batched req/s / no-op req/s",
            "ratio": rows[1]["req_s"] / rows[0]["req_s"],
        }
    )
    return rows


def delta(after: tuple[int, int], before: tuple[int, int]) -> tuple[int, int]:
    return after[0] - before[0], after[1] - before[1]


# --- the report ------------------------------------------------------------------------------


def judge(row: dict[str, Any]) -> tuple[str, bool | None]:
    """(target, met) of a row; ("-", None) where the issue sets none."""
    name, backend = row["row"], row["database"]
    if name.startswith("batched"):
        if backend != "sqlite":
            return "(SQLite's: >= 10,000 events/s)", None
        return ">= 10,000 events/s", bool(row["events_s"] >= TARGET_EVENTS)
    if name.startswith("single"):
        return "p99 < 50 ms", bool(row["p99_ms"] < TARGET_SINGLE_P99_MS)
    if name.startswith("ratio"):
        return ">= 0.3", bool(row["ratio"] >= TARGET_RATIO)
    return "-", None


def yes(met: bool | None) -> str:
    return "" if met is None else "yes" if met else "**no**"


def table(rows: list[dict[str, Any]], args: argparse.Namespace, skipped: list[str]) -> None:
    print(
        f"flowdoctor serve --workers {args.workers} (log level {args.log_level}) on 127.0.0.1; "
        f"{args.duration:g} s per row after a warm-up; {os.cpu_count()} CPU cores shared by the "
        f"server, wrk, PostgreSQL and this script (1-minute load average {args.load_before:.2f} "
        f"before the first row, {args.load_after:.2f} after the last); "
        f"wrk -t{args.threads} -c{args.connections}; single-event row: "
        f"open-loop asyncio client at {args.rate:g} req/s (Debian has no wrk2)\n"
    )
    print(
        "| database | row | client | req/s | run events/s | p50 ms | p99 ms | max ms | errors "
        "| target | met |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    for row in rows:
        target, met = judge(row)
        if "ratio" in row:
            print(
                f"| {row['database']} | {row['row']} | | {row['ratio']:.4f} | | | | | "
                f"| {target} | {yes(met)} |"
            )
            continue
        events = f"{row['events_s']:,.0f}" if "events_s" in row else "-"
        print(
            f"| {row['database']} | {row['row']} | {row['client']} | {row['req_s']:,.1f} "
            f"| {events} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['max_ms']:.0f} "
            f"| {row['errors']} | {target} | {yes(met)} |"
        )
    print()
    for row in rows:
        if "events_stored" in row:
            how = (
                " (warm-up included; requests in flight when wrk stops are stored, not counted)"
                if "requests_with_warmup" in row
                else ""
            )
            print(
                f"- {row['database']}, {row['row']}: {row['events_stored']:,} run events stored "
                f"({row['distinct_run_ids']:,} distinct run ids), "
                f"{row['events_acknowledged']:,} acknowledged to the client{how}"
            )
        if "client_cpu_share" in row:
            print(
                f"- {row['database']}: the fixed-rate client used {row['client_cpu_share']:.0%} "
                f"of one core and {row['connections']} connections"
            )
    for line in skipped:
        print(f"\n{line}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per row (15)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (2)")
    parser.add_argument("--rate", type=float, default=200.0, help="single-event req/s (200)")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--log-level", default="warning", help="server log level (warning)")
    parser.add_argument("--json", action="store_true", help="print JSON, not a markdown table")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("load.py needs wrk on PATH (Debian/Ubuntu: apt-get install wrk)")
    args.load_before = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    backends = ("sqlite",) if args.sqlite_only else ("sqlite", "postgresql")
    for backend in backends:
        with fresh_database(backend, args.postgres_url, name="load") as url:
            if url is None:
                skipped.append(f"postgresql: skipped, no PostgreSQL answers at {args.postgres_url}")
                continue
            rows += measure(backend, url, args)
    args.load_after = os.getloadavg()[0]
    if args.json:
        for row in rows:
            row["target"], row["met"] = judge(row)
        print(json.dumps({"settings": vars(args), "rows": rows, "skipped": skipped}, indent=2))
    else:
        table(rows, args, skipped)


if __name__ == "__main__":
    main()
