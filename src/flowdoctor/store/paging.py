"""Keyset pagination for the repositories: a page ends at its last row's sort key and the next
page starts after that key.

Not OFFSET: a row inserted while a client walks the pages does not shift the rows it has not seen
yet (nothing is listed twice, nothing is skipped), and a deep page costs what the first one does.
A list's order always ends in a unique column, so the key names one row. Keys are plain values
(times as ISO 8601 text); a key that does not fit the list's sort columns is refused with
``InputError(field="cursor")``, the name the API gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, and_, or_

from flowdoctor.domain.paging import Key, Page
from flowdoctor.errors import InputError

T = TypeVar("T")
KeyKind = Literal["time", "text", "int"]
CURSOR_FIELD = "cursor"
_INT64 = 2**63


@dataclass(frozen=True, slots=True)
class SortColumn:
    """One column of a list's order: what it holds and which way it runs."""

    column: ColumnElement[Any]
    kind: KeyKind
    descending: bool = False


class Keyset:
    """A list's order (ending in a unique column) as ``ORDER BY`` and as "after this key"."""

    def __init__(self, *columns: SortColumn) -> None:
        self.columns = columns

    def order_by(self) -> list[ColumnElement[Any]]:
        """The ``ORDER BY`` clauses."""
        return [c.column.desc() if c.descending else c.column.asc() for c in self.columns]

    def after(self, key: Key) -> ColumnElement[bool]:
        """Rows that come after ``key`` in this order.

        Spelled out as ``a > x OR (a = x AND b > y)``, not as a row-value comparison, because the
        columns may run in different directions.
        """
        values = self._values(key)
        clauses = []
        for i, (sort, value) in enumerate(zip(self.columns, values, strict=True)):
            ahead = sort.column < value if sort.descending else sort.column > value
            same = [c.column == v for c, v in zip(self.columns[:i], values[:i], strict=True)]
            clauses.append(and_(*same, ahead))
        return or_(*clauses)

    def key_of(self, row: Mapping[Any, Any]) -> Key:
        """The key of a fetched row (every sort column must be among the selected ones)."""
        return tuple(_plain(c.kind, row[c.column]) for c in self.columns)

    def _values(self, key: Key) -> list[Any]:
        if not isinstance(key, tuple | list) or len(key) != len(self.columns):
            raise _bad_key()
        return [_value(c.kind, v) for c, v in zip(self.columns, key, strict=True)]


def fetch_page(
    conn: Connection,
    query: Select[Any],
    keyset: Keyset,
    *,
    after: Key | None,
    limit: int,
    convert: Callable[[Mapping[Any, Any]], T],
) -> Page[T]:
    """Up to ``limit`` rows of ``query`` (not yet ordered) after ``after``, in ``keyset`` order.

    One row more than asked for is read to learn whether another page follows.
    """
    if limit < 1:
        raise InputError("limit must be at least 1", field="limit")
    if after is not None:
        query = query.where(keyset.after(after))
    rows = conn.execute(query.order_by(*keyset.order_by()).limit(limit + 1)).all()
    kept = rows[:limit]
    more = len(rows) > limit
    return Page(
        items=[convert(row._mapping) for row in kept],
        next_key=keyset.key_of(kept[-1]._mapping) if more else None,
    )


def time_window(
    since_column: ColumnElement[Any],
    until_column: ColumnElement[Any],
    *,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    """Conditions for ``since_column >= since`` and ``until_column < until`` (either may be
    absent); ``InputError(field="until")`` unless ``until`` is later than ``since``.

    With one column for both, rows in ``[since, until)``; with ``last_seen`` and ``first_seen``,
    things seen at some time in the window.
    """
    if since is not None and until is not None and until <= since:
        raise InputError("until must be later than since", field="until")
    conditions: list[ColumnElement[bool]] = []
    if since is not None:
        conditions.append(since_column >= _clamped(since))
    if until is not None:
        conditions.append(until_column < _clamped(until))
    return conditions


def _clamped(at: datetime) -> datetime:
    """``at`` in UTC; a time so near year 1 or 9999 that UTC cannot hold it (``0001-01-01T00:00
    +14:00``) is taken as the earliest or the latest time there is, which bounds the same rows."""
    try:
        return at.astimezone(UTC)
    except OverflowError:
        return (datetime.min if at.year == 1 else datetime.max).replace(tzinfo=UTC)


def _plain(kind: KeyKind, value: Any) -> str | int:
    if kind == "time":
        assert isinstance(value, datetime)
        return value.isoformat()
    if kind == "int":
        return int(value)
    return str(value)


def _value(kind: KeyKind, value: object) -> Any:
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not _INT64 > value >= -_INT64:
            raise _bad_key()
        return value
    if not isinstance(value, str) or not _storable(value):
        raise _bad_key()
    if kind == "text":
        return value
    try:
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise _bad_key()
        return at.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _bad_key() from None


def _storable(text: str) -> bool:
    """Whether both databases can compare with ``text``: PostgreSQL refuses NUL bytes, and lone
    surrogates (JSON can spell them) are no UTF-8 at all."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _bad_key() -> InputError:
    return InputError("the cursor does not belong to this list", field=CURSOR_FIELD)
