"""The rules pages: every alert rule (``/rules``), and the form that creates one
(``/rules/new``) or edits one (``/rules/{rule_id}/edit``), with a backtest preview ("what would
this rule have fired over the last days") that saves nothing.

The form posts its fields as text; ``RuleForm.to_mapping`` turns them into the mapping the rule
service validates (the same validation as the REST API and provisioning files), and an
``InputError`` comes back next to the field it names, with the input kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flowdoctor.analyze.derived_metrics import DERIVED_METRICS
from flowdoctor.domain import AlertRule, AlertState, Condition, Severity
from flowdoctor.errors import InputError
from flowdoctor.monitor.rule_config import rule_from_mapping
from flowdoctor.monitor.rules import BacktestFiring
from flowdoctor.runtime import Runtime
from flowdoctor.web.alerts import value_text
from flowdoctor.web.common import RuntimeDep
from flowdoctor.web.render import page

router = APIRouter(include_in_schema=False)

PREVIEW_DAYS = (1, 3, 7)
"""Backtests replay every window of the period: a week of a busy fleet takes seconds."""
PREVIEW_ROWS = 100
"""At most this many backtest episodes are listed (all are counted)."""
DONE = {"created": "Rule created.", "updated": "Rule updated."}
_FIELD_OF = {"for": "for_duration", "rule_id": "name"}
"""Where the service's field names differ from the form's."""


@dataclass(slots=True)
class RuleForm:
    """A rule as the form holds it: text, as typed (so a refused form comes back unchanged)."""

    name: str = ""
    workflow_id: str = ""
    matchers: str = ""
    """Comma separated: ``team=crm, env!=test``."""
    metric_name: str = "error_rate"
    condition: str = Condition.GREATER_THAN.value
    threshold: str = ""
    for_duration: str = "0"
    window: str = "15m"
    severity: str = Severity.MEDIUM.value
    alert_type: str = ""
    labels: str = ""
    """Comma separated: ``team=crm, tier=gold``."""
    annotations: str = ""
    """One ``name=value`` a line: ``summary=Sync fails``."""
    runbook_url: str = ""
    enabled: bool = True

    @classmethod
    def of(cls, rule: AlertRule) -> RuleForm:
        """The form showing a stored rule."""
        return cls(
            name=rule.name,
            workflow_id=rule.workflow_id or "",
            matchers=", ".join(str(m) for m in rule.matchers),
            metric_name=rule.metric_name,
            condition=Condition(rule.condition).value,
            threshold=_plain(rule.threshold),
            for_duration=duration(rule.for_duration),
            window=duration(rule.window),
            severity=Severity(rule.severity).value,
            alert_type=rule.alert_type if rule.alert_type != rule.metric_name else "",
            labels=", ".join(f"{k}={v}" for k, v in rule.labels.items()),
            annotations="\n".join(f"{k}={v}" for k, v in rule.annotations.items()),
            runbook_url=rule.runbook_url or "",
            enabled=rule.enabled,
        )

    def to_mapping(self) -> dict[str, Any]:
        """The mapping ``runtime.rules.create``/``update`` take; blank optional fields are left
        out. ``InputError`` for a label or annotation that is not ``name=value``."""
        if not self.name.strip():
            raise InputError("give the rule a name", field="name")
        data: dict[str, Any] = {
            "name": self.name.strip(),
            "metric_name": self.metric_name.strip(),
            "condition": self.condition,
            "threshold": _number(self.threshold),
            "for": self.for_duration.strip() or "0",
            "window": self.window.strip(),
            "severity": self.severity,
            "matchers": [m.strip() for m in self.matchers.split(",") if m.strip()],
            "labels": _pairs(self.labels.split(","), "labels"),
            "annotations": _pairs(self.annotations.splitlines(), "annotations"),
            "enabled": self.enabled,
        }
        optional = {
            "workflow_id": self.workflow_id,
            "alert_type": self.alert_type,
            "runbook_url": self.runbook_url,
        }
        data.update({k: v.strip() for k, v in optional.items() if v.strip()})
        return data


def _plain(number: float) -> str:
    """``10000`` rather than ``10000.0``, but every digit kept (``:g`` alone rounds to six)."""
    short = f"{number:.15g}"
    return short if float(short) == number else repr(number)


def _number(text: str) -> float | str:
    """The threshold as a number; text that is none is passed on for the service to refuse."""
    try:
        return float(text.strip())
    except ValueError:
        return text


def _pairs(parts: list[str], field: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in parts):
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise InputError(f"{part!r} is not name=value", field=field)
        pairs[name.strip()] = value.strip()
    return pairs


def duration(value: timedelta) -> str:
    """A duration as the form takes it back: ``0``, ``90s``, ``15m``, ``1h``, ``2d``."""
    seconds = value.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s" if seconds else "0"


def selector(rule: AlertRule) -> str:
    """Which workflows a rule judges, in words."""
    if rule.workflow_id:
        return rule.workflow_id
    if rule.matchers:
        return "workflows where " + ", ".join(str(m) for m in rule.matchers)
    return "every workflow"


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """Every rule, with how many of its alerts fire now."""
    rules = sorted(runtime.rules.list(), key=lambda r: (r.name or r.rule_id).lower())
    firing = Counter(a.rule_id for a in runtime.alerts.list(states=[AlertState.FIRING], limit=1000))
    return page(
        request,
        "rules.html",
        rules=rules,
        firing=firing,
        done=DONE.get(request.query_params.get("done", "")),
        duration=duration,
        selector=selector,
    )


@router.get("/rules/new", response_class=HTMLResponse)
def new_rule_page(request: Request) -> HTMLResponse:
    """An empty rule form."""
    return _form(request, RuleForm(), rule_id=None)


@router.get("/rules/{rule_id}/edit", response_class=HTMLResponse)
def edit_rule_page(rule_id: str, request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """The form of a stored rule (an unknown id is a 404)."""
    return _form(request, RuleForm.of(runtime.rules.get(rule_id)), rule_id=rule_id)


def _fields(
    name: Annotated[str, Form()] = "",
    workflow_id: Annotated[str, Form()] = "",
    matchers: Annotated[str, Form()] = "",
    metric_name: Annotated[str, Form()] = "",
    condition: Annotated[str, Form()] = "",
    threshold: Annotated[str, Form()] = "",
    for_duration: Annotated[str, Form()] = "",
    window: Annotated[str, Form()] = "",
    severity: Annotated[str, Form()] = "",
    alert_type: Annotated[str, Form()] = "",
    labels: Annotated[str, Form()] = "",
    annotations: Annotated[str, Form()] = "",
    runbook_url: Annotated[str, Form()] = "",
    enabled: Annotated[str, Form()] = "",
) -> RuleForm:
    """The posted form (an unchecked ``enabled`` box sends nothing: disabled)."""
    return RuleForm(
        name, workflow_id, matchers, metric_name, condition, threshold, for_duration, window,
        severity, alert_type, labels, annotations, runbook_url, enabled=bool(enabled),
    )  # fmt: skip


FormDep = Annotated[RuleForm, Depends(_fields)]
Action = Annotated[str, Form()]
Days = Annotated[int, Form()]
DEFAULT_DAYS = 1


@router.post("/rules", response_class=HTMLResponse)
def create_rule(
    request: Request,
    runtime: RuntimeDep,
    form: FormDep,
    action: Action = "save",
    days: Days = DEFAULT_DAYS,
) -> Response:
    """Save a new rule (303 to the list), or with ``action=preview`` show its backtest."""
    return _submit(request, runtime, form, None, action, days)


@router.post("/rules/{rule_id}", response_class=HTMLResponse)
def update_rule(
    rule_id: str,
    request: Request,
    runtime: RuntimeDep,
    form: FormDep,
    action: Action = "save",
    days: Days = DEFAULT_DAYS,
) -> Response:
    """Save a rule's new definition (303 to the list), or preview its backtest."""
    runtime.rules.get(rule_id)  # an unknown id is a 404, not a form error
    return _submit(request, runtime, form, rule_id, action, days)


