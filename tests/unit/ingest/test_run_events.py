"""Run events are validated strictly, and every error names the field and the event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flowdoctor.domain import RunStatus
from flowdoctor.errors import InputError
from flowdoctor.ingest import parse_run_event, parse_run_events

GOOD: dict[str, object] = {
    "workflow_id": "invoice-sync",
    "run_id": "r-1",
    "status": "failure",
    "started_at": "2024-01-02T03:04:05Z",
}


def _event(**changes: object) -> dict[str, object]:
    return {**GOOD, **changes}


def test_minimal_event() -> None:
    event = parse_run_event(GOOD)
    assert event.workflow_id == "invoice-sync"
    assert event.status is RunStatus.FAILURE
    assert event.started_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert event.attempt == 1
    assert event.failed


def test_all_optional_fields() -> None:
    event = parse_run_event(
        _event(
            step="fetch",
            platform="stripe",
            duration_ms=1250,
            error_message="card declined",
            error_code=402,
            http_status=402,
            records_processed=0,
            attempt=3,
        )
    )
    assert event.duration_ms == 1250.0
    assert isinstance(event.duration_ms, float)
    assert event.error_code == "402"
    assert (event.http_status, event.records_processed, event.attempt) == (402, 0, 3)


@pytest.mark.parametrize(
    ("spelling", "status"),
    [
        ("succeeded", RunStatus.SUCCESS),
        ("OK", RunStatus.SUCCESS),
        ("Completed", RunStatus.SUCCESS),
        ("failed", RunStatus.FAILURE),
        ("error", RunStatus.FAILURE),
        ("timed-out", RunStatus.FAILURE),
        ("in progress", RunStatus.RUNNING),
        ("canceled", RunStatus.CANCELLED),
        ("skipped", RunStatus.SKIPPED),
    ],
)
def test_status_synonyms(spelling: str, status: RunStatus) -> None:
    assert parse_run_event(_event(status=spelling)).status is status


@pytest.mark.parametrize(
    ("started_at", "expected"),
    [
        (1704164645, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (1704164645123, datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
        (1704164645.5, datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
        ("2024-01-02 04:04:05+01:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_started_at_forms_are_utc_aware(started_at: object, expected: datetime) -> None:
    moment = parse_run_event(_event(started_at=started_at)).started_at
    assert moment == expected
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"workflow_id": None}, "workflow_id", "is required"),
        ({"run_id": "   "}, "run_id", "non-empty string"),
        ({"run_id": 17}, "run_id", "non-empty string"),
        ({"run_id": "r" * 201}, "run_id", "longer than 200"),
        ({"status": "exploded"}, "status", "must be one of success"),
        ({"status": 1}, "status", "must be one of"),
        ({"started_at": "yesterday"}, "started_at", "ISO-8601"),
        ({"started_at": float("nan")}, "started_at", "ISO-8601"),
        ({"started_at": True}, "started_at", "ISO-8601"),
        ({"duration_ms": float("nan")}, "duration_ms", "finite number"),
        ({"duration_ms": float("inf")}, "duration_ms", "finite number"),
        ({"duration_ms": -1}, "duration_ms", "negative"),
        ({"duration_ms": True}, "duration_ms", "finite number"),
        ({"duration_ms": "100"}, "duration_ms", "finite number"),
        ({"duration_ms": 10**400}, "duration_ms", "finite number"),
        ({"http_status": 700}, "http_status", "between 100 and 599"),
        ({"http_status": 503.0}, "http_status", "integer"),
        ({"http_status": True}, "http_status", "integer"),
        ({"records_processed": -1}, "records_processed", "at least 0"),
        ({"attempt": 0}, "attempt", "at least 1"),
        ({"step": 5}, "step", "must be a string"),
        ({"error_code": 1.5}, "error_code", "must be a string"),
        ({"error_code": 10**30}, "error_code", "too large"),
    ],
)
def test_errors_name_the_field(changes: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as caught:
        parse_run_event(_event(**changes), index=3)
    assert caught.value.field == f"events[3].{field}"
    assert str(caught.value).startswith(f"events[3].{field} ")


def test_without_index_the_field_is_named_on_event() -> None:
    with pytest.raises(InputError) as caught:
        parse_run_event(_event(status="nope"))
    assert caught.value.field == "event.status"


def test_not_a_mapping() -> None:
    with pytest.raises(InputError) as caught:
        parse_run_event(["not", "a", "dict"], index=0)  # type: ignore[arg-type]
    assert caught.value.field == "events[0]"


def test_error_message_is_cut_not_refused() -> None:
    event = parse_run_event(_event(error_message="x" * 20_000))
    assert event.error_message is not None
    assert len(event.error_message) == 10_000


def test_unknown_keys_are_ignored() -> None:
    assert parse_run_event(_event(zap_name="Invoices", custom={"a": 1})).run_id == "r-1"


def test_batch_is_all_or_nothing_and_names_the_bad_index() -> None:
    good = [_event(run_id=f"r-{i}") for i in range(5)]
    assert [e.run_id for e in parse_run_events(good)] == [f"r-{i}" for i in range(5)]
    bad = [*good[:3], _event(started_at=float("nan")), *good[3:]]
    with pytest.raises(InputError) as caught:
        parse_run_events(bad)
    assert caught.value.field == "events[3].started_at"
