"""What every command shares: the settings, read once, and how a command fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console

from flowdoctor.config import Settings
from flowdoctor.errors import FlowdoctorError, InputError

if TYPE_CHECKING:
    from flowdoctor.runtime import Runtime

T = TypeVar("T")

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


def with_runtime(action: Callable[[Runtime], T]) -> T:
    """Run ``action`` on a runtime built from the settings, closed afterwards; flowdoctor's errors
    end the command with one line (exit 2 for bad input, 1 otherwise)."""
    from flowdoctor.runtime import build  # the runtime imports heavy libraries: only when needed

    try:
        runtime = build(load_settings())
        try:
            return action(runtime)
        finally:
            runtime.close()
    except InputError as exc:
        fail(str(exc), code=2)
    except FlowdoctorError as exc:
        fail(str(exc))
