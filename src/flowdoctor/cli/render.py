"""Rendering a diagnosis as a table (rich), JSON or Markdown. JSON uses the API's schemas, so the
CLI and the REST API describe the same things the same way."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from flowdoctor.api.schemas import FindingOut, IssueOut, RecommendationOut
from flowdoctor.domain import DiagnosticFinding, Recommendation, WorkflowIssue


@dataclass(slots=True)
class Diagnosis:
    """What ``flowdoctor diagnose`` found in one input."""

    source: str
    issues: list[WorkflowIssue]
    root_causes: list[DiagnosticFinding]
    recommendations: list[Recommendation]
    report: dict[str, Any] = field(default_factory=dict)
    session_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with every field."""
        return {
            "source": self.source,
            "session_id": self.session_id,
            "input": self.report,
            "issues_by_category": dict(Counter(i.category.value for i in self.issues)),
            "issues_by_severity": dict(Counter(i.severity.value for i in self.issues)),
            "issues": [IssueOut.model_validate(i).model_dump(mode="json") for i in self.issues],
            "root_causes": [
                FindingOut.model_validate(f).model_dump(mode="json") for f in self.root_causes
            ],
            "recommendations": [
                RecommendationOut.model_validate(r).model_dump(mode="json")
                for r in self.recommendations
            ],
        }


def render_json(diagnosis: Diagnosis, console: Console) -> None:
    """Machine-readable output: one JSON document."""
    console.file.write(json.dumps(diagnosis.to_json(), indent=2) + "\n")


def render_markdown(diagnosis: Diagnosis, console: Console) -> None:
    """A Markdown report, ready to paste into a ticket."""
    lines = [f"# flowdoctor diagnosis: {diagnosis.source}", "", _input_line(diagnosis), ""]
    lines += ["## Issues", "", "| category | severity | platform | count | message |"]
    lines += ["|---|---|---|---|---|"]
    for issue in _ordered(diagnosis.issues):
        template = issue.message_template.replace("|", "\\|")[:120]
        lines.append(
            f"| {issue.category.value} | {issue.severity.value} | {issue.platform or '-'} "
            f"| {issue.occurrences} | {template} |"
        )
    lines += ["", "## Probable root causes", ""]
    for cause in diagnosis.root_causes:
        lines.append(f"- **{cause.description}** (confidence {cause.confidence:.0%})")
        lines += [f"  - {e}" for e in cause.evidence[:3]]
    lines += ["", "## Recommendations", ""]
    for rec in diagnosis.recommendations:
        lines.append(f"{rec.priority}. **{rec.title}** — {rec.rationale}")
        lines += [f"   - {step}" for step in rec.steps]
        lines.append(f"   - replay: {rec.replay_safety.value}")
    console.file.write("\n".join(lines) + "\n")


def render_table(diagnosis: Diagnosis, console: Console) -> None:
    """Human output: issues grouped by category and severity, root causes, recommendations."""
    console.print(f"[bold]flowdoctor diagnosis[/bold] of {escape(diagnosis.source)}")
    console.print(_input_line(diagnosis))
    table = Table(title="Issues by category and severity", show_lines=False)
    for column in ("category", "severity", "platform", "count", "retryable", "message"):
        table.add_column(column, overflow="fold")
    for issue in _ordered(diagnosis.issues):
        table.add_row(
            issue.category.value,
            issue.severity.value,
            issue.platform or "-",
            str(issue.occurrences),
            "yes" if issue.retryable else "no",
            Text(issue.message_template[:160]),  # Text: a "[db]" in a log is not markup
        )
    console.print(table)
    console.print("[bold]Probable root causes[/bold]")
    if not diagnosis.root_causes:
        console.print("  none found")
    for cause in diagnosis.root_causes:
        confidence = f"[dim](confidence {cause.confidence:.0%})[/dim]"
        console.print(f"  • {escape(cause.description)} {confidence}")
    console.print("[bold]Recommendations[/bold]")
    if not diagnosis.recommendations:
        console.print("  none")
    for rec in diagnosis.recommendations:
        console.print(f"  {rec.priority}. [bold]{escape(rec.title)}[/bold]")
        for step in rec.steps:
            console.print(f"     - {escape(step)}")
        console.print(f"     [dim]replay: {rec.replay_safety.value}[/dim]")
    if diagnosis.session_id:
        console.print(f"saved as session {diagnosis.session_id}")


def _ordered(issues: Sequence[WorkflowIssue]) -> list[WorkflowIssue]:
    return sorted(issues, key=lambda i: (i.category.value, i.severity.rank, -i.occurrences))


def _input_line(diagnosis: Diagnosis) -> str:
    r = diagnosis.report
    text = f"{r.get('lines_read', 0)} lines read, {r.get('errors_seen', 0)} errors classified"
    skipped = int(r.get("unreadable", 0))
    if skipped:
        text += f", {skipped} unreadable lines skipped"
    if r.get("overflow"):
        text += f", {r['overflow']} errors beyond the group limit counted but not grouped"
    return text


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}
