"""The session lifecycle as transition tables: what may follow what, and nothing else.

Stages run in order. Analysis may be repeated (more metrics arrive) and verification may be
repeated (check again after more runs); nothing moves backwards, and a closed session moves nowhere.
"""

from __future__ import annotations

from flowdoctor.domain import SessionStatus, Stage
from flowdoctor.errors import InvalidTransitionError

STAGE_ALLOWED: dict[Stage | None, frozenset[Stage]] = {
    None: frozenset({Stage.IDENTIFICATION}),
    Stage.IDENTIFICATION: frozenset({Stage.ANALYSIS}),
    Stage.ANALYSIS: frozenset({Stage.ANALYSIS, Stage.DIAGNOSIS}),
    Stage.DIAGNOSIS: frozenset({Stage.RESOLUTION}),
    Stage.RESOLUTION: frozenset({Stage.VERIFICATION}),
    Stage.VERIFICATION: frozenset({Stage.VERIFICATION}),
}

STATUS_ALLOWED: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.OPEN: frozenset(
        {SessionStatus.VERIFIED, SessionStatus.NOT_VERIFIED, SessionStatus.CLOSED}
    ),
    SessionStatus.NOT_VERIFIED: frozenset(
        {SessionStatus.VERIFIED, SessionStatus.NOT_VERIFIED, SessionStatus.CLOSED}
    ),
    SessionStatus.VERIFIED: frozenset(
        {SessionStatus.VERIFIED, SessionStatus.NOT_VERIFIED, SessionStatus.CLOSED}
    ),
    SessionStatus.CLOSED: frozenset(),
}


def check_stage(current: Stage | None, requested: Stage, *, status: SessionStatus) -> None:
    """Raise ``InvalidTransitionError`` unless a session at ``current`` may run ``requested``."""
    if status is SessionStatus.CLOSED:
        raise InvalidTransitionError("a closed session", "closed", requested.value, [])
    allowed = STAGE_ALLOWED[current]
    if requested not in allowed:
        raise InvalidTransitionError(
            "session stage",
            current.value if current else "new",
            requested.value,
            sorted(s.value for s in allowed),
        )


def check_status(current: SessionStatus, requested: SessionStatus) -> None:
    """Raise ``InvalidTransitionError`` unless status ``current`` may become ``requested``."""
    allowed = STATUS_ALLOWED[current]
    if requested not in allowed:
        raise InvalidTransitionError(
            "session status", current.value, requested.value, sorted(s.value for s in allowed)
        )


def next_stage(current: Stage | None, *, status: SessionStatus) -> Stage:
    """The stage that advancing a session at ``current`` runs: the first later stage the table
    allows (repeating analysis or verification is not advancing). ``InvalidTransitionError`` for a
    closed session and after verification, where nothing follows.

    >>> next_stage(Stage.ANALYSIS, status=SessionStatus.OPEN).value
    'diagnosis'
    """
    order = tuple(Stage)
    later = order if current is None else order[order.index(current) + 1 :]
    allowed = STAGE_ALLOWED[current]
    for stage in later:
        if stage in allowed:
            check_stage(current, stage, status=status)
            return stage
    if status is SessionStatus.CLOSED:
        raise InvalidTransitionError("a closed session", "closed", "the next stage", [])
    raise InvalidTransitionError(
        "session stage",
        current.value if current else "new",
        "the next stage",
        sorted(s.value for s in allowed),
    )
