"""Benchmark: root-cause ranking (``flowdoctor.analyze.rootcause``) on the PetShop data set.

    python benchmarks/petshop.py --data ../shared/benchmarks/petshop [--split train|test] [--json]

For every ``<scenario>/<split>/issue_N``, the ranker gets the call graph (``graph.csv``), the
issue's ``metrics.csv`` and its target (the SLO-violating node and metric, e.g. PetSite latency
Average). Every node contributes the target's metric and statistic (a latency symptom is explained
by latencies, an availability one by availabilities). Normal values come from the scenario's
``noissue/metrics.csv`` where present; otherwise from the issue's own rows before the target's
timestamp. The ranking never sees ``root_cause``: it is read after ranking, only to score.

Scores: top-1 / top-3 recall = share of issues whose true root-cause node is first / in the first
three (an empty ranking is a miss); per scenario, per target metric and overall. Issues without a
``root_cause`` are ranked but not scored.

Specificity protocol: ``noissue/metrics.csv`` is cut into non-overlapping windows as long as the
scenario's issues (5 rows of 5 minutes). Each window is one run per distinct target of that
scenario's issues, ranked exactly like an issue, with the rest of the normal data as reference
except ``GUARD_ROWS`` rows either side of the window (so a window is not its own reference).
Specificity = share of those runs that return no root cause. Scenarios without normal data have
no specificity runs.

One set of parameters (``RankingParams`` defaults) for every scenario; they were tuned on the
train split, so train figures are optimistic and a test split, when present, is the honest check.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flowdoctor.analyze.rootcause import (
    DEFAULT_PARAMS,
    MetricSeries,
    RankingParams,
    Symptom,
    rank_root_causes,
)
from flowdoctor.bench.petshop_corpus import (
    Issue,
    MetricTable,
    Scenario,
    Target,
    load_issues,
    load_scenario,
    scenario_names,
)

# direction (+1: rises are bad, -1: drops are bad) and the smallest change that matters.
METRIC_UNITS = {"latency": (1, 0.001), "availability": (1, 0.5), "requests": (0, 1.0)}
GUARD_ROWS = 36  # 3 hours of 5-minute rows kept out of a normal window's reference


@dataclass(frozen=True)
class Run:
    """One ranking: its name, the true root cause (None when unknown) and the ranked nodes."""

    name: str
    scenario: str
    metric: str
    truth: str | None
    ranking: list[str]


def baseline_rows(table: MetricTable, target: Target) -> int:
    """Rows strictly before the bucket holding the target's timestamp (at least one)."""
    return max(1, int(np.searchsorted(table.timestamps, target.timestamp, side="right")) - 1)


def rank(
    scenario: Scenario,
    table: MetricTable,
    target: Target,
    normal: MetricTable | None,
    params: RankingParams = DEFAULT_PARAMS,
) -> list[str]:
    """Node names ranked for ``target`` on ``table``; ``normal`` gives references when present."""
    direction, min_scale = METRIC_UNITS.get(target.metric, (0, 0.0))
    nodes = {}
    for node in scenario.nodes:
        key = (node, target.metric, target.statistic)
        if key not in table.columns:
            continue
        reference = normal.columns.get(key) if normal is not None else None
        if reference is not None and not np.isfinite(reference).any():
            reference = None
        values = table.columns[key]
        if target.metric == "availability":
            # As unavailability (100 - %): its normal level is near 0, so the relative floor of
            # the scale follows the error rate instead of being a share of 100 %.
            values = 100.0 - values
            reference = None if reference is None else 100.0 - reference
        series = MetricSeries(values, reference, direction, min_scale)
        nodes[node] = {f"{target.metric} {target.statistic}": series}
    symptom = Symptom(target.node, f"{target.metric} {target.statistic}")
    if symptom.node not in nodes:
        return []
    hypotheses = rank_root_causes(
        nodes,
        scenario.callees,
        symptom,
        baseline_end=baseline_rows(table, target),
        step_seconds=300.0,
        params=params,
    )
    return [hypothesis.name for hypothesis in hypotheses]


def issue_runs(
    root: Path, scenario: Scenario, split: str, params: RankingParams = DEFAULT_PARAMS
) -> list[Run]:
    """One run per issue of ``scenario`` in ``split``."""
    runs = []
    for issue in load_issues(root, scenario.name, split):
        ranking = rank(scenario, issue.metrics, issue.target, scenario.normal, params)
        runs.append(
            Run(issue.name, scenario.name, issue.target.metric, issue.target.root_cause, ranking)
        )
    return runs


