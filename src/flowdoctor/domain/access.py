"""Who may call the API: API keys and their scopes. Plain data; issuing, hashing and checking
keys live in ``flowdoctor.access``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Scope(StrEnum):
    """What a key may do. Each scope includes the ones below it: admin ⊃ write ⊃ read."""

    READ = "read"
    """Every GET: sessions, issues, alerts, health, metrics."""
    WRITE = "write"
    """Ingest, sessions, change events, acknowledging and resolving alerts, silences."""
    ADMIN = "admin"
    """Rules, channels, notification retries: what changes who gets paged."""

    @property
    def level(self) -> int:
        """0 for read up to 2 for admin."""
        return list(Scope).index(self)

    def grants(self, needed: Scope) -> bool:
        """Whether a key of this scope may do what ``needed`` guards.

        >>> Scope.WRITE.grants(Scope.READ), Scope.READ.grants(Scope.WRITE)
        (True, False)
        """
        return self.level >= needed.level


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored: never its secret, only the secret's hash (kept by the store)."""

    key_id: str
    name: str
    scope: Scope
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None
