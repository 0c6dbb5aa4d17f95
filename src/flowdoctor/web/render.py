"""Rendering pages: one Jinja2 environment over the package's templates, autoescaped."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from flowdoctor._version import __version__

DASH = "\N{EN DASH}"
"""Shown for a missing value."""


def when(value: datetime | None) -> str:
    """A time as operators read it: ``2026-11-29 14:05 UTC``; a dash for none."""
    if value is None:
        return DASH
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def ago(value: datetime | None, now: datetime) -> str:
    """How long before ``now``: ``4 min ago``, ``3 h ago``, ``2 d ago``."""
    if value is None:
        return "never"
    seconds = max(0.0, (now - value).total_seconds())
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min ago"
    if seconds < 36 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def number(value: float | None, digits: int = 0) -> str:
    """A number with thousands separators; a dash for none or not-a-number."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH
    return f"{value:,.{digits}f}"


def health_class(score: float) -> str:
    """The CSS class of a health score: ``good`` (80+), ``warn`` (50-80), ``bad``."""
    return "good" if score >= 80 else "warn" if score >= 50 else "bad"


@cache
def environment() -> Environment:
    """The templates, autoescaped (every value from users or workflows is escaped)."""
    env = Environment(
        loader=PackageLoader("flowdoctor.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, number=number, health_class=health_class)
    env.globals.update(version=__version__, ago=ago, svg=Markup)
    return env


def page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` rendered with ``context`` (plus ``request`` and the current path)."""
    html = (
        environment()
        .get_template(template)
        .render(request=request, path=request.url.path, **context)
    )
    return HTMLResponse(html, status_code=status_code)