def _submit(
    request: Request,
    runtime: Runtime,
    form: RuleForm,
    rule_id: str | None,
    action: str,
    days: int,
) -> Response:
    try:
        data = form.to_mapping()
        if action == "preview":
            if days not in PREVIEW_DAYS:
                raise InputError(
                    f"preview over {', '.join(map(str, PREVIEW_DAYS))} days", field="days"
                )
            rule = rule_from_mapping(data)
            episodes = runtime.rules.backtest(rule, days=days)
            return _form(request, form, rule_id=rule_id, backtest=episodes, days=days)
        if rule_id is None:
            saved = runtime.rules.create(data)
        else:
            saved = runtime.rules.update(rule_id, data)
    except InputError as exc:
        return _form(request, form, rule_id=rule_id, error=exc, days=days, status_code=422)
    done = "created" if rule_id is None else "updated"
    return RedirectResponse(
        f"/rules?done={done}#rule-{saved.rule_id}", status_code=status.HTTP_303_SEE_OTHER
    )


def _form(
    request: Request,
    form: RuleForm,
    *,
    rule_id: str | None,
    error: InputError | None = None,
    backtest: list[BacktestFiring] | None = None,
    days: int = DEFAULT_DAYS,
    status_code: int = 200,
) -> HTMLResponse:
    """The rule form, with the error next to its field or the backtest's result."""
    field = None
    if error is not None and error.field:
        # "rule.matchers[2]" -> "matchers": the form's input that holds the bad value
        name = error.field.removeprefix("rule.").split("[")[0]
        field = _FIELD_OF.get(name, name)
    return page(
        request,
        "rule_form.html",
        status_code=status_code,
        form=asdict(form),
        rule_id=rule_id,
        error=str(error) if error else None,
        error_field=field,
        backtest=backtest,
        shown=(backtest or [])[:PREVIEW_ROWS],
        workflows=sorted({e.labels.get("workflow_id", "") for e in backtest or []}),
        days=days,
        preview_days=PREVIEW_DAYS,
        metrics=DERIVED_METRICS,
        value_text=value_text,
        conditions=[c.value for c in Condition],
        severities=[s.value for s in Severity],
    )
