"""``flowdoctor serve --workers N``: N uvicorn worker processes on one listening socket."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def serve_workers(*, host: str, port: int, workers: int, log_level: str) -> None:
    """Serve until stopped (what ``uvicorn.run(..., workers=N)`` does, on ``tcp_listener``); each
    worker builds its app with ``flowdoctor.api.app:worker_app``."""
    config = uvicorn.Config(
        "flowdoctor.api.app:worker_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
    )
    sock = tcp_listener(config)
    try:
        supervisor = Multiprocess(config, sockets=[sock])
    except TypeError:  # uvicorn < 0.51 takes the workers' target too
        run = uvicorn.Server(config).run
        supervisor = Multiprocess(config, target=run, sockets=[sock])  # type: ignore[call-arg]
    try:
        supervisor.run()
    finally:
        sock.close()


def tcp_listener(config: uvicorn.Config) -> socket.socket:
    """uvicorn's bound socket, saying its protocol. uvicorn leaves it 0, and asyncio sets
    TCP_NODELAY only on connections of an IPPROTO_TCP socket: without it every keep-alive request
    after the first waits ~40 ms for the client's delayed ACK (uvicorn issue 3149)."""
    bound = config.bind_socket()
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, bound.detach())
