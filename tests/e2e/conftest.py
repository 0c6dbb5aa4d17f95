"""The dashboard in a real browser: Debian's Chromium (``make browser-tools``) driven by
Playwright against a real ``flowdoctor serve`` on loopback, on a SQLite file with the demo data.

Screenshots of every page go to ``docs/screenshots/`` (the README shows them); pages are taken at
1280 px and at 390 px wide.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.servers import free_port, wait_for

CHROMIUM = Path(os.environ.get("FLOWDOCTOR_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE = {"width": 1280, "height": 900}
FLOWDOCTOR = (sys.executable, "-m", "flowdoctor")
NARROW = {"width": 390, "height": 844}


def _flowdoctor(*args: str, env: dict[str, str]) -> None:
    subprocess.run([*FLOWDOCTOR, *args], env=env, check=True, capture_output=True)


class Server:
    """A ``flowdoctor serve`` subprocess; ``url`` once it answers."""

    def __init__(self, folder: Path, *, demo: bool) -> None:
        self.env = {
            **os.environ,
            "FLOWDOCTOR_DATABASE_URL": f"sqlite:///{folder}/flowdoctor.db",
            "FLOWDOCTOR_EVALUATION_INTERVAL_SECONDS": "2",
        }
        _flowdoctor("db", "upgrade", env=self.env)
        if demo:
            _flowdoctor("demo", env=self.env)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = folder / "serve.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [*FLOWDOCTOR, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(
            "flowdoctor serve did not answer",
            self.answers,
            lambda: self.log.read_text(errors="replace")[-3000:],
            seconds=90,
        )

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("dashboard"), demo=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event
    loop running in the main thread while it is open, and the asyncio tests that run after the
    browser tests could not start theirs."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make browser-tools` installs Debian's package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page at 1280 px; console errors and failed requests are collected on it and any
    one fails the test."""
    context = browser.new_context(viewport=WIDE)  # type: ignore[attr-defined]
    tab = context.new_page()
    problems: list[str] = []
    tab.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    tab.problems = problems  # type: ignore[attr-defined]
    yield tab
    context.close()
    assert problems == [], "\n".join(problems)


def screenshot(page: object, name: str) -> None:
    """``docs/screenshots/<name>-1280.png`` and ``<name>-390.png`` of the page as it is now."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(WIDE)  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size(NARROW)  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size(WIDE)  # type: ignore[attr-defined]
