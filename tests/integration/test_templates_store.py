"""Recurring-error templates in the store, on SQLite and PostgreSQL: counts accumulate across runs,
first and last seen stay right, and the miner state is versioned JSON or refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from flowdoctor.errors import InputError, StoreError
from flowdoctor.store import Database, upgrade
from flowdoctor.store import tables as t

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
STATE = {"version": 1, "clusters": [{"id": "7", "template": "Read timed out after <NUM> ms"}]}


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


def test_counts_accumulate_across_two_runs_and_seen_times_widen(db: Database) -> None:
    with db.transaction() as store:
        written = store.templates.record(
            "wf",
            [
                ("t1", "Read timed out after <*> ms", 3, T0, T0 + timedelta(hours=1)),
                ("t2", "ECONNREFUSED <IP>", 1, T0, T0),
            ],
        )
    assert written == 2
    with db.transaction() as store:  # a second session, later, that also saw older lines
        store.templates.record(
            "wf",
            [
                ("t1", "Read timed out after <*> <*>", 4, T0 - timedelta(days=1), T0),
                ("t2", "ECONNREFUSED <IP>", 2, T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
            ],
        )
        store.templates.record("other_wf", [("t1", "unrelated", 9, T0, T0)])
    with db.transaction() as store:
        t1, t2 = store.templates.list("wf")
    assert (t1.template_id, t1.occurrences) == ("t1", 7)
    assert t1.template == "Read timed out after <*> <*>"  # the miner's newest generalisation
    assert (t1.first_seen, t1.last_seen) == (T0 - timedelta(days=1), T0 + timedelta(hours=1))
    assert (t2.template_id, t2.occurrences) == ("t2", 3)
    assert (t2.first_seen, t2.last_seen) == (T0, T0 + timedelta(hours=3))
    assert t2.first_seen.tzinfo is not None


def test_repeats_within_one_batch_are_merged(db: Database) -> None:
    with db.transaction() as store:
        written = store.templates.record(
            "wf",
            [
                ("t1", "a <*>", 1, T0, T0),
                ("t1", "a <*> b", 2, T0 - timedelta(minutes=5), T0 + timedelta(minutes=5)),
            ],
        )
        (row,) = store.templates.list("wf")
    assert written == 1
    assert (row.template, row.occurrences) == ("a <*> b", 3)
    assert (row.first_seen, row.last_seen) == (T0 - timedelta(minutes=5), T0 + timedelta(minutes=5))


def test_list_is_most_frequent_first_and_bounded(db: Database) -> None:
    with db.transaction() as store:
        store.templates.record("wf", [(f"t{n}", f"error {n}", n, T0, T0) for n in range(1, 6)])
        assert store.templates.record("wf", []) == 0
        top = store.templates.list("wf", limit=2)
    assert [(r.template_id, r.occurrences) for r in top] == [("t5", 5), ("t4", 4)]


def test_bad_counts_are_refused_and_write_nothing(db: Database) -> None:
    bad = [
        [("t1", "x", 0, T0, T0)],
        [("t1", "x", True, T0, T0)],
        [("t1", "x", 1, T0 + timedelta(seconds=1), T0)],
        [("t1", "x", 1, T0.replace(tzinfo=None), T0)],
    ]
    for counts in bad:
        with pytest.raises(InputError), db.transaction() as store:
            store.templates.record("wf", counts)  # type: ignore[arg-type]
    with db.transaction() as store:
        assert store.templates.list("wf") == []


def test_miner_state_round_trips_and_is_replaced(db: Database) -> None:
    with db.transaction() as store:
        assert store.templates.load_state("wf") is None
        store.templates.save_state("wf", STATE, at=T0)
    newer = {**STATE, "clusters": [*STATE["clusters"], {"id": "8", "template": "b"}]}
    with db.transaction() as store:
        assert store.templates.load_state("wf", for_update=True) == STATE
        store.templates.save_state("wf", newer, at=T0 + timedelta(hours=1))
    with db.transaction() as store:
        assert store.templates.load_state("wf") == newer
        assert store.templates.load_state("other") is None


def test_a_stored_state_of_unknown_version_is_refused(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            insert(t.miner_states).values(
                workflow_id="wf", state={"version": 2}, version=2, updated_at=T0
            )
        )
    with pytest.raises(StoreError, match=r"version 2.*upgrade flowdoctor"), db.transaction() as s:
        s.templates.load_state("wf")


@pytest.mark.parametrize(
    "state",
    [
        {"version": 2, "clusters": []},
        {"clusters": []},
        {"version": True},
        {"version": 1, "clusters": {1: "int keys do not survive JSON"}},
        {"version": 1, "blob": b"\x80\x04pickle"},
        {"version": 1, "x": float("nan")},
        ["version", 1],
    ],
)
def test_a_state_that_is_not_known_plain_json_is_not_saved(db: Database, state: object) -> None:
    with pytest.raises(InputError, match="state"), db.transaction() as store:
        store.templates.save_state("wf", state)  # type: ignore[arg-type]
    with db.transaction() as store:
        assert store.templates.load_state("wf") is None


def test_a_first_state_does_not_overwrite_one_saved_meanwhile(db: Database) -> None:
    with db.transaction() as store:
        store.templates.save_state("wf", STATE, at=T0, replace=False)  # the first: fine
    newer = {**STATE, "clusters": []}
    with pytest.raises(StoreError, match="try again"), db.transaction() as store:
        store.templates.save_state("wf", newer, at=T0, replace=False)
    with db.transaction() as store:
        assert store.templates.load_state("wf") == STATE
