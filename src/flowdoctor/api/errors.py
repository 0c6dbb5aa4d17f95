"""Every error the API returns, in one place: flowdoctor's exceptions mapped to HTTP statuses and
rendered as RFC 9457 problem details (``application/problem+json``)::

    {"type": "/problems/not-found", "title": "Not found", "status": 404,
     "detail": "session 'abc' not found", "errors": [{"field": ..., "message": ...}]}
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from flowdoctor.api.paths import wants_page
from flowdoctor.errors import (
    AuthenticationError,
    ConfigurationError,
    FlowdoctorError,
    InputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    StoreError,
)

log = logging.getLogger("flowdoctor.api")

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first class an exception is an instance of decides its status.
STATUS_BY_ERROR: tuple[tuple[type[FlowdoctorError], int, str], ...] = (
    (AuthenticationError, 401, "unauthorized"),
    (PermissionDeniedError, 403, "forbidden"),
    (RateLimitedError, 429, "rate-limited"),
    (NotFoundError, 404, "not-found"),
    (InvalidTransitionError, 409, "invalid-transition"),
    (InputError, 422, "invalid-input"),
    (StoreError, 503, "store-unavailable"),
    (ConfigurationError, 500, "configuration-error"),
    (FlowdoctorError, 500, "internal-error"),
)


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": code.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_for(exc: FlowdoctorError) -> tuple[int, str]:
    """The HTTP status and problem code for one of flowdoctor's exceptions."""
    for cls, status, code in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal-error"


def response_for(exc: FlowdoctorError) -> JSONResponse:
    """The problem response for one of flowdoctor's exceptions, with the headers its status
    calls for (``WWW-Authenticate`` on 401, ``Retry-After`` on 429)."""
    status, code = status_for(exc)
    if status >= 500:
        log.error("request failed: %s", exc)
    errors = None
    if isinstance(exc, InputError) and exc.field:
        errors = [{"field": exc.field, "message": str(exc)}]
    headers = None
    if isinstance(exc, AuthenticationError):
        headers = {"WWW-Authenticate": 'Bearer realm="flowdoctor"'}
    elif isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem(status, code, str(exc), errors=errors, headers=headers)


HtmlErrorPage = Callable[[Request, int, str, str], Response]
"""Renders an error as a page: ``(request, status, title, detail)``; the dashboard installs one
as ``app.state.html_error_page``."""


def _html_page_for(request: Request) -> HtmlErrorPage | None:
    """The dashboard's error page when a browser asked for a page (not for the API, /metrics or a
    fragment fetched by script, which keep problem details)."""
    render = getattr(request.app.state, "html_error_page", None)
    if render is None or not wants_page(request.url.path, request.headers.get("accept", "")):
        return None
    return render  # type: ignore[no-any-return]


async def _flowdoctor_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FlowdoctorError)
    render = _html_page_for(request)
    if render is not None:
        status, code = status_for(exc)
        if status >= 500:
            log.error("page failed: %s", exc)
        return render(request, status, code.replace("-", " ").capitalize(), str(exc))
    return response_for(exc)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) if parts else "body"


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_name(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
        for err in exc.errors()[:50]
    ]
    fields = ", ".join(e["field"] for e in errors[:5])
    return problem(422, "validation-error", f"invalid request: {fields}", errors=errors)


# FastAPI answers 400 when a body is not even decodable text (binary, bad UTF-8); to a client that
# is the same mistake as malformed JSON, which FastAPI answers with 422, so both get 422.
_UNPARSEABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    render = _html_page_for(request)
    if render is not None and exc.status_code in (404, 405):
        title = "Not found" if exc.status_code == 404 else "Method not allowed"
        return render(request, exc.status_code, title, f"nothing at {request.url.path}")
    if exc.status_code == 400 and exc.detail == _UNPARSEABLE_BODY:
        message = "the body is not valid UTF-8 JSON"
        return problem(
            422, "validation-error", message, errors=[{"field": "body", "message": message}]
        )
    code = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(
        exc.status_code, "http-error"
    )
    return problem(exc.status_code, code, str(exc.detail))


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem(500, "internal-error", "an unexpected error occurred; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into problem details."""
    app.add_exception_handler(FlowdoctorError, _flowdoctor_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
