"""API keys: issued once, stored only as a hash, checked on every request, revoked at will.

A key reads ``fd_<key_id>_<secret>``: the key id finds the row, the secret is compared with the
stored sha256 in constant time. Checks are cached for ``cache_seconds`` (5 s) per process, so a
busy server does not read the database on every request; a revocation therefore reaches other
processes within that time, and this process at once.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable

from flowdoctor.clock import Clock
from flowdoctor.domain.access import ApiKey, Scope
from flowdoctor.errors import AuthenticationError, InputError, NotFoundError
from flowdoctor.store import Database

PREFIX = "fd_"
MAX_NAME = 200
MAX_CACHED = 10_000
_TOKEN = re.compile(r"fd_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")


def parse_token(token: str) -> tuple[str, str]:
    """Split a key into its id and secret; ``AuthenticationError`` if it is not shaped like one.

    >>> parse_token("fd_0123456789abcdef_" + "x" * 43)[0]
    '0123456789abcdef'
    """
    match = _TOKEN.fullmatch(token.strip())
    if match is None:
        raise AuthenticationError("the API key is malformed")
    return match.group(1), match.group(2)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class KeyService:
    """Create, list, revoke and check API keys."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        cache_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._clock = clock
        self._ttl = cache_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        # sha256(token) -> (key or None, expiry): failures are cached too, so a client retrying a
        # bad key does not cost a query per request.
        self._checked: dict[str, tuple[ApiKey | None, float]] = {}
        self._any: tuple[bool, float] | None = None

    def create(self, name: str, scope: Scope | str) -> tuple[ApiKey, str]:
        """Issue a key; returns it and its token, which is shown this once and stored nowhere."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InputError(f"the name must be 1-{MAX_NAME} characters", field="name")
        try:
            scope = Scope(scope)
        except ValueError:
            known = ", ".join(s.value for s in Scope)
            raise InputError(f"unknown scope {scope!r}; known: {known}", field="scope") from None
        key = ApiKey(secrets.token_hex(8), name, scope, self._clock.now())
        secret = secrets.token_urlsafe(32)
        with self._db.transaction() as store:
            if store.keys.by_name(name) is not None:
                raise InputError(f"a key is already called {name!r}", field="name")
            store.keys.add(key, secret_hash=_digest(secret))
        self._forget()
        return key, f"{PREFIX}{key.key_id}_{secret}"

    def list(self) -> builtins.list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        with self._db.transaction() as store:
            return store.keys.list()

    def revoke(self, key_id: str) -> None:
        """Revoke a key: it stops working here at once, elsewhere within the cache time."""
        with self._db.transaction() as store:
            if not store.keys.revoke(key_id, at=self._clock.now()):
                raise NotFoundError("active API key", key_id)
        self._forget()

    def any_issued(self) -> bool:
        """Whether any key was ever issued: from then on every request must carry one. Revoked
        keys count, so revoking the last key closes the API rather than opening it."""
        now = self._monotonic()
        cached = self._any
        if cached is not None and cached[1] > now:
            return cached[0]
        with self._db.transaction() as store:
            found = store.keys.count() > 0
        self._any = (found, now + self._ttl)
        return found

    def authenticate(self, token: str) -> ApiKey:
        """The active key ``token`` is; ``AuthenticationError`` otherwise (never quoting it)."""
        key_id, secret = parse_token(token)
        cache_key = hashlib.sha256(token.encode("ascii")).hexdigest()
        now = self._monotonic()
        with self._lock:
            cached = self._checked.get(cache_key)
        if cached is not None and cached[1] > now:
            key = cached[0]
        else:
            key = self._lookup(key_id, secret)
            with self._lock:
                if len(self._checked) >= MAX_CACHED:
                    self._checked.clear()
                self._checked[cache_key] = (key, now + self._ttl)
        if key is None:
            raise AuthenticationError("the API key is unknown or revoked")
        return key

    def _lookup(self, key_id: str, secret: str) -> ApiKey | None:
        with self._db.transaction() as store:
            found = store.keys.find(key_id)
        if found is None:
            return None
        key, stored = found
        if not hmac.compare_digest(stored, _digest(secret)) or not key.active:
            return None
        return key

    def _forget(self) -> None:
        with self._lock:
            self._checked.clear()
            self._any = None
