"""Real servers for the integration tests: an app served by uvicorn on loopback, and polling."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

DEADLINE_SECONDS = 30.0


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(
    what: str,
    probe: Callable[[], bool],
    on_timeout: Callable[[], str] = lambda: "",
    *,
    seconds: float = DEADLINE_SECONDS,
) -> None:
    """Poll ``probe`` until it is true; fail saying ``what`` did not happen, with diagnostics."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds:.0f} s\n{on_timeout()}")


@contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 on a port the kernel picked; yields host:port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # bound before uvicorn starts: no race for the port
    address = f"127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for("uvicorn did not start", lambda: server.started or not thread.is_alive())
        assert server.started, "uvicorn stopped before it started serving"
        yield address
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
