"""A lock that queues SQLite writers across threads and processes.

SQLite has one writer at a time. A writer that finds the lock taken does not queue: its busy
handler sleeps and tries again, at intervals growing to 100 ms, so under steady concurrent writes
time is lost sleeping while the lock is free. An exclusive ``flock`` on a file beside the database
makes writers wait in the kernel instead and wakes the next one when the holder lets go.

It is advisory: a process that does not take it (an older flowdoctor, the ``sqlite3`` shell)
still writes correctly, falling back on SQLite's own lock and busy handler.
"""

from __future__ import annotations

import os
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's own locking alone
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine


class FileWriterLock:
    """Exclusive across the threads of this process (a mutex) and across processes (``flock`` on
    ``path``, opened once per process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mutex = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self) -> None:
        self._mutex.acquire()
        try:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._mutex.release()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._mutex.release()

    def _file(self) -> int | None:
        # A descriptor inherited through fork shares its lock with the parent: open our own.
        if self._fd is None or self._pid != os.getpid():
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a folder we cannot write: SQLite will say so when it writes
                return None
            self._pid = os.getpid()
        return self._fd


def writer_lock_for(engine: Engine) -> AbstractContextManager[None]:
    """The writer lock of a SQLite file database; no lock for anything else."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or fcntl is None or not database or database == ":memory:":
        return nullcontext()
    return FileWriterLock(
        Path(database).expanduser().with_name(Path(database).name + "-writer.lock")
    )
