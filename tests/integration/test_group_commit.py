"""Group commit and the fast run-insert path, on a real SQLite file and on PostgreSQL.

Concurrent batches share transactions but each caller still gets its own result or its own error,
a failing batch takes nobody else's rows with it, and rows written through the prepared INSERTs
are stored exactly as SQLAlchemy's ``UTCDateTime`` columns store them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, text

from flowdoctor.domain import RunEvent, RunStatus
from flowdoctor.errors import InputError
from flowdoctor.monitor.group_commit import GroupCommit
from flowdoctor.store import Database, Store, tables

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class CountingDatabase(Database):
    """A real database that counts the write transactions it opens and can hold the first one
    open until told, so that the writes behind it queue up into one group."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.write_transactions = 0
        self.first_started = threading.Event()
        self.release_first = threading.Event()

    @contextmanager
    def write_transaction(self) -> Iterator[Store]:
        self.write_transactions += 1
        if self.write_transactions == 1:
            self.first_started.set()
            assert self.release_first.wait(30)
        with super().write_transaction() as store:
            yield store


def events(prefix: str, n: int = 100, *, started: datetime = NOW) -> list[RunEvent]:
    return [
        RunEvent(
            workflow_id=f"wf_{i % 5}",
            run_id=f"{prefix}-{i}",
            status=RunStatus.FAILURE if i % 7 == 0 else RunStatus.SUCCESS,
            started_at=started + timedelta(seconds=i),
            platform="bench",
            duration_ms=100.0 + i,
            error_message="boom" if i % 7 == 0 else None,
            http_status=500 if i % 7 == 0 else None,
            records_processed=i,
        )
        for i in range(n)
    ]


@pytest.fixture
def counting_db(database_url: str) -> Iterator[CountingDatabase]:
    from flowdoctor.store import upgrade

    db = CountingDatabase(database_url)
    upgrade(db.engine)
    yield db
    db.dispose()


def write(db: Database, batch: list[RunEvent]):  # type: ignore[no-untyped-def]
    rows = db.prepare_runs(batch, NOW)
    return lambda store: store.runs.add_prepared(rows)


def test_concurrent_batches_share_a_transaction_and_each_caller_gets_its_own_count(
    counting_db: CountingDatabase,
) -> None:
    commits = GroupCommit(counting_db)
    results: dict[int, int] = {}
    first = threading.Thread(
        target=lambda: results.__setitem__(0, commits.submit(write(counting_db, events("b0", 3))))
    )
    first.start()
    assert counting_db.first_started.wait(30)  # the first write leads and holds its transaction
    others = [
        threading.Thread(
            target=lambda k=k: results.__setitem__(
                k, commits.submit(write(counting_db, events(f"b{k}", 10 + k)))
            )
        )
        for k in range(1, 9)
    ]
    for t in others:
        t.start()
    while len(commits._queue) < 8:  # all eight wait behind the leader
        threading.Event().wait(0.01)
    counting_db.release_first.set()
    for t in [first, *others]:
        t.join(30)

    assert results == {0: 3, **{k: 10 + k for k in range(1, 9)}}
    assert counting_db.write_transactions == 2  # the leader's, then one for the eight waiting
    with counting_db.transaction() as store:
        assert store.runs.count() == 3 + sum(10 + k for k in range(1, 9))


def test_a_failing_batch_fails_alone_and_the_rest_of_its_group_is_stored(
    counting_db: CountingDatabase,
) -> None:
    commits = GroupCommit(counting_db)
    outcomes: dict[str, object] = {}

    def bad(store: Store) -> int:
        store.runs.add_many(events("bad", 5), ingested_at=NOW)  # written, then rolled back
        raise InputError("this batch is refused")

    def run(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            outcomes[name] = commits.submit(fn)
        except InputError as exc:
            outcomes[name] = exc

    leader = threading.Thread(target=run, args=("lead", write(counting_db, events("lead", 2))))
    leader.start()
    assert counting_db.first_started.wait(30)
    group = [
        threading.Thread(target=run, args=("good1", write(counting_db, events("good1", 4)))),
        threading.Thread(target=run, args=("bad", bad)),
        threading.Thread(target=run, args=("good2", write(counting_db, events("good2", 6)))),
    ]
    for t in group:
        t.start()
    while len(commits._queue) < 3:
        threading.Event().wait(0.01)
    counting_db.release_first.set()
    for t in [leader, *group]:
        t.join(30)

    assert outcomes["lead"] == 2
    assert outcomes["good1"] == 4
    assert outcomes["good2"] == 6
    assert isinstance(outcomes["bad"], InputError)
    with counting_db.transaction() as store:
        stored = {e.run_id.split("-")[0] for e in store.runs.list()}
        assert store.runs.count() == 2 + 4 + 6
    assert stored == {"lead", "good1", "good2"}


def test_many_threads_lose_nothing_and_store_nothing_twice(db: Database) -> None:
    commits = GroupCommit(db, max_group=4)  # a small group size: several leaders take turns
    counts: list[int] = []

    def worker(t: int) -> None:
        for k in range(10):
            counts.append(commits.submit(write(db, events(f"t{t}k{k}", 20))))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert counts == [20] * 120
    with db.transaction() as store:
        runs = store.runs.list()
    assert len(runs) == 12 * 10 * 20
    assert len({r.run_id for r in runs}) == len(runs)


EDGE_TIMES = [
    datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 29, 12, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=-8))),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
]


