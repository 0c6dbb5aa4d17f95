"""Schemathesis against flowdoctor's own OpenAPI document, in process over ASGI (no network), on a
real SQLite file and on PostgreSQL: generated requests, valid and invalid, to every operation,
and not one answer may be a 5xx, off its documented schema or of an undocumented content type.

The database is seeded first (runs, logs, samples, a change event, two sessions, a rule with the
alert it fired, an Alertmanager alert, a silence, a loopback channel and the notification queued
for it), and every operation with an id in its path is also run against the seeded ids, so reads,
updates and deletes of things that exist are exercised, not only the 404 path.

Beyond the document, every 4xx must be the problem details ``flowdoctor.api.errors`` promises:
``application/problem+json`` whose ``status`` is the response's and whose ``detail`` says what
is wrong.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from flowdoctor.api.app import create_app
from flowdoctor.clock import FixedClock
from flowdoctor.domain import ChangeEvent, ChangeKind, Matcher, MetricSample, RunEvent, RunStatus
from flowdoctor.domain.access import Scope
from flowdoctor.ingest import records_from_strings
from flowdoctor.monitor.alertmanager import IncomingAlert
from flowdoctor.runtime import Runtime

MIN_REQUESTS = 2000
"""Generated requests each database must answer, at the least."""

POSITIVE_EXAMPLES = 40
NEGATIVE_EXAMPLES = 30
"""Hypothesis ``max_examples`` per operation and pass (an operation with fewer distinct inputs,
such as ``GET /healthz``, runs each of them once)."""

REQUEST_TIMEOUT = 60.0
"""Seconds one in-process request may take before it counts as hung (generous: CI machines are
shared, and the point is to catch a request that never ends, not to time one)."""

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

PROBLEM_JSON = "application/problem+json"
SEEDED_WORKFLOW = "sf_sync"
LOOPBACK_CHANNEL_URL = "json+http://127.0.0.1:9/x"
"""Port 9 (discard) on loopback refuses at once: a channel test never leaves the machine."""

# The seeded pass runs reads first and deletes last, so each operation meets the seeded rows;
# in particular ``POST /channels/{id}/test`` runs before any PATCH could point the seeded channel
# somewhere other than loopback.
_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


@dataclass(frozen=True)
class KnownBug:
    """A server bug the run can meet, pinned by a strict-xfail test in ``test_bad_input.py``.
    Failures of an operation matching ``operations`` whose report holds ``signature`` are
    counted and shown, not failed on; the entry goes when its pinning test stops failing."""

    operations: str
    """A regular expression searched in the operation's label (``POST /api/...``)."""
    signature: str
    pinned_by: str


KNOWN_BUGS: tuple[KnownBug, ...] = ()
"""None today: every bug this run found is fixed and kept as a regression in
``test_bad_input.py``. A new one goes here, with the strict xfail pinning it, until its fix."""


def _known_bug(label: str, failure: str) -> KnownBug | None:
    for bug in KNOWN_BUGS:
        if bug.signature in failure and re.search(bug.operations, label):
            return bug
    return None


def _no_key(_runtime: Runtime) -> dict[str, str]:
    return {}


def _admin_key(runtime: Runtime) -> dict[str, str]:
    _, token = runtime.keys.create("schemathesis", Scope.ADMIN)
    return {"Authorization": f"Bearer {token}"}


def _key_missing(runtime: Runtime) -> dict[str, str]:
    runtime.keys.create("someone-else", Scope.ADMIN)  # from now on every request needs a key
    return {}


KEY_MODES = [
    pytest.param(_no_key, id="open-on-loopback"),
    pytest.param(_admin_key, id="with-valid-key"),
    pytest.param(_key_missing, id="without-key-once-one-exists"),
]
"""How the run authenticates: a factory of the headers sent with every request (it may issue a
key on the runtime first)."""


@dataclass
class Tally:
    """What a run sent and what failed, per operation."""

    requests: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    known: Counter[str] = field(default_factory=Counter)
    """Failures that are known bugs, by the test that pins them."""

    @property
    def total(self) -> int:
        return sum(self.requests.values())


