"""API keys on every request, and per-key rate limits, as one ASGI middleware.

A request needs a key (``Authorization: Bearer fd_...``, ``X-API-Key: fd_...`` or the dashboard's
login cookie) once a key
has been issued (revoked or not), or always when the server listens on anything but loopback;
liveness (``/healthz``) never does. The scope it needs comes from one table
(``required_scope``): reads need ``read``, changes ``write``, and what changes who gets paged
(rules, channels, notification retries) ``admin``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from flowdoctor.access import KeyService, RateLimiter
from flowdoctor.api.errors import response_for
from flowdoctor.api.paths import API_PREFIX, wants_page
from flowdoctor.domain.access import Scope as KeyScope
from flowdoctor.errors import (
    AuthenticationError,
    FlowdoctorError,
    PermissionDeniedError,
    RateLimitedError,
)

PUBLIC_PATHS = frozenset({"/healthz", "/login"})
PUBLIC_PREFIXES = ("/static/",)
"""The dashboard's stylesheet and script: the login page needs them before any key."""
KEY_COOKIE = "flowdoctor_key"
"""Where the dashboard keeps the key a browser logged in with (HttpOnly, SameSite=Strict)."""
READ_ONLY_POSTS = frozenset({f"{API_PREFIX}/rules/backtest"})
"""POSTs that compute an answer and change nothing."""
ADMIN_PREFIXES = (
    *(f"{API_PREFIX}/{p}" for p in ("rules", "channels", "notifications")),
    "/rules",  # the dashboard's rule forms
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def required_scope(method: str, path: str) -> KeyScope | None:
    """The scope a request needs (``None``: none, it is public).

    >>> required_scope("GET", "/api/workflow-troubleshooting/alerts").value
    'read'
    >>> required_scope("POST", "/api/workflow-troubleshooting/channels").value
    'admin'
    """
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if method in SAFE_METHODS or path in READ_ONLY_POSTS:
        return KeyScope.READ
    if path.startswith(ADMIN_PREFIXES):
        return KeyScope.ADMIN
    return KeyScope.WRITE


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def presented_key(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The key a request carries, from ``Authorization: Bearer``, ``X-API-Key`` or, for the
    dashboard, the ``flowdoctor_key`` cookie."""
    cookie_key = None
    for name, value in headers:
        if name == b"cookie":
            cookie_key = _cookie(value.decode("latin-1"), KEY_COOKIE) or cookie_key
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif name == b"x-api-key" and value.strip():
            return value.decode("latin-1").strip()
    return cookie_key


def _cookie(header: str, wanted: str) -> str | None:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == wanted and value:
            return value
    return None


def _is_page_request(scope: MutableMapping[str, Any]) -> bool:
    """A browser asking for a dashboard page (sent to the login page when it has no key)."""
    accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
    return scope["method"] == "GET" and wants_page(scope["path"], accept)


class AccessMiddleware:
    """Refuses requests without a key good for them (401/403) or over their key's rate (429).

    The key check reads the database at most once per key every few seconds (``KeyService``
    caches), so it runs inline rather than in a thread.
    """

    def __init__(
        self, app: ASGIApp, *, keys: KeyService, limiter: RateLimiter, bound_to: str
    ) -> None:
        self._app = app
        self._keys = keys
        self._limiter = limiter
        # Off loopback a key is always required: an open port must never mean an open API.
        self._always = not is_loopback(bound_to)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        needed = required_scope(scope["method"], scope["path"])
        if needed is not None:
            try:
                self._admit(needed, scope)
            except AuthenticationError as exc:
                if _is_page_request(scope):
                    target = quote(scope["path"], safe="/")
                    login = RedirectResponse(f"/login?next={target}", status_code=303)
                    await login(scope, receive, send)
                    return
                await response_for(exc)(scope, receive, send)
                return
            except FlowdoctorError as exc:
                await response_for(exc)(scope, receive, send)
                return
        await self._app(scope, receive, send)

    def _admit(self, needed: KeyScope, scope: MutableMapping[str, Any]) -> None:
        if not self._always and not self._keys.any_issued():
            return
        token = presented_key(scope["headers"])
        if token is None:
            if self._always and not self._keys.any_issued():
                raise AuthenticationError(
                    "this server listens beyond loopback and needs an API key; "
                    "create one with `flowdoctor keys create NAME --scope read`"
                )
            raise AuthenticationError("an API key is required (Authorization: Bearer <key>)")
        key = self._keys.authenticate(token)
        if not key.scope.grants(needed):
            raise PermissionDeniedError(
                f"key {key.name!r} has scope {key.scope.value!r}; this needs {needed.value!r}"
            )
        wait = self._limiter.check(key.key_id)
        if wait is not None:
            raise RateLimitedError(
                f"key {key.name!r} is over its rate limit; retry in {wait} s", retry_after=wait
            )
        scope.setdefault("state", {})["api_key"] = key


def document_security(app: FastAPI) -> None:
    """Say in the OpenAPI document how to authenticate and what 401, 403 and 429 mean."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["apiKey"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`flowdoctor keys create`), needed once a key exists or "
            "when the server listens beyond loopback. `X-API-Key: <key>` works too.",
        }
        problem = {"application/problem+json": {"schema": {"type": "object"}}}
        refusals = {
            "401": {"description": "No API key, or not a valid one", "content": problem},
            "403": {"description": "The key's scope does not cover this", "content": problem},
            "429": {
                "description": "Over the key's rate limit; see Retry-After",
                "content": problem,
            },
        }
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                needed = required_scope(method.upper(), path)
                if needed is None:
                    operation["security"] = []
                    continue
                # Optional on loopback until a key exists: the empty requirement says so.
                operation["security"] = [{"apiKey": []}, {}]
                operation["description"] = (
                    f"{operation.get('description', '')}\n\nScope: `{needed.value}`."
                ).strip()
                for status, response in refusals.items():
                    operation.setdefault("responses", {}).setdefault(status, response)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
