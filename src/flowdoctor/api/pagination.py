"""Cursor pagination of the list endpoints, one envelope for all of them::

    {"items": [...], "next_cursor": "WyJzZXNzaW9ucyIsWy4uLl1d" | null}

Pass ``next_cursor`` back as ``cursor`` (with the same filters) for the next page; ``null`` means
this was the last page. A cursor is opaque to clients: base64url of JSON naming the list and the
sort key of the page's last item, so a page starts right after the previous one however many rows
were added meanwhile. A cursor of another list, or text that is no cursor, is a 422 problem naming
the field ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from flowdoctor.domain.paging import Key
from flowdoctor.domain.paging import Page as DomainPage
from flowdoctor.errors import InputError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_CURSOR_CHARS = 1000
CURSOR_FIELD = "cursor"

Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")
]
# No max_length here: a cursor too long is refused by decode_cursor, so every bad cursor is a 422
# naming the same field.
Cursor = Annotated[
    str | None,
    Query(description="The `next_cursor` of the previous page; absent for the first page."),
]

NO_NUL = r"^[^\x00]*$"
"""The pattern of the text filters: PostgreSQL refuses to compare text that holds a NUL byte, so
such a filter is a 422 rather than a failed query."""

ItemT = TypeVar("ItemT")
T = TypeVar("T")
PageT = TypeVar("PageT", bound="Page[Any]")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list."""

    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


def encode_cursor(list_name: str, key: Key | None) -> str | None:
    """The cursor of the page after ``key`` in the list ``list_name`` (``None`` stays ``None``).

    >>> encode_cursor("alerts", (5, "fp"))
    'WyJhbGVydHMiLFs1LCJmcCJdXQ'
    """
    if key is None:
        return None
    raw = json.dumps([list_name, list(key)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(list_name: str, cursor: str | None) -> Key | None:
    """The key a cursor of ``list_name`` carries; ``InputError(field="cursor")`` for anything
    else.

    >>> decode_cursor("alerts", "WyJhbGVydHMiLFs1LCJmcCJdXQ")
    (5, 'fp')
    """
    if cursor is None:
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise _bad(list_name)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise _bad(list_name) from None
    if not (isinstance(data, list) and len(data) == 2 and data[0] == list_name):
        raise _bad(list_name)
    key = data[1]
    if not isinstance(key, list) or not all(_plain(v) for v in key):
        raise _bad(list_name)
    return tuple(key)


def render_page(
    model: type[PageT],
    list_name: str,
    page: DomainPage[T],
    render: Callable[[T], Any],
) -> PageT:
    """The response body of one page: its items rendered, and the cursor of the next page."""
    return model(
        items=[render(item) for item in page.items],
        next_cursor=encode_cursor(list_name, page.next_key),
    )


def _plain(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _bad(list_name: str) -> InputError:
    return InputError(
        f"not a cursor of this list ({list_name}): pass the next_cursor of its previous page",
        field=CURSOR_FIELD,
    )
