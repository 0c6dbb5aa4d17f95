"""The alerts page (``/alerts``): every alert, filtered by state, severity and acknowledgement,
with the actions an operator takes on one (acknowledge, resolve, silence); and the table alone as
a fragment (``/fragments/alerts``) that the page refreshes live.

Filters are query parameters, each may repeat: ``state`` (``pending``, ``firing``, ``resolved``,
or ``open`` for the first two), ``severity`` (``critical`` ... ``info``), and ``ack`` (``yes``:
acknowledged only, ``no``: not acknowledged). No ``state`` means every alert, open ones first.
The action forms post to ``/alerts/{fingerprint}/...`` with the page's filters in their query
string, so the 303 that follows lands on the same filtered view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flowdoctor.domain import Alert, AlertState, Matcher, Severity
from flowdoctor.errors import InputError, InvalidTransitionError
from flowdoctor.runtime import Runtime
from flowdoctor.web.common import RuntimeDep
from flowdoctor.web.render import page

router = APIRouter(include_in_schema=False)

OPEN = (AlertState.PENDING, AlertState.FIRING)
LIMIT = 200
"""At most this many alerts of each kind (open, resolved) are listed."""
SILENCE_HOURS = (1, 4, 24)
DONE = {
    "acknowledged": "Alert acknowledged.",
    "resolved": "Alert resolved.",
    "silenced": "Alert silenced: its notifications are muted until the silence ends.",
}
_E = TypeVar("_E", AlertState, Severity)
_STATE_ORDER = {AlertState.FIRING: 0, AlertState.PENDING: 1, AlertState.RESOLVED: 2}


@dataclass(frozen=True, slots=True)
class AlertFilters:
    """What the page shows, as read from the query string."""

    states: tuple[AlertState, ...] = ()
    severities: tuple[Severity, ...] = ()
    ack: str = ""
    """``yes``, ``no`` or empty (either)."""
    state_choices: tuple[str, ...] = ()
    """The ``state`` values as sent (``open`` stands for pending and firing)."""

    @property
    def state_choice(self) -> str:
        """The state ``<select>``'s value: the one ``state`` sent, else empty (any)."""
        return self.state_choices[0] if len(self.state_choices) == 1 else ""

    def query(self) -> str:
        """The filters as a query string (without ``?``), to carry them over to the next page."""
        pairs = [("state", s) for s in self.state_choices]
        pairs += [("severity", s.value) for s in self.severities]
        pairs += [("ack", self.ack)] if self.ack else []
        return urlencode(pairs)


def value_text(value: float | None) -> str:
    """A metric's value for people: ``30,000``, ``0.25``, ``1``; a dash for none."""
    if value is None:
        return "\N{EN DASH}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def read_filters(request: Request) -> AlertFilters:
    """The filters of the query string; ``InputError`` names a value that is none of the choices
    (an empty value, as a ``<select>``'s "any" option sends, means no filter)."""
    params = request.query_params
    states: list[AlertState] = []
    choices = [v for v in params.getlist("state") if v]
    for value in choices:
        if value == "open":
            states += OPEN
        else:
            states.append(_choice(AlertState, value, "state"))
    severities = [_choice(Severity, v, "severity") for v in params.getlist("severity") if v]
    ack = params.get("ack", "")
    if ack not in ("", "yes", "no"):
        raise InputError(f"{ack!r} is not one of: yes, no", field="ack")
    return AlertFilters(
        states=tuple(dict.fromkeys(states)),
        severities=tuple(dict.fromkeys(severities)),
        ack=ack,
        state_choices=tuple(dict.fromkeys(choices)),
    )


