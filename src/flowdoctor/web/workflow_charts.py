"""The workflow page's charts: the series ``analyze.workflow_charts`` computes, drawn as SVG with
the recorded changes of the window as flags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flowdoctor.analyze.workflow_charts import WINDOW, workflow_chart_series
from flowdoctor.domain import ChangeEvent, RunEvent
from flowdoctor.web.charts import LineChart, Marker, render_line_chart


@dataclass(frozen=True, slots=True)
class WorkflowChart:
    """One rendered chart and what it marks, for the page's legend and tests."""

    title: str
    svg: str
    anomalies: int
    change_points: int
    events: int


def workflow_charts(
    workflow_id: str,
    runs: Sequence[RunEvent],
    changes: Sequence[ChangeEvent],
    *,
    now: datetime,
) -> list[WorkflowChart]:
    """Each of the workflow's chart series over the ``WINDOW`` before ``now``, rendered."""
    markers = [
        Marker(at=c.occurred_at, label=f"{c.kind}: {c.description}")
        for c in changes
        if now - WINDOW <= c.occurred_at <= now
    ]
    charts = []
    for series in workflow_chart_series(workflow_id, runs, now=now):
        minutes = int(series.bucket.total_seconds() // 60)
        chart = LineChart(
            title=f"{series.title}, last 24 h ({minutes}-minute buckets)",
            unit=series.unit,
            points=series.points,
            anomalies=series.anomalies,
            change_points=series.change_points,
            markers=markers,
        )
        charts.append(
            WorkflowChart(
                title=series.title,
                svg=render_line_chart(chart),
                anomalies=len(series.anomalies),
                change_points=len(series.change_points),
                events=len(markers),
            )
        )
    return charts
