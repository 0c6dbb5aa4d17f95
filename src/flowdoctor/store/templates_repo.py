"""Repository for recurring error templates: each workflow's template-miner state and the counts of
the templates it found, accumulated across sessions.

The miner state is stored as versioned JSON, never as a pickle: a pickle runs code when loaded and
breaks when a class moves. A state of a version this flowdoctor does not know is refused, on the
way in and on the way out, rather than misread.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case, select
from sqlalchemy.dialects import postgresql, sqlite

from flowdoctor.domain.paging import Key, Page
from flowdoctor.errors import InputError, StoreError
from flowdoctor.store import tables
from flowdoctor.store.paging import Keyset, SortColumn, fetch_page, time_window

STATE_VERSIONS = frozenset({1})
"""Miner state versions this flowdoctor can read and write."""

TemplateCount = tuple[str, str, int, datetime, datetime]
"""What ``record`` takes per template: (template_id, template, occurrences, first_seen,
last_seen)."""


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    """A recurring error template of a workflow, with its counts over every recorded session."""

    workflow_id: str
    template_id: str
    template: str
    occurrences: int
    first_seen: datetime
    last_seen: datetime


class TemplateRepository:
    """Miner state (load/save) and template counts (record/list), per workflow."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def load_state(self, workflow_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        """The workflow's miner state, or ``None`` when it has none yet.

        ``for_update`` locks the row until the transaction ends (PostgreSQL; SQLite has one writer
        at a time anyway), so two sessions of one workflow do not both extend the same state and
        lose one's templates. Raises ``StoreError`` for a state of an unknown version.
        """
        t = tables.miner_states
        query = select(t.c.state, t.c.version).where(t.c.workflow_id == workflow_id)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        if row is None:
            return None
        state = row.state
        if row.version not in STATE_VERSIONS or not isinstance(state, dict):
            raise StoreError(
                f"the stored template-miner state of workflow {workflow_id!r} has version "
                f"{row.version}, which this flowdoctor cannot read (it reads {_versions()}); "
                "upgrade flowdoctor"
            )
        return state

    def save_state(
        self,
        workflow_id: str,
        state: dict[str, Any],
        *,
        at: datetime | None = None,
        replace: bool = True,
    ) -> None:
        """Store the workflow's miner state, replacing the previous one.

        ``state`` must be plain JSON (what ``TemplateMiner.to_state()`` returns) with a known
        ``"version"``; anything else is refused with ``InputError``. With ``replace=False`` the
        caller read no state before, and a state another transaction saved meanwhile (which no
        lock could guard, there being no row to lock) is not overwritten: ``StoreError``, try again.
        """
        version = _check_state(state)
        t = tables.miner_states
        values = {
            "workflow_id": workflow_id,
            "state": state,
            "version": version,
            "updated_at": at or datetime.now(UTC),
        }
        statement = _insert(self._conn, t).values(values)
        if not replace:
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
            skip = statement.on_conflict_do_nothing().returning(t.c.workflow_id)
            if self._conn.execute(skip).first() is None:
                raise StoreError(
                    f"another session saved the template-miner state of {workflow_id!r} "
                    "at the same time; try again"
                )
            return
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[t.c.workflow_id],
            set_={"state": new.state, "version": new.version, "updated_at": new.updated_at},
        )
        self._conn.execute(statement)

    def record(self, workflow_id: str, counts: Iterable[TemplateCount]) -> int:
        """Add template counts: occurrences add up, first seen keeps the earliest, last seen the
        latest, and the template text becomes the newest (a miner generalises templates as it
        learns). Returns how many templates were written.

        Repeats of one ``template_id`` within ``counts`` are merged first, since one upsert may
        not touch a row twice.
        """
        rows = _merged(workflow_id, counts)
        if not rows:
            return 0
        t = tables.error_templates
        statement = _insert(self._conn, t)
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[t.c.workflow_id, t.c.template_id],
            set_={
                "template": new.template,
                "occurrences": t.c.occurrences + new.occurrences,
                # CASE rather than LEAST/GREATEST: SQLite has neither, both have CASE.
                "first_seen": case(
                    (new.first_seen < t.c.first_seen, new.first_seen), else_=t.c.first_seen
                ),
                "last_seen": case(
                    (new.last_seen > t.c.last_seen, new.last_seen), else_=t.c.last_seen
                ),
            },
        )
        self._conn.execute(statement, rows)
        return len(rows)

    def list(self, workflow_id: str, limit: int = 50) -> builtins.list[StoredTemplate]:
        """The workflow's templates, most frequent first (then most recently seen)."""
        t = tables.error_templates
        query = (
            select(t)
            .where(t.c.workflow_id == workflow_id)
            .order_by(t.c.occurrences.desc(), t.c.last_seen.desc(), t.c.template_id)
            .limit(limit)
        )
        return [_template(row._mapping) for row in self._conn.execute(query)]

    def page(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[StoredTemplate]:
        """A page of templates of every workflow (or of one), most frequent first, then most
        recently seen; ``since``/``until`` keep templates seen at some time in ``[since, until)``.

        Counts only grow, so a template that recurs while a client pages moves towards the first
        page: it is never listed twice, and one not yet reached may be passed over until the
        next walk.
        """
        t = tables.error_templates
        query = select(t).where(
            *time_window(t.c.last_seen, t.c.first_seen, since=since, until=until)
        )
        if workflow_id is not None:
            query = query.where(t.c.workflow_id == workflow_id)
        return fetch_page(
            self._conn, query, _TEMPLATE_ORDER, after=after, limit=limit, convert=_template
        )


_TEMPLATE_ORDER = Keyset(
    SortColumn(tables.error_templates.c.occurrences, "int", descending=True),
    SortColumn(tables.error_templates.c.last_seen, "time", descending=True),
    SortColumn(tables.error_templates.c.id, "int"),
)
"""Most frequent first, then most recently seen, as ``list`` orders them; the row id makes the
order total."""


def _template(row: Any) -> StoredTemplate:
    return StoredTemplate(
        workflow_id=row["workflow_id"],
        template_id=row["template_id"],
        template=row["template"],
        occurrences=int(row["occurrences"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
    )


def _insert(conn: Connection, table: Any) -> Any:
    """An INSERT that can take ``ON CONFLICT DO UPDATE`` on either database."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"upserts are not supported on {conn.dialect.name!r}")


def _check_state(state: object) -> int:
    if not isinstance(state, dict):
        raise InputError("miner state must be a JSON object", field="state")
    version = state.get("version")
    if isinstance(version, bool) or version not in STATE_VERSIONS:
        raise InputError(
            f"miner state version {version!r} is unknown (known: {_versions()})",
            field="state.version",
        )
    try:
        # Round trip: int keys, tuples or NaN would come back different, or not at all.
        same = json.loads(json.dumps(state, allow_nan=False)) == state
    except (TypeError, ValueError):
        same = False
    if not same:
        raise InputError(
            "miner state must be plain JSON (no pickles, objects or NaN)", field="state"
        )
    assert isinstance(version, int)
    return version


def _merged(workflow_id: str, counts: Iterable[TemplateCount]) -> builtins.list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for template_id, template, occurrences, first_seen, last_seen in counts:
        _check_count(occurrences, first_seen, last_seen)
        key = str(template_id)
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "workflow_id": workflow_id,
                "template_id": key,
                "template": template,
                "occurrences": occurrences,
                "first_seen": first_seen,
                "last_seen": last_seen,
            }
            continue
        row["template"] = template
        row["occurrences"] += occurrences
        row["first_seen"] = min(row["first_seen"], first_seen)
        row["last_seen"] = max(row["last_seen"], last_seen)
    return builtins.list(rows.values())


def _check_count(occurrences: object, first_seen: datetime, last_seen: datetime) -> None:
    if isinstance(occurrences, bool) or not isinstance(occurrences, int) or occurrences < 1:
        raise InputError("a template count must be a positive integer", field="occurrences")
    if first_seen.tzinfo is None or last_seen.tzinfo is None:
        raise InputError("first_seen and last_seen must include a timezone", field="first_seen")
    if first_seen > last_seen:
        raise InputError("first_seen is after last_seen", field="first_seen")


def _versions() -> str:
    return ", ".join(str(v) for v in sorted(STATE_VERSIONS))
