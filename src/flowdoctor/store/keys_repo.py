"""Repository of API keys. The caller owns the transaction."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from flowdoctor.domain.access import ApiKey, Scope
from flowdoctor.store.keys_tables import api_keys


class KeyRepository:
    """Add, find, list and revoke API keys."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add(self, key: ApiKey, *, secret_hash: str) -> None:
        """Store a new key (its id and name must be new)."""
        self._conn.execute(
            insert(api_keys),
            {
                "key_id": key.key_id,
                "name": key.name,
                "scope": key.scope.value,
                "secret_hash": secret_hash,
                "created_at": key.created_at,
                "revoked_at": key.revoked_at,
            },
        )

    def find(self, key_id: str) -> tuple[ApiKey, str] | None:
        """The key ``key_id`` and its secret's hash, or ``None``."""
        row = self._conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
        return None if row is None else (_key(row._mapping), row.secret_hash)

    def by_name(self, name: str) -> ApiKey | None:
        """The key called ``name``, or ``None``."""
        row = self._conn.execute(select(api_keys).where(api_keys.c.name == name)).first()
        return None if row is None else _key(row._mapping)

    def list(self) -> builtins.list[ApiKey]:
        """Every key, oldest first."""
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
        return [_key(row._mapping) for row in self._conn.execute(query)]

    def count(self) -> int:
        """How many keys were ever issued, revoked ones included."""
        query = select(func.count()).select_from(api_keys)
        return int(self._conn.execute(query).scalar_one())

    def revoke(self, key_id: str, *, at: datetime) -> bool:
        """Revoke a key; ``False`` when there is no such active key."""
        result = self._conn.execute(
            update(api_keys)
            .where(api_keys.c.key_id == key_id)
            .where(api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount == 1


def _key(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        name=row["name"],
        scope=Scope(row["scope"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
