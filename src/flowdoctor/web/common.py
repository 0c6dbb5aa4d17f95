"""What every page handler needs: the runtime of the app serving it, and the same-origin check
that keeps other sites from posting the dashboard's forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from flowdoctor.errors import PermissionDeniedError
from flowdoctor.runtime import Runtime


def _runtime(request: Request) -> Runtime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
"""The app's ``Runtime``, for a page handler's parameters."""


def same_origin_posts(request: Request) -> None:
    """Refuse a form posted from another site (cross-site request forgery).

    Without a key the dashboard on loopback is open, so a page on any site could post to it from
    the operator's browser. Browsers say where a POST comes from (``Sec-Fetch-Site``, ``Origin``):
    anything but this server is refused; a request saying nothing (curl, tests) is let through,
    as it carries no browser's ambient authority.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise PermissionDeniedError("a form posted from another site is refused")
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != expected:
            raise PermissionDeniedError(f"a form posted from {origin} is refused")
