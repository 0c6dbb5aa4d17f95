"""Benchmark: the ingest write path alone, no HTTP: how many 100-event batches per second one
database takes through ``IntakeService``'s group commit, by processes x threads.

Each row starts ``--processes`` fresh processes (spawned, as ``serve --workers`` does), each with
``--threads`` threads that build 100 run events (as the API's validation would hand them over),
prepare their rows and submit them through one ``GroupCommit`` per process, for ``--duration``
seconds; then the stored rows are counted and compared with the acknowledged ones. It shows the
ceiling the database and the interpreter put under ``load.py``'s batched-ingest row: what is left
for receiving, parsing and validating requests is what the HTTP row can add on top.

    python benchmarks/write_path.py [--duration 8] [--postgres-url postgresql+psycopg://...]
                                    [--sqlite-only]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
import time
from datetime import UTC, datetime

from _databases import fresh_database  # benchmarks/ is on sys.path
from sqlalchemy import text

from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.monitor.group_commit import GroupCommit
from flowdoctor.store import Database, upgrade

BATCH = 100
SHAPES = ((1, 1), (1, 16), (2, 16))
"""(processes, threads per process) of each row."""


def writer(url: str, proc: int, threads: int, seconds: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    db = Database(url)
    commits = GroupCommit(db)
    now = datetime.now(UTC)
    done = [0] * threads
    stop = time.monotonic() + seconds

    def work(t: int) -> None:
        k = 0
        while time.monotonic() < stop:
            events = [
                RunEvent(
                    workflow_id=f"load_{i % 50}",
                    run_id=f"{proc}-{t}-{k}-{i}",
                    status=RunStatus.FAILURE if i % 20 == 0 else RunStatus.SUCCESS,
                    started_at=now,
                    platform="bench",
                    duration_ms=100.0 + i,
                    records_processed=i,
                )
                for i in range(BATCH)
            ]
            rows = db.prepare_runs(events, now)
            commits.submit(lambda store, rows=rows: store.runs.add_prepared(rows))
            k += 1
            done[t] += 1

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    db.dispose()
    out.put(sum(done))


def measure(url: str, processes: int, threads: int, seconds: float) -> tuple[float, int, int]:
    """(batches/s acknowledged, events acknowledged, events stored)."""
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    procs = [
        ctx.Process(target=writer, args=(url, p, threads, seconds, out)) for p in range(processes)
    ]
    for p in procs:
        p.start()
    acked = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    db = Database(url)
    with db.engine.connect() as conn:
        stored = int(conn.execute(text("SELECT count(*) FROM runs")).scalar_one())
    db.dispose()
    return acked / seconds, acked * BATCH, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite"] if args.sqlite_only else ["sqlite", "postgresql"]
    print(
        "| database | processes | threads each | batches/s | run events/s | acknowledged | stored |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        for processes, threads in SHAPES:
            with fresh_database(kind, args.postgres_url, name="writepath") as url:
                if url is None:
                    break
                db = Database(url)
                upgrade(db.engine)
                db.dispose()
                print(f"{kind}: {processes} x {threads} for {args.duration:.0f} s", file=sys.stderr)
                rate, acked, stored = measure(url, processes, threads, args.duration)
                print(
                    f"| {kind} | {processes} | {threads} | {rate:,.0f} | {rate * BATCH:,.0f} "
                    f"| {acked:,} | {stored:,} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
