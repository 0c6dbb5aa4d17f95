"""Real receivers on 127.0.0.1 for notification tests: an HTTP server that records JSON posts
and answers with a programmable status, and an SMTP server (aiosmtpd) that records mail."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


@dataclass
class Received:
    """One request the HTTP receiver took."""

    path: str
    headers: dict[str, str]
    body: Any
    answered: int


@dataclass
class HttpReceiver:
    """Records every POST. ``status`` is the answer (200 unless changed); ``stop`` closes the
    port (connections are refused) and ``start`` opens the same port again."""

    status: int = 200
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                with receiver._lock:
                    status = receiver.status
                    receiver.requests.append(
                        Received(self.path, dict(self.headers), json.loads(raw or b"null"), status)
                    )
                body = b'{"status":"ok"}' if status < 300 else b"no thanks"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def delivered(self) -> list[Received]:
        """Requests answered with a 2xx."""
        with self._lock:
            return [r for r in self.requests if 200 <= r.answered < 300]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (closed again at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _MailHandler:
    def __init__(self, sink: SmtpReceiver) -> None:
        self._sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self._sink.refuse_with:
            return self._sink.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._sink.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@dataclass
class SmtpReceiver:
    """An SMTP server on 127.0.0.1; ``refuse_with`` (e.g. ``"550 no such user"``) refuses every
    recipient."""

    refuse_with: str | None = None
    tls: ssl.SSLContext | None = None
    """With a server context, STARTTLS is required and AUTH (any password but "wrong") offered."""
    port: int = 0
    mails: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    _controller: Controller | None = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        # handled=False: aiosmtpd then answers 535 itself (handled=True would leave it silent).
        return AuthResult(success=password != "wrong", handled=False)

    def start(self) -> SmtpReceiver:
        # aiosmtpd checks its server by connecting to the port it was given, so it needs a real
        # one: ask the OS for a free port first.
        self.port = free_port()
        tls: dict[str, Any] = {}
        if self.tls is not None:
            tls = {
                "tls_context": self.tls,
                "require_starttls": True,
                "authenticator": self._authenticate,
            }
        self._controller = Controller(
            _MailHandler(self), hostname="127.0.0.1", port=self.port, **tls
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def parsed(self) -> list[Message]:
        return [message_from_bytes(content) for _, _, content in self.mails]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
