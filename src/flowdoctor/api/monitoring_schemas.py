"""Request and response bodies of the monitoring endpoints (rules, alerts, silences).

Rules are taken as a plain JSON object and validated by ``monitor.rule_config`` (the same checks
as a provisioning file), so an error names the field the way the YAML user sees it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from flowdoctor.api.pagination import Page
from flowdoctor.api.schemas import Timestamp
from flowdoctor.domain import Alert, AlertRule, AlertState, Severity, Silence
from flowdoctor.monitor.alerts import AlertView
from flowdoctor.monitor.rule_config import rule_to_mapping
from flowdoctor.monitor.rules import BacktestFiring


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ProvisionIn(_Request):
    """A provisioning file's text (YAML with a top-level ``rules:`` list)."""

    yaml: Annotated[StrictStr, Field(min_length=1, max_length=1_000_000)]


class BacktestIn(_Request):
    """Backtest a stored rule (``rule_id``) or one given in full (``rule``)."""

    rule_id: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None
    rule: dict[str, Any] | None = None
    days: Annotated[float, Field(gt=0, le=31)] = 7
    step: StrictStr | None = None


class AcknowledgeIn(_Request):
    by: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    note: Annotated[StrictStr, Field(max_length=2000)] = ""


class SilenceIn(_Request):
    matchers: Annotated[list[StrictStr], Field(min_length=1, max_length=50)]
    ends_at: Timestamp
    starts_at: Timestamp | None = None
    reason: Annotated[StrictStr, Field(min_length=1, max_length=2000)]
    created_by: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class RuleOut(BaseModel):
    rule_id: str
    name: str | None
    workflow_id: str | None
    matchers: list[str]
    metric_name: str
    condition: str
    threshold: float
    alert_type: str
    severity: str
    for_seconds: float
    window_seconds: float
    labels: dict[str, str]
    annotations: dict[str, str]
    runbook_url: str | None
    enabled: bool

    @classmethod
    def of(cls, rule: AlertRule) -> RuleOut:
        data = rule_to_mapping(rule)
        data["for_seconds"] = data.pop("for")
        data["window_seconds"] = data.pop("window")
        return cls(**data)


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    fingerprint: str
    rule_id: str | None
    workflow_id: str | None
    state: AlertState
    severity: Severity
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float | None
    started_at: datetime
    updated_at: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    acknowledgement_note: str | None
    source: str

    @classmethod
    def of(cls, alert: Alert) -> AlertOut:
        return cls.model_validate(alert)


class AlertPage(Page[AlertOut]):
    """A page of alerts, most recently changed first."""


class TransitionOut(BaseModel):
    at: datetime
    kind: str
    detail: dict[str, Any]


class AlertDetailOut(AlertOut):
    history: list[TransitionOut]
    silenced_by: list[str]

    @classmethod
    def of(cls, view: AlertView) -> AlertDetailOut:  # type: ignore[override]
        base = AlertOut.of(view.alert).model_dump()
        history = [TransitionOut(at=t.at, kind=t.kind, detail=dict(t.detail)) for t in view.history]
        return cls(**base, history=history, silenced_by=view.silenced_by)


class SilenceOut(BaseModel):
    silence_id: str
    matchers: list[str]
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str

    @classmethod
    def of(cls, silence: Silence) -> SilenceOut:
        return cls(
            silence_id=silence.silence_id,
            matchers=[str(m) for m in silence.matchers],
            starts_at=silence.starts_at,
            ends_at=silence.ends_at,
            reason=silence.reason,
            created_by=silence.created_by,
        )


class FiringOut(BaseModel):
    labels: dict[str, str]
    fired_at: datetime
    resolved_at: datetime | None
    peak_value: float | None


class BacktestOut(BaseModel):
    firings: list[FiringOut]

    @classmethod
    def of(cls, episodes: list[BacktestFiring]) -> BacktestOut:
        return cls(
            firings=[
                FiringOut(
                    labels=e.labels,
                    fired_at=e.fired_at,
                    resolved_at=e.resolved_at,
                    peak_value=e.peak_value,
                )
                for e in episodes
            ]
        )
