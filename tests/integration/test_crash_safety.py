"""Crash safety of `flowdoctor serve`: a client ingests run events over HTTP without pause while
the server is killed with SIGKILL (no goodbye, no flush) at a random moment and restarted on the
same database, 20 times. Every event the server acknowledged with a 2xx is stored afterwards, and
none twice; the alerts that fired and the notification outbox rows (with their attempt counts)
survive the kills too.

Requests cut off by a kill (a connection error, no answer) are not acknowledged: their events may
be stored or not. The client never retries, so a stored duplicate can only be the server's.

Each kill comes 0.2-1.5 s (seeded) after that server first answered /healthz. The servers are
forked from one process that imported flowdoctor once (``support/serve_forks.py``), so the 21
starts per database take well under a second each instead of the seconds of imports. The test
prints one line per database (``pytest -s``): events sent, acknowledged, stored, lost, ...
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowdoctor.api.app import API_PREFIX
from flowdoctor.domain import AlertState
from flowdoctor.monitor.evaluator import LEASE
from flowdoctor.store import Database
from support.servers import free_port, wait_for

pytestmark = pytest.mark.slow

P = API_PREFIX
CYCLES = 20
SEED = 20261129
KILL_AFTER = (0.2, 1.5)
"""Seconds between a server answering /healthz and its SIGKILL (uniform, seeded)."""
BATCH = 20
SINGLES = 0.2
"""The share of requests that carry a single event instead of a batch."""
WORKFLOWS = ("crash_orders", "crash_invoices", "crash_leads")
STARTUP_SECONDS = 60.0


# -- the server ------------------------------------------------------------------------------


FORK_SERVER = Path(__file__).resolve().parents[1] / "support" / "serve_forks.py"


@dataclass
class Server:
    """`flowdoctor serve` on 127.0.0.1, a fresh port each start, each start logging to a file of
    its own under ``logs``. Each server is a process of its own, forked by
    ``support/serve_forks.py`` (which imported flowdoctor once): a restart does not pay the
    imports again."""

    env: dict[str, str]
    logs: Path
    pid: int | None = None
    log: Path | None = None
    base: str = ""
    startup_seconds: list[float] = field(default_factory=list)
    _forks: subprocess.Popen[str] | None = None

    def start(self) -> str:
        """Start it and wait until /healthz answers; the base URL."""
        assert self.pid is None, "the previous server is still running"
        forks = self._forks or self._fork_server()
        began = time.monotonic()
        port = free_port()
        log = self.logs / f"serve{len(self.startup_seconds):02d}.log"
        assert forks.stdin is not None and forks.stdout is not None
        forks.stdin.write(f"{log}\tserve --host 127.0.0.1 --port {port}\n")
        forks.stdin.flush()
        answer = forks.stdout.readline()
        assert answer.strip().isdigit(), f"the fork server said {answer!r}:\n{self._own_log()}"
        pid = int(answer)
        self.pid, self.log, self.base = pid, log, f"http://127.0.0.1:{port}"
        wait_for(
            f"flowdoctor serve (start {len(self.startup_seconds) + 1}) did not answer /healthz",
            lambda: not _alive(pid) or _healthy(self.base),
            lambda: _tail(log),
            seconds=STARTUP_SECONDS,
        )
        assert _alive(pid), f"flowdoctor serve exited:\n{_tail(log)}"
        self.startup_seconds.append(time.monotonic() - began)
        return self.base

    def kill(self) -> None:
        """SIGKILL, and wait until it is dead."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        self._gone(self.pid)

    def stop(self) -> None:
        """SIGTERM (a clean shutdown) if it runs, and end the fork server."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGTERM)  # not reaped yet: the pid is still ours
            self._gone(self.pid)
        if self._forks is not None:
            forks, self._forks = self._forks, None
            assert forks.stdin is not None
            forks.stdin.close()  # it reaps its children and ends
            try:
                forks.wait(timeout=30)
            except subprocess.TimeoutExpired:
                forks.kill()
                forks.wait(timeout=30)

    def _gone(self, pid: int) -> None:
        wait_for(f"flowdoctor serve (pid {pid}) did not end", lambda: not _alive(pid))
        self.pid = None

    def _fork_server(self) -> subprocess.Popen[str]:
        with self._own_log_path().open("wb") as out:
            self._forks = subprocess.Popen(
                [sys.executable, str(FORK_SERVER)],
                # No BLAS thread pools in the process that forks (forking with threads is unsafe).
                env={**os.environ, **self.env, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=out,
                text=True,
            )
        return self._forks

    def _own_log_path(self) -> Path:
        return self.logs / "fork-server.log"

    def _own_log(self) -> str:
        return _tail(self._own_log_path())


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not reaped yet, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _tail(log: Path, size: int = 4000) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-size:] if log.exists() else ""


# -- the client ------------------------------------------------------------------------------


@dataclass
class Ingester:
    """Posts run events with unique run ids to ``base`` (nothing while it is empty) until
    stopped, recording which events were acknowledged (2xx) and which were left in doubt."""

    rng: random.Random
    base: str = ""
    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    in_doubt: set[str] = field(default_factory=set)
    connection_errors: int = 0
    answers: Counter[int] = field(default_factory=Counter)
    wrong_counts: list[str] = field(default_factory=list)
    failure: BaseException | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _next: int = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ingester", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            assert not self._thread.is_alive(), "the ingesting client did not stop"

    def _run(self) -> None:
        try:
            with httpx.Client(timeout=10) as http:
                while not self._stop.is_set():
                    base = self.base
                    if not base:
                        time.sleep(0.01)
                        continue
                    self._post(http, base)
        except BaseException as exc:  # reported by the test, not lost in a thread
            self.failure = exc

    def _post(self, http: httpx.Client, base: str) -> None:
        size = 1 if self.rng.random() < SINGLES else BATCH
        events = [self._event() for _ in range(size)]
        ids = [e["run_id"] for e in events]
        self.sent.update(ids)
        try:
            answer = http.post(f"{base}{P}/runs", json={"events": events})
        except httpx.TransportError:
            # Cut off by a kill: the batch may or may not have been committed.
            self.connection_errors += 1
            self.in_doubt.update(ids)
            time.sleep(0.01)
            return
        self.answers[answer.status_code] += 1
        if 200 <= answer.status_code < 300:
            if answer.json().get("accepted") != size:
                self.wrong_counts.append(f"{size} sent, answer {answer.text}")
            self.acknowledged.update(ids)
        else:
            self.in_doubt.update(ids)

    def _event(self) -> dict[str, Any]:
        n = self._next
        self._next += 1
        failed = (n // len(WORKFLOWS)) % 3 != 0
        return {
            "workflow_id": WORKFLOWS[n % len(WORKFLOWS)],
            "run_id": f"crash-{n:07d}",
            # two failures in three runs: the error-rate rule below holds for every workflow
            "status": "failure" if failed else "success",
            "started_at": datetime.now(UTC).isoformat(),
            "duration_ms": float(n % 500),
            "error_message": "HTTP 503 Service Unavailable" if failed else None,
        }


# -- what the database holds -----------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Alerts and outbox rows as committed at one moment."""

    alerts: dict[str, tuple[AlertState, datetime, datetime | None]]
    """fingerprint -> (state, started_at, fired_at)"""
    outbox: dict[int, tuple[str, str, int]]
    """notification id -> (dedup key, status, attempts)"""

    @property
    def firing(self) -> set[str]:
        return {f for f, (state, _, _) in self.alerts.items() if state is AlertState.FIRING}