def normal_runs(
    scenario: Scenario, issues: Sequence[Issue], params: RankingParams = DEFAULT_PARAMS
) -> list[Run]:
    """Runs on windows of the normal data (see the specificity protocol in the docstring)."""
    if scenario.normal is None or not issues:
        return []
    normal = scenario.normal
    width = len(issues[0].metrics)
    targets = {(issue.target.node, issue.target.metric, issue.target.statistic) for issue in issues}
    runs = []
    for start in range(0, len(normal) - width + 1, width):
        window = normal.window(start, start + width)
        keep = np.ones(len(normal), dtype=bool)
        keep[max(0, start - GUARD_ROWS) : start + width + GUARD_ROWS] = False
        reference = MetricTable(
            timestamps=normal.timestamps[keep],
            columns={key: values[keep] for key, values in normal.columns.items()},
        )
        for node, metric, statistic in sorted(targets):
            # Put the target time where the issues have it: inside the second bucket.
            target = Target(node, metric, statistic, float(window.timestamps[1]), None)
            ranking = rank(scenario, window, target, reference, params)
            runs.append(
                Run(f"{scenario.name}/noissue@{start}", scenario.name, metric, None, ranking)
            )
    return runs


def recall(runs: Sequence[Run], k: int) -> float | None:
    """Share of scored runs whose true root cause is in the first ``k``; None with none scored."""
    scored = [run for run in runs if run.truth is not None]
    if not scored:
        return None
    return sum(run.truth in run.ranking[:k] for run in scored) / len(scored)


def specificity(runs: Sequence[Run]) -> float | None:
    """Share of normal runs that return no root cause; None without runs."""
    return sum(not run.ranking for run in runs) / len(runs) if runs else None


def figures(runs: Sequence[Run], normal: Sequence[Run]) -> dict[str, float | int | None]:
    """The summary numbers of one group of runs."""
    return {
        "issues": len(runs),
        "scored": sum(run.truth is not None for run in runs),
        "top1": recall(runs, 1),
        "top3": recall(runs, 3),
        "normal_runs": len(normal),
        "specificity": specificity(normal),
    }


def _cell(value: float | int | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_table(summary: dict[str, dict[str, dict[str, float | int | None]]]) -> None:
    """The markdown table of the summary, one row per group."""
    print("| group | issues | scored | top-1 recall | top-3 recall | normal runs | specificity |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for section in ("by_scenario", "by_metric", "overall"):
        for name, row in summary[section].items():
            label = f"**{name}**" if section == "overall" else name
            cells = " | ".join(
                _cell(row[key])
                for key in ("issues", "scored", "top1", "top3", "normal_runs", "specificity")
            )
            print(f"| {label} | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=None, help="the PetShop folder (required)")
    parser.add_argument("--split", default="train", help="issue folder per scenario (train)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args()
    if args.data is None:
        parser.error("--data is required: the folder holding <scenario>/graph.csv")
    names = scenario_names(args.data)
    if not names:
        raise SystemExit(f"no <scenario>/graph.csv under {args.data}")
    runs: list[Run] = []
    normal: list[Run] = []
    started = time.perf_counter()
    for name in names:
        scenario = load_scenario(args.data, name)
        issues = load_issues(args.data, name, args.split)
        print(f"{name}: {len(issues)} issues ...", file=sys.stderr, flush=True)
        runs += issue_runs(args.data, scenario, args.split)
        normal += normal_runs(scenario, issues)
    elapsed = time.perf_counter() - started
    if not runs:
        splits = sorted({path.parent.name for path in args.data.glob("*/*/issue_*/")})
        raise SystemExit(f"no {args.split} issues under {args.data}; splits there: {splits}")
    summary = summarise(runs, normal)
    if args.json:
        payload = {
            "summary": {"split": args.split, "seconds": round(elapsed, 3), **summary},
            "issues": [{"issue": run.name, "ranking": run.ranking} for run in runs],
        }
        print(json.dumps(payload, indent=2))
        return
    print_table(summary)
    print()
    print(
        f"split {args.split}; {len(runs)} issues and {len(normal)} normal runs ranked in "
        f"{elapsed:.2f} s including file reading ({1000 * elapsed / (len(runs) + len(normal)):.1f}"
        " ms per run). Specificity: normal data cut into windows as long as the issues, each "
        "ranked once per target of the scenario, reference = normal data outside the window "
        f"± {GUARD_ROWS} rows; share that return no root cause. Parameters tuned on train."
    )


def summarise(
    runs: Sequence[Run], normal: Sequence[Run]
) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """Figures per scenario, per target metric and overall."""
    by_scenario: dict[str, list[Run]] = defaultdict(list)
    by_metric: dict[str, list[Run]] = defaultdict(list)
    normal_by_scenario: dict[str, list[Run]] = defaultdict(list)
    normal_by_metric: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_scenario[run.scenario].append(run)
        by_metric[run.metric].append(run)
    for run in normal:
        normal_by_scenario[run.scenario].append(run)
        normal_by_metric[run.metric].append(run)
    return {
        "by_scenario": {
            name: figures(group, normal_by_scenario[name]) for name, group in by_scenario.items()
        },
        "by_metric": {
            name: figures(group, normal_by_metric[name]) for name, group in by_metric.items()
        },
        "overall": {"all": figures(runs, normal)},
    }


if __name__ == "__main__":
    main()
