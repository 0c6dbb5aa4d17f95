"""The bounded text the classifier examines, built from a message and its structured hints."""

from __future__ import annotations

MAX_EXAMINED_CHARS = 4_000
"""At most this much of a message is examined, so any rule runs in bounded time on any input."""

_TAIL_CHARS = 1_000
"""For longer messages the last part is kept too: a traceback names its exception at the end."""

MAX_HINT_CHARS = 200
"""An ``error_code`` longer than this is cut; codes are short."""


def examined_text(message: str) -> str:
    """``message`` cut to :data:`MAX_EXAMINED_CHARS`: its start and its end.

    >>> len(examined_text("x" * 1_000_000)) <= MAX_EXAMINED_CHARS + 1
    True
    """
    if len(message) <= MAX_EXAMINED_CHARS:
        return message
    head = MAX_EXAMINED_CHARS - _TAIL_CHARS
    return message[:head] + "\n" + message[-_TAIL_CHARS:]


def hint_text(*, http_status: int | None, error_code: str | None) -> str:
    """The structured hints written as text the rules can match (``HTTP status 429``, the code).

    Writing them as text lets one ordered rule table weigh a message and its hints together: a 503
    status with "rate limit exceeded" in the message is still resource, because the rate-limit
    rule comes before the 5xx rule.
    """
    parts: list[str] = []
    if error_code:
        parts.append(error_code[:MAX_HINT_CHARS])
    if http_status is not None and 100 <= http_status <= 599:
        parts.append(f"HTTP status {http_status}")
    return "\n".join(parts)
