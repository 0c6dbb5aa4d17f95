"""``POST /api/v1/alertmanager``: Alertmanager's webhook (payload version 4) into flowdoctor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.problems import problems
from flowdoctor.api.schemas import Timestamp
from flowdoctor.monitor.alertmanager import IncomingAlert

router = APIRouter(tags=["alertmanager"])


Text = Annotated[StrictStr, Field(max_length=10_000)]


class _Loose(BaseModel):
    # Alertmanager adds fields between versions; unknown ones are ignored, known ones checked.
    model_config = ConfigDict(extra="ignore")


class AlertmanagerAlert(_Loose):
    status: Literal["firing", "resolved"]
    labels: Annotated[dict[Text, Text], Field(max_length=100)]
    annotations: Annotated[dict[Text, Text], Field(max_length=100)] = {}
    startsAt: Timestamp  # noqa: N815 (Alertmanager's field names)
    endsAt: StrictStr | None = None  # noqa: N815
    generatorURL: StrictStr | None = None  # noqa: N815
    fingerprint: Annotated[StrictStr, Field(max_length=64)] | None = None


class AlertmanagerPayload(_Loose):
    version: Literal["4"]
    status: Literal["firing", "resolved"]
    receiver: StrictStr
    alerts: Annotated[list[AlertmanagerAlert], Field(min_length=1, max_length=10_000)]


class ReceivedOut(BaseModel):
    created: int
    updated: int
    resolved: int


@router.post("/api/v1/alertmanager", response_model=ReceivedOut, responses=problems(413, 422))
def receive(body: AlertmanagerPayload, runtime: RuntimeDep) -> ReceivedOut:
    """Store the alerts of an Alertmanager notification; they are listed by ``GET .../alerts``."""
    result = runtime.alertmanager.receive(
        [
            IncomingAlert(
                status=a.status,
                labels=dict(a.labels),
                annotations=dict(a.annotations),
                starts_at=a.startsAt,
                ends_at=_end(a.endsAt),
                fingerprint=a.fingerprint,
            )
            for a in body.alerts
        ]
    )
    return ReceivedOut(created=result.created, updated=result.updated, resolved=result.resolved)


def _end(text: str | None) -> datetime | None:
    if not text or text.startswith("0001-01-01"):
        return None
    try:
        end = datetime.fromisoformat(text.replace("Z", "+00:00"))
        # Alertmanager always sends an offset; a time without one is taken as UTC.
        return end.astimezone(UTC) if end.tzinfo else end.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
