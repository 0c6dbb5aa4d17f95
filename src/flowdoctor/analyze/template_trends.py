"""Whether a workflow's recurring error templates are getting more or less frequent.

A stored template carries its total count over the sessions that mined it and when it was first
and last seen, not how often it happens now. The trend is read from the workflow's runs instead:
a failed run's message fits a template when, masked and cut into tokens the way the template
miner does it, it has the template's length and its constant tokens (``mining.clusters.Cluster``
matching). Failures of the last ``PERIOD`` are compared with the ``PERIOD`` before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flowdoctor.domain import RunEvent
from flowdoctor.mining import Masker
from flowdoctor.mining.clusters import Cluster
from flowdoctor.mining.tokens import tokenize

PERIOD = timedelta(hours=24)
RATIO = 1.5
"""How much more (or less) often than in the period before counts as rising (or falling)."""


class Trend(StrEnum):
    """Which way a template is going."""

    NEW = "new"
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    GONE = "gone"
    """Seen in the period before, not in the last one."""
    QUIET = "quiet"
    """In neither period: only older sessions saw it."""


@dataclass(frozen=True, slots=True)
class TemplateTrend:
    """Failed runs fitting a template in the last ``PERIOD`` and in the one before."""

    recent: int
    before: int
    trend: Trend

    @property
    def arrow(self) -> str:
        """The trend as an arrow, for the table."""
        return {Trend.NEW: "↑", Trend.RISING: "↑", Trend.FALLING: "↓", Trend.GONE: "↓"}.get(
            self.trend, "→"
        )


def template_trends(
    templates: Sequence[str], runs: Sequence[RunEvent], *, now: datetime
) -> list[TemplateTrend]:
    """The trend of each of ``templates`` (in their order) from the failed ``runs``.

    Whole runs are counted when there are any (a run's failing step repeats its message), as
    ``analyze.run_series`` counts a workflow.
    """
    whole_runs = any(r.step is None for r in runs)
    masker = Masker()
    messages = [
        (r.started_at, tokenize(masker(r.error_message)))
        for r in runs
        if r.failed
        and r.error_message
        and not (whole_runs and r.step is not None)
        and now - 2 * PERIOD <= r.started_at <= now
    ]
    found = []
    for text in templates:
        cluster = Cluster(number=0, tokens=tokenize(text))
        size = len(cluster.tokens)
        recent = before = 0
        for at, tokens in messages:
            if len(tokens) == size and cluster.matches(tokens):
                if at >= now - PERIOD:
                    recent += 1
                else:
                    before += 1
        found.append(TemplateTrend(recent, before, _trend(recent, before)))
    return found


def _trend(recent: int, before: int) -> Trend:
    if recent == 0:
        return Trend.GONE if before else Trend.QUIET
    if before == 0:
        return Trend.NEW
    if recent >= before * RATIO:
        return Trend.RISING
    if recent * RATIO <= before:
        return Trend.FALLING
    return Trend.STEADY
