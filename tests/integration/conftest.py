"""Fixtures of the integration tests: a migrated database of its own, and real receivers on
loopback for notifications (HTTP and SMTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flowdoctor.store import Database
from support.notify import migrated
from support.receivers import HttpReceiver, SmtpReceiver


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = migrated(database_url)
    yield database
    database.dispose()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server = HttpReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    server = SmtpReceiver().start()
    yield server
    server.stop()
