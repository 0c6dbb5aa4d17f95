"""Rules, alerts and silences over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime

from flowdoctor.api.deps import RuntimeDep
from flowdoctor.api.monitoring_schemas import (
    AcknowledgeIn,
    AlertDetailOut,
    AlertOut,
    AlertPage,
    BacktestIn,
    BacktestOut,
    ProvisionIn,
    RuleOut,
    SilenceIn,
    SilenceOut,
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
from flowdoctor.domain import AlertState, Matcher, Severity
from flowdoctor.monitor.rule_config import parse_duration, parse_matcher, rule_from_mapping

router = APIRouter(tags=["monitoring"])
ALERTS = "alerts"


@router.get("/rules", response_model=list[RuleOut])
def list_rules(runtime: RuntimeDep) -> list[RuleOut]:
    """Every alert rule."""
    return [RuleOut.of(rule) for rule in runtime.rules.list()]


@router.post(
    "/rules",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleOut,
    responses=problems(413, 422),
)
def create_rule(body: dict[str, Any], runtime: RuntimeDep) -> RuleOut:
    """Create a rule; errors name the field (``rule.threshold``)."""
    return RuleOut.of(runtime.rules.create(body))


@router.post("/rules/provision", response_model=list[RuleOut], responses=problems(413, 422))
def provision_rules(body: ProvisionIn, runtime: RuntimeDep) -> list[RuleOut]:
    """Create or replace the rules of a YAML provisioning file (all or none)."""
    return [RuleOut.of(rule) for rule in runtime.rules.provision(body.yaml)]


@router.get("/rules/{rule_id}", response_model=RuleOut, responses=problems(404, 422))
def get_rule(rule_id: str, runtime: RuntimeDep) -> RuleOut:
    """One rule."""
    return RuleOut.of(runtime.rules.get(rule_id))


@router.put("/rules/{rule_id}", response_model=RuleOut, responses=problems(404, 413, 422))
def update_rule(rule_id: str, body: dict[str, Any], runtime: RuntimeDep) -> RuleOut:
    """Replace a rule's definition."""
    return RuleOut.of(runtime.rules.update(rule_id, body))


@router.delete(
    "/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404, 422)
)
def delete_rule(rule_id: str, runtime: RuntimeDep) -> Response:
    """Delete a rule (its alerts and their history stay)."""
    runtime.rules.delete(rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/rules/backtest", response_model=BacktestOut, responses=problems(404, 413, 422))
def backtest(body: BacktestIn, runtime: RuntimeDep) -> BacktestOut:
    """What a rule (stored, by ``rule_id``, or given) would have fired over the last days."""
    rule = (
        runtime.rules.get(body.rule_id)
        if body.rule_id
        else rule_from_mapping(body.rule or {}, where="rule")
    )
    step = parse_duration(body.step, "step") if body.step is not None else None
    episodes = runtime.rules.backtest(rule, days=body.days, step=step)
    return BacktestOut.of(episodes)


@router.get("/alerts", response_model=AlertPage, responses=problems(422))
def list_alerts(
    runtime: RuntimeDep,
    state: Annotated[list[AlertState] | None, Query(description="Any of these states.")] = None,
    severity: Annotated[
        list[Severity] | None, Query(description="Any of these severities.")
    ] = None,
    workflow_id: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    since: Annotated[AwareDatetime | None, Query(description="Changed at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Changed before.")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> AlertPage:
    """Alerts, most recently changed first, a page at a time. An alert that changes while you
    page moves to the first page: it is never listed twice, and you see it on the next walk."""
    page = runtime.alerts.page(
        states=state or (),
        severities=severity or (),
        workflow_id=workflow_id,
        since=since,
        until=until,
        after=decode_cursor(ALERTS, cursor),
        limit=limit,
    )
    return render_page(AlertPage, ALERTS, page, AlertOut.of)


@router.get("/alerts/{fingerprint}", response_model=AlertDetailOut, responses=problems(404, 422))
def get_alert(fingerprint: str, runtime: RuntimeDep) -> AlertDetailOut:
    """One alert with its full history and the silences muting it."""
    return AlertDetailOut.of(runtime.alerts.get(fingerprint))


@router.post(
    "/alerts/{fingerprint}/acknowledge", response_model=AlertOut, responses=problems(404, 413, 422)
)
def acknowledge(fingerprint: str, body: AcknowledgeIn, runtime: RuntimeDep) -> AlertOut:
    """Acknowledge: who is on it, and a note."""
    return AlertOut.of(runtime.alerts.acknowledge(fingerprint, by=body.by, note=body.note))


@router.post(
    "/alerts/{fingerprint}/resolve",
    response_model=AlertOut,
    responses=problems(404, 409, 413, 422),
)
def resolve(fingerprint: str, body: AcknowledgeIn, runtime: RuntimeDep) -> AlertOut:
    """Resolve by hand."""
    return AlertOut.of(runtime.alerts.resolve(fingerprint, by=body.by, note=body.note))


@router.get("/silences", response_model=list[SilenceOut], responses=problems(422))
def list_silences(
    runtime: RuntimeDep, active: Annotated[bool, Query()] = False
) -> list[SilenceOut]:
    """Every silence, or only those in force now."""
    return [SilenceOut.of(s) for s in runtime.alerts.silences(active_only=active)]


@router.post(
    "/silences",
    status_code=status.HTTP_201_CREATED,
    response_model=SilenceOut,
    responses=problems(413, 422),
)
def create_silence(body: SilenceIn, runtime: RuntimeDep) -> SilenceOut:
    """Mute matching alerts' notifications until ``ends_at``."""
    matchers: list[Matcher] = [
        parse_matcher(m, f"matchers[{i}]") for i, m in enumerate(body.matchers)
    ]
    silence = runtime.alerts.silence(
        matchers=matchers,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        created_by=body.created_by,
    )
    return SilenceOut.of(silence)


@router.delete(
    "/silences/{silence_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404, 422)
)
def end_silence(silence_id: str, runtime: RuntimeDep) -> Response:
    """End a silence now."""
    runtime.alerts.end_silence(silence_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