@pytest.mark.slow
@pytest.mark.parametrize("key_headers", KEY_MODES)
def test_generated_requests_get_no_server_error_and_match_the_schema(
    runtime: Runtime, clock: FixedClock, key_headers: Callable[[Runtime], dict[str, str]]
) -> None:
    """At least MIN_REQUESTS generated requests per database: no 5xx, every response (2xx and
    problem details alike) on its documented schema and content type.

    ``key_headers`` gives the headers sent with every request: none on an open loopback server, a
    valid admin key, or none once a key exists (every answer but /healthz is then a 401 problem).
    The rate limit is lifted: one key makes thousands of requests in seconds here.
    """
    ids = _seed(runtime, clock)
    headers = key_headers(runtime)
    unlimited = {"rate_limit_per_minute": 10**9, "rate_limit_burst": 10**9}
    app = create_app(replace(runtime, settings=runtime.settings.model_copy(update=unlimited)))
    # Once a key exists the document needs one too, even where the run then sends none.
    loading = dict(headers)
    if not loading and runtime.keys.any_issued():
        loading["Authorization"] = f"Bearer {runtime.keys.create('reader', Scope.READ)[1]}"
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=loading)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40, [op.label for op in operations]

    tally = Tally()
    started = time.monotonic()
    for operation in operations:  # ids the generator makes up: mostly 404s and 422s
        _run(operation, tally, headers, path_parameters=None)
    # Operations whose ids the seeding cannot make (one added since) get the generated pass only.
    seeded = [op for op in operations if op.path_parameters and _names_in(op) <= ids.keys()]
    for operation in sorted(seeded, key=lambda op: _METHOD_ORDER[op.method.upper()]):
        known = {p.name: ids[p.name] for p in operation.path_parameters}
        _run(operation, tally, headers, path_parameters=known)
    elapsed = time.monotonic() - started

    url = runtime.settings.database_url.split(":", 1)[0]
    unseeded = [op.label for op in operations if op.path_parameters and op not in seeded]
    print(
        f"\nschemathesis on {url}: {tally.total} requests to {len(tally.requests)} operations "
        f"in {elapsed:.1f}s" + (f"; no seeded ids for {unseeded}" if unseeded else "")
    )
    for pinned_by, count in sorted(tally.known.items()):
        print(f"  {count} requests met the known bug pinned by {pinned_by}")
    assert not tally.failures, "\n\n".join(tally.failures[:20])
    assert tally.total >= MIN_REQUESTS, tally.requests.most_common()
    untested = [op.label for op in operations if tally.requests[op.label] == 0]
    assert not untested, untested


def _names_in(operation: Any) -> set[str]:
    return {p.name for p in operation.path_parameters}


def _run(
    operation: Any,
    tally: Tally,
    headers: dict[str, str],
    *,
    path_parameters: dict[str, Any] | None,
) -> None:
    """Generate and send requests to one operation, positive then negative, counting each."""
    modes = [(GenerationMode.POSITIVE, POSITIVE_EXAMPLES)]
    if _has_invalid_inputs(operation, fixed_path=path_parameters is not None):
        modes.append((GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES))
    for mode, examples in modes:
        _fuzz(operation, mode, examples, tally, headers, path_parameters=path_parameters)


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    tally: Tally,
    headers: dict[str, str],
    *,
    path_parameters: dict[str, Any] | None,
) -> None:
    """Up to ``examples`` generated requests in one mode, each sent, checked and counted."""
    where = f"{mode.value}, {'seeded ids' if path_parameters else 'generated ids'}"

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def send(case: Case) -> None:
        tally.requests[operation.label] += 1
        failure = _call_and_check(case, headers)
        if failure is None:
            return
        bug = _known_bug(operation.label, failure)
        if bug is not None:
            tally.known[bug.pinned_by] += 1
            return
        tally.failures.append(f"{operation.label} ({where}):\n{failure}")

    send()


def _call_and_check(case: Case, headers: dict[str, str]) -> str | None:
    """Send one case and run the checks; a description of what failed, or None."""
    try:
        response = case.call(headers=headers, timeout=REQUEST_TIMEOUT)
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a FailureGroup
        # An exception the app let out (ASGI re-raises it after the 500) carries the request
        # as a curl command in its notes.
        notes = "\n".join(getattr(exc, "__notes__", []))
        return f"{type(exc).__name__}: {str(exc)[:1500]}\n{notes[:1500]}".strip()
    problem = _not_a_problem(response)
    if problem is not None:
        return f"{problem}\n{case.as_curl_command(headers=headers)}"
    return None


def _not_a_problem(response: Any) -> str | None:
    """Why a 4xx answer is not the problem details the API promises, or None."""
    if response.status_code < 400:
        return None
    ctype = next((v[0] for k, v in response.headers.items() if k.lower() == "content-type"), "")
    if not ctype.startswith(PROBLEM_JSON):
        return f"{response.status_code} as {ctype!r}, not {PROBLEM_JSON}"
    body = response.json()
    if not (
        isinstance(body, dict)
        and body.get("status") == response.status_code
        and str(body.get("type", "")).startswith("/problems/")
        and isinstance(body.get("detail"), str)
        and body["detail"].strip()
    ):
        return f"{response.status_code} with a body that is no problem: {response.text[:300]}"
    return None


def _has_invalid_inputs(operation: Any, *, fixed_path: bool) -> bool:
    """Whether negative generation can produce anything for the operation: a body, a query
    parameter, or a path parameter that not every string satisfies."""
    if operation.body or operation.query:
        return True
    if fixed_path:
        return False
    return not all(_any_string(p.definition.get("schema", {})) for p in operation.path_parameters)


def _any_string(schema: dict[str, Any]) -> bool:
    """Whether every string satisfies ``schema`` (FastAPI gives each parameter a title)."""
    return schema.get("type") == "string" and set(schema) <= {"type", "title", "description"}