def test_prepared_rows_store_exactly_what_sqlalchemy_stores(db: Database) -> None:
    """The same events through the fast path and through a plain SQLAlchemy insert: the raw
    column values in the database are identical, and both read back as the same events."""
    fast = [events(f"fast{i}", 1, started=t)[0] for i, t in enumerate(EDGE_TIMES)]
    with db.transaction() as store:
        store.runs.add_many(fast, ingested_at=EDGE_TIMES[4])
    with db.engine.begin() as conn:
        conn.execute(
            insert(tables.runs),
            [
                {
                    "workflow_id": e.workflow_id,
                    "run_id": e.run_id.replace("fast", "core"),
                    "status": e.status.value,
                    "started_at": e.started_at,
                    "platform": e.platform,
                    "duration_ms": e.duration_ms,
                    "error_message": e.error_message,
                    "http_status": e.http_status,
                    "records_processed": e.records_processed,
                    "attempt": e.attempt,
                    "ingested_at": EDGE_TIMES[4],
                }
                for e in fast
            ],
        )
        raw = {
            run_id: (started, ingested)
            for run_id, started, ingested in conn.execute(
                text("SELECT run_id, started_at, ingested_at FROM runs")
            )
        }
    for i in range(len(EDGE_TIMES)):
        assert raw[f"fast{i}-0"] == raw[f"core{i}-0"]
    with db.transaction() as store:
        stored = {e.run_id: e for e in store.runs.list()}
    for i, t in enumerate(EDGE_TIMES):
        assert stored[f"fast{i}-0"].started_at == t
        assert stored[f"fast{i}-0"].started_at.tzinfo is not None
        assert stored[f"fast{i}-0"] == stored[f"core{i}-0"].__class__(
            **{**_fields(stored[f"core{i}-0"]), "run_id": f"fast{i}-0"}
        )


def _fields(event: RunEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in RunEvent.__dataclass_fields__}


def test_a_batch_larger_than_one_statement_is_stored_whole(db: Database) -> None:
    batch = events("big", 1_234)  # three statements of at most 500 rows
    prepared = db.prepare_runs(batch, NOW)
    assert [len(params) for _, params in prepared.statements] == [500 * 13, 500 * 13, 234 * 13]
    with db.transaction() as store:
        assert store.runs.add_prepared(prepared) == 1_234
        assert store.runs.count() == 1_234
        assert {e.run_id for e in store.runs.list()} == {e.run_id for e in batch}


def test_rows_prepared_for_one_database_are_refused_by_another(db: Database) -> None:
    other = "postgresql" if db.dialect == "sqlite" else "sqlite"
    from flowdoctor.store.run_rows import prepare_runs

    prepared = prepare_runs(other, events("x", 2), NOW)
    with pytest.raises(ValueError, match="prepared for"), db.transaction() as store:
        store.runs.add_prepared(prepared)


def test_a_naive_time_is_refused_before_anything_is_written(db: Database) -> None:
    naive = [
        RunEvent(
            workflow_id="wf",
            run_id="n",
            status=RunStatus.SUCCESS,
            started_at=datetime(2026, 1, 1),  # the naive time under test
        )
    ]
    with pytest.raises(ValueError, match="naive datetime"):
        db.prepare_runs(naive, NOW)
    with db.transaction() as store:
        assert list(store.runs.list()) == []
