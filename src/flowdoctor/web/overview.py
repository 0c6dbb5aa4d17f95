"""The overview page (``/``): workflows by health, firing alerts, the last day's issues and the
degraded external services; and the firing-alerts fragment the page refreshes live."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from flowdoctor.domain import AlertState
from flowdoctor.web.charts import BarChart, render_bar_chart
from flowdoctor.web.common import RuntimeDep
from flowdoctor.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """The fleet at a glance."""
    fleet = runtime.overview.overview()
    charts = {
        title: render_bar_chart(BarChart(title=title, bars=_top(counts)))
        for title, counts in (
            ("Issues by category, last 24 h", fleet.issues.by_category),
            ("Issues by platform, last 24 h", fleet.issues.by_platform),
            ("Issues by severity, last 24 h", fleet.issues.by_severity),
        )
    }
    return page(request, "overview.html", fleet=fleet, charts=charts, now=fleet.computed_at)


@router.get("/fragments/firing-alerts", response_class=HTMLResponse)
def firing_alerts_fragment(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """The firing alerts list alone, for the overview's live refresh."""
    firing = runtime.alerts.list(states=[AlertState.FIRING], limit=200)
    return page(request, "_firing_alerts.html", firing=firing, now=runtime.clock.now())


def _top(counts: dict[str, int], n: int = 8) -> list[tuple[str, float]]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(name or "(none)", float(total)) for name, total in ranked[:n]]
