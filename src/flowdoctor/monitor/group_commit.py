"""Group commit: the batches that concurrent requests bring in are written in one transaction.

A commit, not the rows, is what a small write costs: SQLite writes the changed pages to its log
and takes its single writer lock for each one, PostgreSQL flushes its log. When requests arrive
together, the first to find no write in progress becomes the leader: it takes every write waiting
at that moment (its own included), runs them in one transaction and commits, then wakes the
others. Writes that arrive meanwhile wait for the next group, whose leader is one of them.

Nothing changes for a caller: ``submit`` returns only after its rows are committed (so an
acknowledgement still means stored), and one write's failure is that write's alone: when a group's
transaction fails, it is rolled back and each write is retried in a transaction of its own, so a
batch is still all or nothing and a bad batch never takes a good one down with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from flowdoctor.store import Database, Store

T = TypeVar("T")

MAX_GROUP = 64
"""Writes per transaction at most: bounds how long one commit holds the writer lock."""


class _Pending(Generic[T]):
    __slots__ = ("done", "error", "result", "wake", "write")

    def __init__(self, write: Callable[[Store], T]) -> None:
        self.write = write
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None
        # Held from birth: its submitter sleeps acquiring it until a leader releases it, either
        # with the write done or to make it lead the next group. One waiter woken per release,
        # not every waiter on every commit.
        self.wake = threading.Lock()
        self.wake.acquire()


_Outcome = tuple["_Pending[object]", object, BaseException | None]


class GroupCommit:
    """Runs writes (functions of a ``Store``) with every other write waiting at the same time."""

    def __init__(self, db: Database, *, max_group: int = MAX_GROUP) -> None:
        self._db = db
        self._max_group = max_group
        self._mutex = threading.Lock()
        self._queue: list[_Pending[object]] = []
        self._writing = False

    def submit(self, write: Callable[[Store], T]) -> T:
        """Run ``write`` in a committed transaction; return its result or raise its error."""
        mine: _Pending[T] = _Pending(write)
        with self._mutex:
            self._queue.append(mine)  # type: ignore[arg-type]
            follow = self._writing
            self._writing = True
        if follow:
            mine.wake.acquire()
        if not mine.done:
            # Leading: nobody was writing, or the last leader handed over. Either way this write
            # is the oldest waiting, so it is in the group taken now.
            self._lead()
        if mine.error is not None:
            raise mine.error
        return mine.result  # type: ignore[return-value]

    def _lead(self) -> None:
        with self._mutex:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
        outcomes: list[_Outcome] = []
        try:
            outcomes = self._write_group(group)
        finally:
            with self._mutex:
                if not outcomes:  # interrupted before any outcome: fail the group, not hang it
                    outcomes = [(p, None, RuntimeError("write interrupted")) for p in group]
                for pending, result, error in outcomes:
                    pending.result, pending.error, pending.done = result, error, True
                    if pending.wake.locked():
                        pending.wake.release()
                if self._queue:
                    self._queue[0].wake.release()  # the oldest waiting write leads next
                else:
                    self._writing = False

    def _write_group(self, group: list[_Pending[object]]) -> list[_Outcome]:
        try:
            with self._db.write_transaction() as store:
                results = [p.write(store) for p in group]
        except Exception as exc:  # the group is rolled back; each write is retried alone
            if len(group) == 1:
                return [(group[0], None, exc)]
            return [self._write_alone(pending) for pending in group]
        return [(p, r, None) for p, r in zip(group, results, strict=True)]

    def _write_alone(self, pending: _Pending[object]) -> _Outcome:
        try:
            with self._db.write_transaction() as store:
                return (pending, pending.write(store), None)
        except Exception as exc:  # handed to the caller that submitted it
            return (pending, None, exc)
