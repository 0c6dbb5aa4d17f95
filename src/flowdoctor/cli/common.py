"""What every command shares: the settings, read once, and how a command fails."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from flowdoctor.config import Settings

err = Console(stderr=True)


def load_settings() -> Settings:
    """The settings, or exit 2 naming what is wrong with them."""
    try:
        return Settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        fail(f"invalid settings: {exc}", code=2)


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code``."""
    err.print(f"[red]flowdoctor:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
