"""Pure analysis: run statistics, metric findings, series analysis, diagnosis and verification.

::

    runs.py          summarize_runs(events) -> RunStats (and RunStats.as_metrics())
    thresholds.py    the metrics flowdoctor knows, as data (units, directions, limits, aliases)
    metrics.py       analyze_metrics(metrics, baseline=...) -> findings of the analysis stage
    diagnosis.py     diagnose(issues, findings) -> ranked root causes
    verification.py  verify_fix(before, after) and verify_metrics(before, after)
    detectors/       streaming anomaly detectors (learn_one / score_one, scores in [0, 1]),
                     Threshold (the decision, kept apart), WindowIsolationForest (batch)
    series.py        checks shared by the series analyses: values, timestamps, remove_season
    trends.py        detect_trend(values, timestamps) -> Trend (Mann-Kendall, Theil-Sen slope)
    changepoints.py  detect_change_points(values, timestamps) -> level/variance ChangePoints;
                     link_change_events(points, events) -> EventLinks to recorded changes
    correlation.py   lagged_correlations(series) -> LaggedCorrelations (best lag, BH q-values)
    run_series.py    runs and samples -> NodeSeries on one grid; workflow -> step -> platform edges
    rootcause/       rank_root_causes(nodes, graph, symptom) -> Hypotheses (onset, traversal, ...)
    workflow_rca.py  one workflow's series and changes -> ranked root_cause findings; merge_ranked
    outages.py       find_platform_outages(runs) and fold_into_outages(causes, outages)
    window_anomalies.py   Isolation Forest over a workflow's metrics together, hour by hour
    workflow_findings.py  one workflow's series -> anomaly, trend, change-point, correlation
                          findings

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
