"""Multi-metric window anomalies: the batch Isolation Forest over a workflow's metrics together.

A streaming detector looks at one series at a time; some trouble only shows in the combination
(latency up a little while throughput is down a little). Windows of ``WIDTH`` buckets are
described by the mean, spread and extremes of every metric (``detectors.window_features``); the
forest is fitted on the baseline's windows and scores the analysed period's. A window counts as
anomalous when it scores ``MARGIN`` above every baseline window and above ``MIN_SCORE``: the
forest's scores are relative to what it was fitted on, so the baseline sets the bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from flowdoctor.analyze.detectors import WindowIsolationForest, window_features
from flowdoctor.domain import DiagnosticFinding, Stage

WIDTH = 6
"""Buckets per window (an hour on 10-minute buckets)."""
MIN_SCORE = 0.6
MARGIN = 0.05
"""How far above the highest baseline window a window must score: one of 24 new windows beats the
highest of 168 old ones by chance about one day in eight."""
MIN_WINDOWS = 24
"""Baseline windows needed before the forest's opinion means anything."""


def window_anomalies(
    series: Sequence[tuple[str, np.ndarray]],
    times: Sequence[datetime],
    baseline_end: int,
    *,
    seed: int = 0,
) -> list[DiagnosticFinding]:
    """``metric_anomaly`` findings for anomalous windows of the analysed period (see above).

    ``series`` are (label, values over the whole grid); only those with a value in every bucket
    take part, and at least two are needed.
    """
    complete = {label: values for label, values in series if np.all(np.isfinite(values))}
    start = baseline_end - baseline_end % WIDTH  # windows aligned to the grid's start
    if len(complete) < 2 or start // WIDTH < MIN_WINDOWS:
        return []
    matrix, names = window_features(complete, WIDTH)
    base, recent = matrix[: start // WIDTH], matrix[start // WIDTH :]
    if recent.shape[0] == 0:
        return []
    forest = WindowIsolationForest(seed=seed).fit(base)
    bar = max(MIN_SCORE, float(forest.score(base).max()) + MARGIN)
    scores = forest.score(recent)
    centre, spread = base.mean(axis=0), base.std(axis=0) + 1e-9
    findings = []
    for row in np.flatnonzero(scores > bar):
        z = (recent[row] - centre) / spread
        top = np.argsort(-np.abs(z))[:3]
        at = times[start + int(row) * WIDTH]
        moved = ", ".join(f"{names[int(i)]} {z[int(i)]:+.1f} sd" for i in top)
        findings.append(
            DiagnosticFinding(
                kind="metric_anomaly",
                description=f"the workflow's metrics together were unusual in the hour from "
                f"{at:%Y-%m-%d %H:%M} (Isolation Forest score {scores[row]:.2f})",
                confidence=round(min(0.9, float(scores[row])), 4),
                stage=Stage.ANALYSIS,
                subject="metrics together",
                evidence=(
                    f"furthest from the baseline's windows: {moved}",
                    f"score {scores[row]:.2f} above every baseline window (highest {bar:.2f}); "
                    f"{len(complete)} metrics, {base.shape[0]} baseline windows",
                ),
            )
        )
    return findings