def snapshot(db: Database) -> Snapshot:
    with db.transaction() as store:
        alerts = {
            a.fingerprint: (a.state, a.started_at, a.fired_at)
            for a in store.alerts.list(limit=None)
        }
        outbox = {
            n.notification_id: (n.dedup_key, n.status.value, n.attempts)
            for n in store.notifications.list()
        }
    return Snapshot(alerts, outbox)


def stored_run_ids(db: Database) -> Counter[str]:
    with db.transaction() as store:
        return Counter(r.run_id for wf in WORKFLOWS for r in store.runs.list(workflow_id=wf))


def attempt_logs(db: Database) -> dict[int, int]:
    """notification id -> how many attempts its log holds"""
    with db.transaction() as store:
        return {
            n.notification_id: len(store.notifications.attempts(n.notification_id))
            for n in store.notifications.list()
        }


def evaluator_pid(db: Database) -> int | None:
    with db.transaction() as store:
        holder = store.leases.holder(LEASE, now=datetime.now(UTC))
    return None if holder is None else int(holder.split(":")[1])


# -- the test --------------------------------------------------------------------------------


def test_sigkill_loses_no_acknowledged_event_alert_or_notification(
    database_url: str, tmp_path: Path
) -> None:
    dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    began = time.monotonic()
    rng = random.Random(SEED)
    server = Server(
        env={
            "FLOWDOCTOR_DATABASE_URL": database_url,
            "FLOWDOCTOR_EVALUATION_INTERVAL_SECONDS": "1",
            "FLOWDOCTOR_EVALUATOR_LEASE_SECONDS": "2",
            "FLOWDOCTOR_DELIVERY_INTERVAL_SECONDS": "0.2",
            "FLOWDOCTOR_LOG_LEVEL": "warning",
        },
        logs=tmp_path,
    )
    client = Ingester(random.Random(SEED + 1))
    db = Database(database_url)
    try:
        base = server.start()
        _alerting_setup(base)
        client.base = base
        client.start()
        # Before the first kill: every workflow's alert fires and its notification has been
        # tried (and failed: nothing listens at the channel's port) at least once.
        wait_for(
            "the alerts did not fire and get a first delivery attempt",
            lambda: _alerted(snapshot(db)),
            lambda: f"{snapshot(db)}\n{_tail(server.log) if server.log else ''}",
            seconds=30,
        )
        seen: list[Snapshot] = []
        for cycle in range(CYCLES):
            if cycle:
                client.base = server.start()
            time.sleep(rng.uniform(*KILL_AFTER))
            seen.append(snapshot(db))  # committed before the kill: must outlive it
            server.kill()
            client.base = ""
            assert client.failure is None, f"the client failed: {client.failure!r}"
        # The last start: it evaluates at least once (it holds the lease) before we look.
        client.base = server.start()
        final_pid = server.pid
        wait_for(
            "the restarted server did not evaluate the rules",
            lambda: evaluator_pid(db) == final_pid,
            seconds=30,
        )
        time.sleep(1.5)  # and once more, after taking over
        client.stop()
        server.stop()
        # Read only once the server has stopped: a delivery attempt made between two reads
        # would make the outbox rows and their attempt log disagree.
        after = snapshot(db)
        stored = stored_run_ids(db)
        logged = attempt_logs(db)
    finally:
        client.stop()
        server.stop()
        db.dispose()

    assert client.failure is None, f"the client failed: {client.failure!r}"
    assert not client.wrong_counts, client.wrong_counts[:5]
    refused = {code: n for code, n in client.answers.items() if not 200 <= code < 300}
    lost = client.acknowledged - set(stored)
    twice = {run_id: n for run_id, n in stored.items() if n > 1}
    unknown = set(stored) - client.sent
    in_doubt_stored = len(client.in_doubt & set(stored))
    print(
        f"\n[crash safety, {dialect}] cycles={CYCLES} sent={len(client.sent)} "
        f"acknowledged={len(client.acknowledged)} stored={sum(stored.values())} "
        f"lost={len(lost)} duplicated={len(twice)} "
        f"in_doubt={len(client.in_doubt)} (stored {in_doubt_stored}) "
        f"connection_errors={client.connection_errors} non_2xx={refused or 0} "
        f"alerts_firing={len(after.firing)} outbox_rows={len(after.outbox)} "
        f"max_attempts={max((a for _, _, a in after.outbox.values()), default=0)} "
        f"startup_avg={sum(server.startup_seconds) / len(server.startup_seconds):.2f}s "
        f"seed={SEED} seconds={time.monotonic() - began:.1f}"
    )
    assert client.acknowledged, "no request was acknowledged: the test proved nothing"
    assert not lost, f"{len(lost)} acknowledged events are not stored, e.g. {sorted(lost)[:10]}"
    assert not twice, f"{len(twice)} events are stored more than once, e.g. {list(twice)[:10]}"
    assert not unknown, f"stored events nobody sent: {sorted(unknown)[:10]}"
    # An error answer acknowledges nothing either (its events are in doubt); a 4xx would be a
    # mistake of this test's.
    assert not refused.keys() - {500, 503}, f"unexpected answers: {refused}"
    _assert_alerts_survived(seen, after)
    _assert_outbox_survived(seen, after)
    counted = {row_id: attempts for row_id, (_, _, attempts) in after.outbox.items()}
    assert logged == counted, "the attempt log and the rows' attempt counts disagree"


