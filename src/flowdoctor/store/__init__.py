"""Persistence. The only package that imports SQLAlchemy; the caller owns the transaction::

db = Database("sqlite:///flowdoctor.db")
upgrade(db.engine)
with db.transaction() as store:
    store.runs.add_many(events)
"""

from flowdoctor.store.database import Database, PoolSettings, Store, create_db_engine
from flowdoctor.store.migrate import current_revision, head_revision, require_current, upgrade

__all__ = [
    "Database",
    "PoolSettings",
    "Store",
    "create_db_engine",
    "current_revision",
    "head_revision",
    "require_current",
    "upgrade",
]
