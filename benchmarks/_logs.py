"""Shared by the diagnose benchmarks: generated workflow logs and a measured child process.

Two generators:

* :func:`generate` (``diagnose_stream.py``): logs of a given size from nine line shapes.
* :func:`generate_workflow_log` (``diagnose_throughput.py``): a log of a given number of lines
  from a fleet of workflows, in the mix described in :data:`WORKFLOW_LOG_MIX`.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
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


# --- a fleet of workflows, by number of lines -------------------------------------------------

WORKFLOW_LOG_MIX = """\
Every event belongs to one of 240 workflows (24 platforms x 10) and one of their runs.
Levels: with error share e, a share e of events are ERROR, (1 - e) / 9 WARN, the rest INFO.
Formats: 30% ISO-timestamp text, 20% Python logging text, 15% logfmt, 25% pino JSON (numeric
level, epoch millis), 10% n8n-style JSON (nested workflow and error objects).
Errors: 24 shapes over the taxonomy's categories (rate limits, expired and wrong credentials,
timeouts, refused connections, missing records, bad config, KeyError, invalid data, 5xx, ...);
two of them are wordings no rule knows (the learned fallback or UNCLASSIFIED decide). One
error in 20 is a Python exception followed by its 4-line traceback (those lines have no level,
so diagnose reads them as errors too). Ids, numbers, hosts, ports and timestamps vary per line.
"""

_PLATFORMS = (
    *("salesforce", "hubspot", "slack", "stripe", "shopify", "google_sheets", "airtable"),
    *("notion", "jira", "github", "postgres", "mysql", "snowflake", "bigquery", "s3", "openai"),
    *("twilio", "sendgrid", "zendesk", "asana", "mailchimp", "quickbooks", "teams", "dropbox"),
)
_ACTIONS = ("sync", "export", "import", "digest", "alerts", "backfill", "report", "enrich")
_STEPS = ("fetch", "transform", "upsert", "notify", "paginate", "validate", "load", "webhook")
_HOSTS = ("api.hubapi.com", "slack.com", "api.stripe.com", "sheets.googleapis.com", "api.x.io")

_INFO = (
    "run {run} started (trigger: schedule)",
    "step {step} completed in {n} ms",
    "synced {n} records in {ms} ms",
    "fetched page {small} of {n} from {host}",
    "webhook received: {n} bytes",
    "upserted {n} rows into {table}",
    "run {run} finished: success ({ms} ms)",
)
_WARN = (
    "retrying request to {host} (attempt {small} of 5)",
    "slow response from {host}: {ms} ms",
    "rate limit at {pct}% of quota",
    "skipped {small} records with empty email",
)
_ERRORS = (
    "Request failed with status code 429 (Too Many Requests) calling {host}",
    "Slack API error: ratelimited, retry after {small}s (channel C{hex})",
    "INVALID_SESSION_ID: Session expired or invalid (user 005{hex})",
    "401 Unauthorized: invalid API key provided: sk_live_****{hex4}",
    "OPENAI_API_KEY is not set",
    "connect ECONNREFUSED {ip}:{port}",
    "ETIMEDOUT: connect timed out after {ms} ms to {host}",
    "canceling statement due to statement timeout after {ms} ms",
    "psycopg2.errors.DeadlockDetected: deadlock detected (process {n})",
    "No such customer: 'cus_{hex}'",
    "Record {hex} not found in table {table}",
    "KeyError: 'email'",
    "Unable to parse range: 'Sales{small}'!A1:Z (sheet {hex})",
    'invalid input syntax for type integer: "{word}"',
    "POST https://{host}/v1/objects/{hex} returned HTTP 503 Service Unavailable",
    "upstream returned 502 Bad Gateway for GET /api/v2/items?page={small}",
    "Error: getaddrinfo ENOTFOUND {host}",
    "Forbidden: user {n} lacks permission 'write' on board {hex}",
    "JSONDecodeError: Expecting value: line 1 column {small} (char {n})",
    "Spreadsheet {hex} has no sheet named 'Q{small} report'",
    "TypeError: Cannot read properties of undefined (reading 'id') at step {step}",
    "Disk quota exceeded while writing /tmp/export_{n}.csv",
    # Wordings no rule knows: left to the learned fallback (or UNCLASSIFIED).
    "widget reconciliation mismatch: expected {n} got {small}",
    "the flux capacitor for batch {n} is sad",
)
_TRACEBACK = (
    "Traceback (most recent call last):",
    '  File "/app/flows/{step}.py", line {small}, in run',
    "    result = handler(payload)",
    "ValueError: invalid literal for int() with base 10: '{word}'",
)
_WORDS = ("abc", "n/a", "twelve", "-", "null", "1,200", "TBD")
_TABLES = ("contacts", "orders", "invoices", "deals", "events", "users")
_PY_LEVELS = {"info": "INFO", "warn": "WARNING", "error": "ERROR"}
_PINO_LEVELS = {"info": 30, "warn": 40, "error": 50}


class _Fleet:
    """Random values and line formats for one generated log."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.workflows = [f"{p}_{a}_{k}" for p in _PLATFORMS for k, a in enumerate(_ACTIONS[:10])]
        self.workflows += [f"{p}_flow_{k}" for p in _PLATFORMS for k in range(2)]
        self.epoch_ms = 1_793_000_000_000  # late October 2026

    def values(self) -> dict[str, object]:
        rng = self.rng
        return {
            "run": f"run_{rng.getrandbits(32):08x}",
            "step": rng.choice(_STEPS),
            "n": rng.randint(1, 999_999),
            "ms": rng.randint(5, 90_000),
            "small": rng.randint(1, 250),
            "pct": rng.randint(80, 99),
            "ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "port": rng.choice((5432, 3306, 6379, 443, 8080)),
            "host": rng.choice(_HOSTS),
            "hex": f"{rng.getrandbits(48):012x}",
            "hex4": f"{rng.getrandbits(16):04x}",
            "word": rng.choice(_WORDS),
            "table": rng.choice(_TABLES),
        }

    def line(self, level: str, message: str, workflow: str, run: str) -> str:
        """``message`` written in one of the five formats (see WORKFLOW_LOG_MIX)."""
        self.epoch_ms += self.rng.randint(0, 40)
        millis = self.epoch_ms
        pick = self.rng.random()
        if pick < 0.30:
            return f"{_iso(millis)} {level.upper()} [{workflow}] {message}"
        if pick < 0.50:
            stamp = _iso(millis).replace("T", " ").replace(".", ",").rstrip("Z")
            return (
                f"{stamp} - flowrunner.{workflow.split('_')[0]} - {_PY_LEVELS[level]} - {message}"
            )
        if pick < 0.65:
            quoted = json.dumps(message)
            return f"time={_iso(millis)} level={level} workflow={workflow} run={run} msg={quoted}"
        if pick < 0.90:
            record = {"level": _PINO_LEVELS[level], "time": millis, "pid": 7}
            record |= {"workflow_id": workflow, "run_id": run, "msg": message}
            return json.dumps(record, separators=(",", ":"))
        n8n: dict[str, object] = {"level": level, "timestamp": _iso(millis)}
        n8n["workflow"] = {"id": workflow, "name": workflow.replace("_", " ")}
        n8n["executionId"] = run
        if level == "error":
            n8n |= {"message": "Workflow execution failed", "error": {"message": message}}
        else:
            n8n["message"] = message
        return json.dumps(n8n, separators=(",", ":"))


