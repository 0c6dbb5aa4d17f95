"""One page of a long list, and where the next page starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

Key = tuple[str | int, ...]
"""Where a page ends: the sort key of its last item, as plain values (times as ISO 8601 text), so
an edge can carry it in an opaque cursor."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Items in the list's order. ``next_key`` is what to ask for the next page after; ``None``
    when this is the last page."""

    items: list[T] = field(default_factory=list)
    next_key: Key | None = None
