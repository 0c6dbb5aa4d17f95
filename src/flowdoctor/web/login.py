"""Logging the browser in with an API key: kept in an HttpOnly, SameSite=Strict cookie that the
access middleware reads like an ``Authorization`` header. Needed only once a key exists (or when
the server listens beyond loopback)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flowdoctor.api.auth import KEY_COOKIE
from flowdoctor.errors import AuthenticationError
from flowdoctor.web.common import RuntimeDep
from flowdoctor.web.render import page

router = APIRouter(include_in_schema=False)

COOKIE_DAYS = 30


def _local(target: str) -> str:
    # Only a path on this server: an open redirect would let a link send users elsewhere.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The key form."""
    return page(request, "login.html", next=_local(next), error=None)


@router.post("/login", response_model=None)
def login(
    request: Request,
    runtime: RuntimeDep,
    key: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the key and keep it in the cookie; a bad key is said so, and nothing is kept."""
    try:
        runtime.keys.authenticate(key.strip())
    except AuthenticationError as exc:
        return page(request, "login.html", status_code=401, next=_local(next), error=str(exc))
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        KEY_COOKIE,
        key.strip(),
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", response_model=None)
def logout() -> Response:
    """Forget the key."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(KEY_COOKIE)
    return response
