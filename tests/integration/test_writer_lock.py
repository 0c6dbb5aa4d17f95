"""The SQLite writer lock: exclusive across processes (including a forked child, which must not
share its parent's lock) and across threads, and absent where it has no meaning."""

from __future__ import annotations

import os
import threading
import time
from contextlib import nullcontext
from pathlib import Path

import pytest

from flowdoctor.store import Database, upgrade
from flowdoctor.store.writer_lock import FileWriterLock, writer_lock_for


def test_a_sqlite_file_gets_a_lock_beside_it(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/flow.db")
    try:
        upgrade(db.engine)
        lock = writer_lock_for(db.engine)
        assert isinstance(lock, FileWriterLock)
        assert lock.path == tmp_path / "flow.db-writer.lock"
        with db.write_transaction() as store:
            assert store.runs.count() == 0
    finally:
        db.dispose()
    assert (tmp_path / "flow.db-writer.lock").exists()


def test_memory_and_postgresql_need_no_lock(pg_url: str) -> None:
    memory = Database("sqlite:///:memory:")
    postgres = Database(pg_url)
    try:
        assert isinstance(writer_lock_for(memory.engine), nullcontext)
        assert isinstance(writer_lock_for(postgres.engine), nullcontext)
    finally:
        memory.dispose()
        postgres.dispose()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_waits_for_its_parent(tmp_path: Path) -> None:
    lock = FileWriterLock(tmp_path / "w.lock")
    log = tmp_path / "order"
    with lock:  # opens the parent's descriptor, which the child inherits
        pass
    go_r, go_w = os.pipe()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its inherited descriptor must not carry the parent's lock
        try:
            assert os.read(go_r, 1) == b"g"  # the parent holds the lock now
            os.write(ready_w, b"x")
            with lock, log.open("a") as f:
                f.write("child\n")
        finally:
            os._exit(0)
    with lock:
        os.write(go_w, b"g")
        assert os.read(ready_r, 1) == b"x"
        time.sleep(0.3)  # ample time for the child to get in, were it not kept out
        with log.open("a") as f:
            f.write("parent releases\n")
    _, status = os.waitpid(pid, 0)
    assert status == 0
    assert log.read_text().splitlines() == ["parent releases", "child"]


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    lock = FileWriterLock(tmp_path / "w.lock")
    inside = 0
    most = 0
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(50):
            with lock:
                with guard:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0005)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert most == 1


def test_an_unwritable_folder_leaves_locking_to_sqlite(tmp_path: Path) -> None:
    lock = FileWriterLock(tmp_path / "missing" / "w.lock")
    with lock:  # no file can be made there: still exclusive within the process, no error
        assert lock._mutex.locked()
    assert not lock._mutex.locked()