def _choice(kind: type[_E], value: str, field: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise InputError(f"{value!r} is not one of: {known}", field=field) from None


def alerts_context(runtime: Runtime, filters: AlertFilters) -> dict[str, Any]:
    """What ``_alerts_table.html`` needs: the alerts (open first, then the worst and the most
    recently changed), the silences muting each, the clock and the filters' query string."""
    states = filters.states or (*OPEN, AlertState.RESOLVED)
    alerts: list[Alert] = []
    limited = False
    # Open and resolved alerts are read apart, so a pile of old resolved alerts never pushes
    # an open one out of the listed LIMIT.
    for group in ([s for s in states if s in OPEN], [s for s in states if s not in OPEN]):
        if group:
            found = runtime.alerts.list(states=group, severities=filters.severities, limit=LIMIT)
            limited = limited or len(found) >= LIMIT
            alerts += found
    if filters.ack:
        alerts = [a for a in alerts if (a.acknowledged_by is not None) == (filters.ack == "yes")]
    alerts.sort(key=lambda a: -a.updated_at.timestamp())
    alerts.sort(key=lambda a: (_STATE_ORDER[a.state], a.severity.rank))
    now = runtime.clock.now()
    silences = runtime.alerts.silences(active_only=True)
    silenced: dict[str, datetime] = {}
    for alert in alerts:
        ends = [s.ends_at for s in silences if s.mutes(alert.labels, now)]
        if ends:
            silenced[alert.fingerprint] = max(ends)
    return {
        "alerts": alerts,
        "silenced": silenced,
        "now": now,
        "query": filters.query(),
        "silence_hours": SILENCE_HOURS,
        "limited": limited,
        "value_text": value_text,
    }


def _alerts_page(
    request: Request,
    runtime: Runtime,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    try:
        filters = read_filters(request)
    except InputError as exc:
        filters, error, status_code = AlertFilters(), f"Filter {exc.field}: {exc}", 422
    return page(
        request,
        "alerts.html",
        status_code=status_code,
        filters=filters,
        states=list(AlertState),
        severities=list(Severity),
        done=DONE.get(request.query_params.get("done", "")),
        error=error,
        **alerts_context(runtime, filters),
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """Every alert, filtered, with its actions."""
    return _alerts_page(request, runtime)


@router.get("/fragments/alerts", response_class=HTMLResponse)
def alerts_fragment(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """The alerts table alone, with the same filters, for the page's live refresh."""
    try:
        filters = read_filters(request)
    except InputError:
        filters = AlertFilters()
    return page(request, "_alerts_table.html", **alerts_context(runtime, filters))


@router.post("/alerts/{fingerprint}/acknowledge", response_class=HTMLResponse)
def acknowledge(
    fingerprint: str,
    request: Request,
    runtime: RuntimeDep,
    by: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Someone is on it."""
    move = runtime.alerts.acknowledge
    return _move(request, runtime, fingerprint, move, "acknowledge", by=by, note=note)


@router.post("/alerts/{fingerprint}/resolve", response_class=HTMLResponse)
def resolve(
    fingerprint: str,
    request: Request,
    runtime: RuntimeDep,
    by: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Resolve by hand."""
    move = runtime.alerts.resolve
    return _move(request, runtime, fingerprint, move, "resolve", by=by, note=note)


@router.post("/alerts/{fingerprint}/silence", response_class=HTMLResponse)
def silence(
    fingerprint: str,
    request: Request,
    runtime: RuntimeDep,
    by: Annotated[str, Form()] = "",
    hours: Annotated[int, Form()] = 1,
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Mute the alert's notifications for a while: a silence matching all its labels, so it
    mutes this alert (and another episode of it), not its neighbours."""
    alert = runtime.alerts.get(fingerprint).alert  # an unknown fingerprint is a 404
    try:
        if hours not in SILENCE_HOURS:
            raise InputError(f"a silence lasts {', '.join(map(str, SILENCE_HOURS))} hours")
        runtime.alerts.silence(
            matchers=[Matcher(k, v) for k, v in sorted(alert.labels.items())],
            ends_at=runtime.clock.now() + timedelta(hours=hours),
            reason=comment.strip() or f"silenced from the dashboard for {hours} h",
            created_by=by.strip(),
        )
    except InputError as exc:
        return _refused(request, runtime, "silence", exc)
    return _back(request, fingerprint, "silenced")


def _move(
    request: Request,
    runtime: Runtime,
    fingerprint: str,
    move: Callable[..., Alert],
    verb: str,
    *,
    by: str,
    note: str,
) -> Response:
    """A lifecycle move by hand (acknowledge, resolve): back to the page, or why not."""
    try:
        move(fingerprint, by=by.strip(), note=note.strip())
    except (InputError, InvalidTransitionError) as exc:
        return _refused(request, runtime, verb, exc)
    return _back(request, fingerprint, f"{verb}d")


def _back(request: Request, fingerprint: str, done: str) -> RedirectResponse:
    """Post/Redirect/Get: to the alerts page with the same filters, a flash, and the row."""
    try:
        query = read_filters(request).query()
    except InputError:
        query = ""
    query = f"{query}&done={done}" if query else f"done={done}"
    return RedirectResponse(
        f"/alerts?{query}#alert-{fingerprint}", status_code=status.HTTP_303_SEE_OTHER
    )


def _refused(
    request: Request, runtime: Runtime, action: str, exc: InputError | InvalidTransitionError
) -> HTMLResponse:
    """The page again with why the action was refused: 409 for a move the alert's lifecycle
    does not allow (resolving a resolved alert, acknowledging one), 422 for bad input."""
    message = str(exc)
    if isinstance(exc, InvalidTransitionError) and exc.current == exc.requested:
        message = f"it is already {exc.current} ({message})"
    conflict = isinstance(exc, InvalidTransitionError) or (
        isinstance(exc, InputError) and exc.field == "fingerprint"
    )
    field = exc.field if isinstance(exc, InputError) and exc.field else None
    if field and not conflict:
        message = f"{'your name' if field in ('by', 'created_by') else field}: {message}"
    return _alerts_page(
        request,
        runtime,
        status_code=409 if conflict else 422,
        error=f"Could not {action} the alert: {message}.",
    )