def _alerting_setup(base: str) -> None:
    """A channel whose port nobody listens on, and a rule every workflow's data meets."""
    nowhere = f"json+http://127.0.0.1:{free_port()}/x"
    made = httpx.post(f"{base}{P}/channels", json={"name": "nowhere", "url": nowhere}, timeout=10)
    assert made.status_code == 201, made.text
    rule = {
        "name": "crash workflows failing",
        "metric_name": "error_rate",
        "condition": "greater_than",
        "threshold": 0.3,
        "window": "15m",
        "severity": "high",
    }
    made = httpx.post(f"{base}{P}/rules", json=rule, timeout=10)
    assert made.status_code == 201, made.text


def _alerted(now: Snapshot) -> bool:
    return (
        len(now.firing) == len(WORKFLOWS)
        and len(now.outbox) == len(WORKFLOWS)
        and all(attempts >= 1 for _, _, attempts in now.outbox.values())
    )


def _assert_alerts_survived(seen: list[Snapshot], after: Snapshot) -> None:
    """Every alert firing before a kill still fires, in the same episode (not reset)."""
    firing_before = set().union(*(s.firing for s in seen))
    assert len(firing_before) == len(WORKFLOWS), firing_before
    for fingerprint in firing_before:
        first = next(s.alerts[fingerprint] for s in seen if fingerprint in s.firing)
        assert fingerprint in after.alerts, f"alert {fingerprint} was lost"
        state, started_at, fired_at = after.alerts[fingerprint]
        assert state is AlertState.FIRING, f"alert {fingerprint} is {state} after the kills"
        assert (started_at, fired_at) == first[1:], f"alert {fingerprint} was reset"
    assert after.firing == firing_before


def _assert_outbox_survived(seen: list[Snapshot], after: Snapshot) -> None:
    """Every outbox row seen before a kill still exists, the same row, and its attempts never
    went down; one row per alert (none enqueued twice)."""
    history: dict[int, list[int]] = {}
    keys: dict[int, str] = {}
    for moment in [*seen, after]:
        for row_id, (key, _, attempts) in moment.outbox.items():
            history.setdefault(row_id, []).append(attempts)
            assert keys.setdefault(row_id, key) == key, f"outbox row {row_id} changed its key"
    for row_id, counts in history.items():
        assert row_id in after.outbox, f"outbox row {row_id} was lost"
        assert counts == sorted(counts), f"outbox row {row_id}'s attempts went down: {counts}"
    assert len(after.outbox) == len(WORKFLOWS), after.outbox
    assert len({key for key, _, _ in after.outbox.values()}) == len(after.outbox)
