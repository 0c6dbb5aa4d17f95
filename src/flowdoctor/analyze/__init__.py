"""Pure analysis: run statistics, metric findings, root-cause diagnosis and fix verification.

::

    runs.py          summarize_runs(events) -> RunStats (and RunStats.as_metrics())
    thresholds.py    the metrics flowdoctor knows, as data (units, directions, limits, aliases)
    metrics.py       analyze_metrics(metrics, baseline=...) -> findings of the analysis stage
    diagnosis.py     diagnose(issues, findings) -> ranked root causes
    verification.py  verify_fix(before, after) and verify_metrics(before, after)

No I/O and no framework imports: everything here takes domain objects and returns new ones.
"""

from flowdoctor.analyze.diagnosis import diagnose
from flowdoctor.analyze.metrics import analyze_metrics
from flowdoctor.analyze.runs import RunStats, summarize_runs
from flowdoctor.analyze.verification import verify_fix, verify_metrics

__all__ = [
    "RunStats",
    "analyze_metrics",
    "diagnose",
    "summarize_runs",
    "verify_fix",
    "verify_metrics",
]
