"""The lifecycle tables: the only legal path is the five stages in order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowdoctor.domain import STAGE_ORDER, SessionStatus, Stage
from flowdoctor.errors import InvalidTransitionError
from flowdoctor.sessions.lifecycle import STAGE_ALLOWED, check_stage, check_status


def test_the_happy_path_is_allowed() -> None:
    current: Stage | None = None
    for stage in STAGE_ORDER:
        check_stage(current, stage, status=SessionStatus.OPEN)
        current = stage


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        (None, Stage.ANALYSIS),
        (Stage.IDENTIFICATION, Stage.DIAGNOSIS),
        (Stage.RESOLUTION, Stage.ANALYSIS),
        (Stage.VERIFICATION, Stage.RESOLUTION),
        (Stage.DIAGNOSIS, Stage.DIAGNOSIS),
    ],
)
def test_skips_and_backward_moves_are_refused(current: Stage | None, requested: Stage) -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        check_stage(current, requested, status=SessionStatus.OPEN)
    assert caught.value.requested == requested.value
    assert "allowed next" in str(caught.value)


def test_a_closed_session_moves_nowhere() -> None:
    with pytest.raises(InvalidTransitionError):
        check_stage(Stage.RESOLUTION, Stage.VERIFICATION, status=SessionStatus.CLOSED)
    with pytest.raises(InvalidTransitionError):
        check_status(SessionStatus.CLOSED, SessionStatus.OPEN)


@given(st.lists(st.sampled_from(list(Stage)), max_size=20))
def test_any_accepted_sequence_never_goes_backwards(requests: list[Stage]) -> None:
    current: Stage | None = None
    for requested in requests:
        if requested in STAGE_ALLOWED[current]:
            check_stage(current, requested, status=SessionStatus.OPEN)
            before = -1 if current is None else STAGE_ORDER.index(current)
            assert STAGE_ORDER.index(requested) in (before, before + 1)
            current = requested
        else:
            with pytest.raises(InvalidTransitionError):
                check_stage(current, requested, status=SessionStatus.OPEN)
