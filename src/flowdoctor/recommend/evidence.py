"""What a recommendation rests on, in lines a person can check against their own logs.

::

    slack.ratelimited matched 1,204 times: Slack API error: ratelimited
    Root cause (85% confidence): Slack throttles the workflow
"""

from __future__ import annotations

from collections.abc import Sequence

from flowdoctor.domain import DiagnosticFinding, WorkflowIssue

MAX_ISSUE_LINES = 5
"""Issues named one by one; the rest are counted in one line, so evidence stays short."""
MAX_CAUSE_LINES = 3
"""Lines of a root cause's own evidence carried over (for causes with no issues: metrics)."""
MAX_TEMPLATE_CHARS = 200


def evidence_for(
    issues: Sequence[WorkflowIssue], cause: DiagnosticFinding | None
) -> tuple[str, ...]:
    """Evidence lines: the issues (most frequent first), then the root cause and its confidence.

    >>> from flowdoctor.domain import IssueCategory, Severity
    >>> issue = WorkflowIssue("fp", IssueCategory.RESOURCE, Severity.MEDIUM, True,
    ...     "Slack API error: ratelimited", rule_id="slack.ratelimited", occurrences=1204)
    >>> evidence_for([issue], None)
    ('slack.ratelimited matched 1,204 times: Slack API error: ratelimited',)
    """
    ranked = sorted(issues, key=lambda issue: -issue.occurrences)
    lines = [_issue_line(issue) for issue in ranked[:MAX_ISSUE_LINES]]
    hidden = ranked[MAX_ISSUE_LINES:]
    if hidden:
        total = sum(max(1, issue.occurrences) for issue in hidden)
        lines.append(f"and {len(hidden)} more issue(s), seen {total:,} times")
    if cause is not None:
        lines.append(f"Root cause ({cause.confidence:.0%} confidence): {cause.description}")
        if not issues:  # a metric-only cause: its own evidence is all there is
            lines.extend(cause.evidence[:MAX_CAUSE_LINES])
    return tuple(lines)


def _issue_line(issue: WorkflowIssue) -> str:
    count = max(1, issue.occurrences)
    template = issue.message_template
    if len(template) > MAX_TEMPLATE_CHARS:
        template = template[: MAX_TEMPLATE_CHARS - 1] + "…"
    times = "time" if count == 1 else "times"
    if issue.rule_id:
        return f"{issue.rule_id} matched {count:,} {times}: {template}"
    return f"{count:,} {issue.category.value} error(s), no rule matched: {template}"