# -- the document ----------------------------------------------------------------------------


def _error_responses(document: dict[str, Any]) -> list[tuple[str, str, str, list[str]]]:
    """``(method, path, status, media types)`` of every documented 4xx response."""
    return [
        (method.upper(), path, status, sorted(response.get("content", {})))
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status.startswith("4")
    ]


def test_the_document_describes_errors_as_problem_details(runtime: Runtime) -> None:
    """Every 4xx the document lists is problem+json (it once listed FastAPI's 422 as
    ``application/json`` with an ``HTTPValidationError`` body the API never sends)."""
    document = create_app(runtime).openapi()
    errors = _error_responses(document)
    assert errors
    wrong = [e for e in errors if e[3] != [PROBLEM_JSON]]
    assert not wrong, wrong[:5]


# -- seeding ------------------------------------------------------------------------------------


def _seed(runtime: Runtime, clock: FixedClock) -> dict[str, Any]:
    """Data of every kind, and the ids the seeded pass puts in paths."""
    now = clock.now()
    runtime.intake.add_runs(
        [
            RunEvent(
                SEEDED_WORKFLOW,
                f"run-{i}",
                RunStatus.FAILURE if i % 2 else RunStatus.SUCCESS,
                now - timedelta(minutes=i),
                platform="salesforce",
                duration_ms=200.0 + i,
                error_message="INVALID_SESSION_ID: Session expired or invalid" if i % 2 else None,
                http_status=401 if i % 2 else 200,
            )
            for i in range(12)
        ]
    )
    logs = [
        "2026-11-27 11:58:00,001 ERROR INVALID_SESSION_ID: Session expired or invalid",
        '{"level": "error", "msg": "connect ECONNREFUSED 10.0.0.7:443", "statusCode": 503}',
        "2026-11-27 11:59:00,001 WARN retrying in 5s",
    ]
    runtime.intake.add_logs(list(records_from_strings(logs)), workflow_id=SEEDED_WORKFLOW)
    runtime.intake.add_metrics(
        [
            MetricSample(SEEDED_WORKFLOW, "queue_depth", float(i), now - timedelta(minutes=i))
            for i in range(5)
        ]
    )
    change = runtime.changes.record_many(
        [
            ChangeEvent(
                event_id="",
                occurred_at=now - timedelta(hours=1),
                kind=ChangeKind.CREDENTIAL_ROTATED,
                description="rotated the Salesforce credentials",
                workflow_id=SEEDED_WORKFLOW,
                author="ana",
            )
        ]
    ).events[0]

    # A resolved, verified session first, so the open one has similar past issues to show.
    past = runtime.sessions.start(
        workflow_id=SEEDED_WORKFLOW, error_logs=list(records_from_strings(logs))
    )
    runtime.sessions.analyze(past.session_id, metrics={"error_rate": 0.4})
    runtime.sessions.recommend(past.session_id)
    runtime.sessions.verify(past.session_id, before={"error_rate": 0.4}, after={"error_rate": 0.0})
    session = runtime.sessions.start(
        workflow_id=SEEDED_WORKFLOW, error_logs=list(records_from_strings(logs))
    )

    channel = runtime.channels.create(name="loopback", url=LOOPBACK_CHANNEL_URL)
    rule = runtime.rules.create(
        {
            "name": "sf failing",
            "workflow_id": SEEDED_WORKFLOW,
            "metric_name": "error_rate",
            "condition": "greater_than",
            "threshold": 0.3,
            "severity": "high",
            "labels": {"team": "crm"},
        }
    )
    runtime.evaluator.evaluate_once()  # fires the rule's alert and queues its notification
    runtime.notifications.deliver_due()  # one refused attempt on loopback, logged
    runtime.alertmanager.receive(
        [
            IncomingAlert(
                status="firing",
                labels={"alertname": "SalesforceDown", "severity": "critical"},
                annotations={"summary": "Salesforce API 5xx"},
                starts_at=now - timedelta(minutes=10),
                ends_at=None,
                fingerprint="3f2a1b",
            )
        ]
    )
    silence = runtime.alerts.silence(
        matchers=[Matcher("team", "crm")],
        ends_at=now + timedelta(hours=2),
        reason="credentials being rotated",
        created_by="ana",
    )
    fired = [a for a in runtime.alerts.list(workflow_id=SEEDED_WORKFLOW) if a.rule_id]
    queued = runtime.notifications.list()
    issues = runtime.issues.page(workflow_id=SEEDED_WORKFLOW, limit=1).items
    assert fired and queued and issues, "the seeded rule did not fire and notify, or no issues"
    return {
        "session_id": session.session_id,
        "workflow_id": SEEDED_WORKFLOW,
        "event_id": change.event_id,
        "rule_id": rule.rule_id,
        "fingerprint": fired[0].fingerprint,
        "silence_id": silence.silence_id,
        "channel_id": channel.channel_id,
        "notification_id": queued[0].notification_id,
        "issue_id": issues[0].issue_id,
    }
