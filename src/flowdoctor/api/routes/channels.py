"""Notification channels and the outbox over HTTP. Channel URLs carry tokens and passwords: they
are accepted, never returned (every response shows the redacted form)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictStr

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.notify_schemas import (
    ChannelOut,
    NotificationDetailOut,
    NotificationOut,
    NotificationPage,
)
from flowdoctor.api.pagination import (
    DEFAULT_LIMIT,
    NO_NUL,
    Cursor,
    Limit,
    decode_cursor,
    render_page,
)
from flowdoctor.api.problems import problems
from flowdoctor.domain import Severity
from flowdoctor.domain.notifications import Grouping, NotificationStatus, OutboxEntry
from flowdoctor.monitor.rule_config import parse_matcher
from flowdoctor.notify.channel_service import describe, describe_notification

# Outbox ids are 64-bit: a larger number is a bad request, not a database error.
NotificationId = Annotated[int, Path(ge=1, lt=2**63)]

router = APIRouter(tags=["notifications"])
NOTIFICATIONS = "notifications"


class GroupingIn(BaseModel):
    """Send a channel's notifications in groups, as Alertmanager's routes do."""

    model_config = ConfigDict(extra="forbid")

    by: Annotated[list[StrictStr], Field(max_length=20)] = ["alertname"]
    wait_seconds: Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False)] = 30.0
    interval_seconds: Annotated[float, Field(ge=1, le=86400, allow_inf_nan=False)] = 300.0

    def to_grouping(self) -> Grouping:
        return Grouping(
            by=tuple(self.by),
            wait=timedelta(seconds=self.wait_seconds),
            interval=timedelta(seconds=self.interval_seconds),
        )


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    url: Annotated[StrictStr, Field(min_length=1, max_length=4000)]
    severities: list[Severity] = []
    matchers: Annotated[list[StrictStr], Field(max_length=50)] = []
    enabled: StrictBool = True
    grouping: GroupingIn | None = None


class ChannelUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    url: Annotated[StrictStr, Field(min_length=1, max_length=4000)] | None = None
    severities: list[Severity] | None = None
    matchers: Annotated[list[StrictStr], Field(max_length=50)] | None = None
    enabled: StrictBool | None = None
    grouping: GroupingIn | None = None
    """Absent: unchanged; ``null``: grouping off."""


class TestSendOut(BaseModel):
    ok: bool
    retryable: bool
    reason: str
    status: int | None


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(runtime: RuntimeDep) -> list[ChannelOut]:
    """Every channel, URLs redacted."""
    return [ChannelOut.model_validate(describe(c)) for c in runtime.channels.list()]


@router.post(
    "/channels",
    status_code=status.HTTP_201_CREATED,
    response_model=ChannelOut,
    responses=problems(413, 422),
)
def create_channel(body: ChannelIn, runtime: RuntimeDep) -> ChannelOut:
    """Add a channel: ``slack://``, ``msteams://``, ``discord://``, ``pagerduty://``,
    ``smtp://``/``mailto:``, ``webhook+https://`` or ``alertmanager+https://`` URLs."""
    channel = runtime.channels.create(
        name=body.name,
        url=body.url,
        severities=body.severities,
        matchers=[parse_matcher(m, f"matchers[{i}]") for i, m in enumerate(body.matchers)],
        enabled=body.enabled,
        grouping=body.grouping.to_grouping() if body.grouping else None,
    )
    return ChannelOut.model_validate(describe(channel))


@router.get("/channels/{channel_id}", response_model=ChannelOut, responses=problems(404, 422))
def get_channel(channel_id: str, runtime: RuntimeDep) -> ChannelOut:
    """One channel, URL redacted."""
    return ChannelOut.model_validate(describe(runtime.channels.get(channel_id)))


@router.patch(
    "/channels/{channel_id}", response_model=ChannelOut, responses=problems(404, 413, 422)
)
def update_channel(channel_id: str, body: ChannelUpdateIn, runtime: RuntimeDep) -> ChannelOut:
    """Change some of a channel's settings."""
    matchers = (
        None
        if body.matchers is None
        else [parse_matcher(m, f"matchers[{i}]") for i, m in enumerate(body.matchers)]
    )
    channel = runtime.channels.update(
        channel_id,
        name=body.name,
        url=body.url,
        severities=body.severities,
        matchers=matchers,
        enabled=body.enabled,
        grouping=(
            "unchanged"
            if "grouping" not in body.model_fields_set
            else body.grouping.to_grouping()
            if body.grouping
            else None
        ),
    )
    return ChannelOut.model_validate(describe(channel))


@router.delete(
    "/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404, 422)
)
def delete_channel(channel_id: str, runtime: RuntimeDep) -> Response:
    """Delete a channel."""
    runtime.channels.delete(channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/channels/{channel_id}/test", response_model=TestSendOut, responses=problems(404, 422)
)
def test_channel(channel_id: str, runtime: RuntimeDep) -> TestSendOut:
    """Send a test message now and say how it went (retryable or permanent failure)."""
    result = runtime.notifications.send_test(runtime.channels.get(channel_id))
    return TestSendOut(
        ok=result.ok, retryable=result.retryable, reason=result.reason, status=result.status
    )


@router.get("/notifications", response_model=NotificationPage, responses=problems(422))
def list_notifications(
    runtime: RuntimeDep,
    status_: Annotated[NotificationStatus | None, Query(alias="status")] = None,
    alert: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="The alert's fingerprint.")
    ] = None,
    channel_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    since: Annotated[AwareDatetime | None, Query(description="Created at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Created before.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> NotificationPage:
    """The outbox, oldest first, a page at a time: every notification with its status, attempts
    and last reason."""
    page = runtime.notifications.page(
        status=status_,
        alert_fingerprint=alert,
        channel_id=channel_id,
        since=since,
        until=until,
        after=decode_cursor(NOTIFICATIONS, cursor),
        limit=limit,
    )
    return render_page(NotificationPage, NOTIFICATIONS, page, _notification)


@router.get(
    "/notifications/{notification_id}",
    response_model=NotificationDetailOut,
    responses=problems(404, 422),
)
def get_notification(notification_id: NotificationId, runtime: RuntimeDep) -> NotificationDetailOut:
    """One outbox row with every delivery attempt."""
    entry = runtime.notifications.get(notification_id)
    attempts = runtime.notifications.attempts(notification_id)
    return NotificationDetailOut.model_validate(
        {**describe_notification(entry), "attempt_log": [asdict(a) for a in attempts]}
    )


@router.post(
    "/notifications/{notification_id}/retry",
    response_model=NotificationOut,
    responses=problems(404, 409, 422),
)
def retry_notification(
    notification_id: NotificationId,
    runtime: RuntimeDep,
    by: Annotated[str | None, Query(max_length=200)] = None,
) -> NotificationOut:
    """Send a failed notification again at the next delivery pass: one more attempt, logged
    like the others. 404 for an unknown id, 409 unless the row stands failed."""
    return _notification(runtime.notifications.retry(notification_id, by=by))


def _notification(entry: OutboxEntry) -> NotificationOut:
    return NotificationOut.model_validate(describe_notification(entry))