def _iso(millis: int) -> str:
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def generate_workflow_log(
    path: Path,
    lines: int,
    *,
    error_share: float,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write exactly ``lines`` lines of a fleet's log (see WORKFLOW_LOG_MIX); returns the count.

    ``progress`` is called with the lines written so far, every 100,000 lines.
    """
    fleet = _Fleet(seed)
    written = 0
    with path.open("w") as out:
        while written < lines:
            chunk: list[str] = []
            while len(chunk) < 10_000 and written + len(chunk) < lines:
                chunk += _event(fleet, error_share)
            del chunk[lines - written :]
            out.write("\n".join(chunk) + "\n")
            before, written = written, written + len(chunk)
            if progress is not None and before // 100_000 != written // 100_000:
                progress(written)
    return written


def _event(fleet: _Fleet, error_share: float) -> list[str]:
    """One event's lines: a line, or an error line and its traceback."""
    rng = fleet.rng
    workflow = rng.choice(fleet.workflows)
    values = fleet.values()
    run = str(values["run"])
    draw = rng.random()
    if draw < error_share:
        if rng.random() < 0.05:
            first, *rest = (part.format(**values) for part in _TRACEBACK)
            return [fleet.line("error", rest[-1], workflow, run), first, *rest]
        return [fleet.line("error", rng.choice(_ERRORS).format(**values), workflow, run)]
    if draw < error_share + (1 - error_share) / 9:
        return [fleet.line("warn", rng.choice(_WARN).format(**values), workflow, run)]
    return [fleet.line("info", rng.choice(_INFO).format(**values), workflow, run)]


# --- measuring a child process --------------------------------------------------------------


def run_measured(cmd: list[str], stdout: Path | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in KiB and exit code of one child process.

    The peak is the larger of the kernel's figure for the child (``wait4``: the child or its
    largest waited-for descendant) and the largest sum over the child's process tree seen by
    sampling ``/proc`` every 20 ms, so a command that runs a worker process is not flattered.
    """
    start = time.perf_counter()
    sink = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL)
    sampler = _TreeRss(proc.pid)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout is not None:
        sink.close()  # type: ignore[union-attr]
    return elapsed, max(usage.ru_maxrss, sampler.peak_kib), proc.returncode


class _TreeRss(threading.Thread):
    """Samples the summed RSS of a process and its descendants (Linux ``/proc``; else 0)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.02):
            self.peak_kib = max(self.peak_kib, sum(map(_rss_kib, _tree(self.pid))))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo += map(int, children)
    return pids


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def diagnose_command(path: Path) -> list[str]:
    """The installed CLI on ``path``, JSON output, no progress bar."""
    return [
        sys.executable,
        "-m",
        "flowdoctor",
        "diagnose",
        str(path),
        "--format",
        "json",
        "--no-progress",
    ]
