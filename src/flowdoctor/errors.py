"""The flowdoctor exception tree. Every error the library raises on purpose is one of these.

::

    FlowdoctorError                 base of everything below
    ├── InputError                  the caller sent something unusable (bad field, bad file)
    │   └── UnreadableInputError    a file or stream could not be opened or read at all
    ├── NotFoundError               an ID that does not exist
    │   └── SessionNotFoundError
    ├── InvalidTransitionError      a lifecycle move the transition table refuses
    ├── AccessError                 the caller may not do this
    │   ├── AuthenticationError     no API key, or not a valid one
    │   └── PermissionDeniedError   a valid key whose scope does not cover the request
    ├── RateLimitedError            too many requests for one key; ``retry_after`` seconds
    ├── ConfigurationError          flowdoctor's own settings are wrong
    │   └── KnowledgeBaseError      a knowledge-base data file is malformed
    └── StoreError                  the database failed (unreachable, schema out of date)
        └── SchemaOutOfDateError    the database needs ``flowdoctor db upgrade``

Dependencies' exceptions (SQLAlchemy, pydantic, OS errors) are translated into these at the edge of
the package that uses them, so callers catch one tree. ``flowdoctor.api.errors`` maps each class to
an HTTP status in one place; the CLI maps ``InputError`` to exit code 2.
"""

from __future__ import annotations


class FlowdoctorError(Exception):
    """Base class of every error flowdoctor raises on purpose."""


class InputError(FlowdoctorError):
    """The caller sent something flowdoctor cannot use; ``field`` names the part when known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnreadableInputError(InputError):
    """A file or stream could not be opened or read."""


class NotFoundError(FlowdoctorError):
    """Something was asked for by an ID that does not exist."""

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"{kind} {identifier!r} not found")
        self.kind = kind
        self.identifier = identifier


class SessionNotFoundError(NotFoundError):
    """No troubleshooting session has this ID."""

    def __init__(self, session_id: str) -> None:
        super().__init__("session", session_id)


class InvalidTransitionError(FlowdoctorError):
    """A lifecycle move that the transition table does not allow."""

    def __init__(self, what: str, current: str, requested: str, allowed: list[str]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "nothing"
        super().__init__(
            f"{what} cannot move from {current!r} to {requested!r}; allowed next: {allowed_text}"
        )
        self.current = current
        self.requested = requested
        self.allowed = allowed


class ConfigurationError(FlowdoctorError):
    """flowdoctor's own settings are wrong (a bad database URL, an unusable data folder)."""


class KnowledgeBaseError(ConfigurationError):
    """A knowledge-base data file is malformed; the message names the file, entry and field."""


class StoreError(FlowdoctorError):
    """The database failed: unreachable, locked for too long, or refusing a write."""


class SchemaOutOfDateError(StoreError):
    """The database schema is older than this version of flowdoctor."""


class AccessError(FlowdoctorError):
    """The caller may not do what it asked. The message never quotes the key it sent."""


class AuthenticationError(AccessError):
    """No API key, or one that is unknown, malformed or revoked."""


class PermissionDeniedError(AccessError):
    """A valid key whose scope does not cover the request."""


class RateLimitedError(FlowdoctorError):
    """Too many requests for one key; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
