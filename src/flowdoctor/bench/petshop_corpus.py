"""Read the PetShop root-cause data set (Hardt et al., CLeaR 2024) into plain types.

::

    <root>/<scenario>/graph.csv                      adjacency matrix; row = caller, column = callee
    <root>/<scenario>/noissue/metrics.csv            normal operation (absent in some scenarios)
    <root>/<scenario>/<split>/issue_N/metrics.csv    30 minutes around one injected issue
    <root>/<scenario>/<split>/issue_N/target.json    {"target": {...}, "root_cause": {...}}

``metrics.csv`` has a 3-row header (microservice / metric / statistic), then a ``unix_timestamp``
row with no values, then one row per 5-minute bucket whose first cell is the bucket's unix time.
Empty cells are missing values (NaN). In ``graph.csv`` a 1 at (row ``PetSite``, column
``PetSearch_AWS::ECS::Fargate``) means PetSite calls PetSearch: the upstream README calls it the
call graph, and the only rows with ones are callers (``*_client`` rows point at their service).

Malformed files raise ``InputError``; files that cannot be opened raise ``UnreadableInputError``.
The answer key (``root_cause``) is read into its own field so a ranker never needs to see it.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from flowdoctor.errors import InputError, UnreadableInputError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
# (microservice, metric, statistic), e.g. ("PetSite", "latency", "Average")
ColumnKey = tuple[str, str, str]
HEADER_LABELS = ("microservice", "metric", "statistic")


@dataclass(frozen=True)
class MetricTable:
    """One ``metrics.csv``: bucket start times (unix seconds) and one value array per column."""

    timestamps: FloatArray
    columns: dict[ColumnKey, FloatArray]

    def __len__(self) -> int:
        return len(self.timestamps)

    def window(self, start: int, stop: int) -> MetricTable:
        """The rows ``start:stop`` (a view, not a copy)."""
        return MetricTable(
            timestamps=self.timestamps[start:stop],
            columns={key: values[start:stop] for key, values in self.columns.items()},
        )


@dataclass(frozen=True)
class Target:
    """The SLO-violating node and metric of one issue, and the answer key when it is known."""

    node: str
    metric: str
    statistic: str
    timestamp: float
    root_cause: str | None


@dataclass(frozen=True)
class Issue:
    """One injected issue: ``name`` is ``<scenario>/<split>/issue_N``."""

    name: str
    scenario: str
    metrics: MetricTable
    target: Target


@dataclass(frozen=True)
class Scenario:
    """A traffic scenario: its call graph (caller -> callees) and its normal data, when present."""

    name: str
    nodes: tuple[str, ...]
    callees: dict[str, tuple[str, ...]]
    normal: MetricTable | None


def _read_rows(path: Path) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.reader(handle))
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc}") from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not a readable CSV file: {exc}") from exc


def _number(text: str, where: str) -> float:
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a number") from None


def read_graph(path: Path) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The nodes and the callees of each node, from an adjacency-matrix ``graph.csv``.

    The header row names the columns, the first cell of each row names the row; both must list
    the same nodes in the same order, and every cell must be 0 or 1.
    """
    rows = _read_rows(path)
    if not rows:
        raise InputError(f"{path} is empty")
    nodes = tuple(rows[0][1:])
    if [row[0] for row in rows[1:] if row] != list(nodes):
        raise InputError(f"{path}: row names differ from the column names")
    callees: dict[str, tuple[str, ...]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(nodes) + 1:
            raise InputError(f"{path}, line {line}: {len(row) - 1} cells, expected {len(nodes)}")
        flags = [_number(cell, f"{path}, line {line}") for cell in row[1:]]
        if any(flag not in (0.0, 1.0) for flag in flags):
            raise InputError(f"{path}, line {line}: adjacency cells must be 0 or 1")
        callees[row[0]] = tuple(node for node, flag in zip(nodes, flags, strict=True) if flag)
    return nodes, callees


def read_metrics(path: Path) -> MetricTable:
    """A ``metrics.csv`` with its 3-row header; see the module docstring for the layout."""
    rows = [row for row in _read_rows(path) if row]
    if len(rows) < 4 or tuple(row[0] for row in rows[:3]) != HEADER_LABELS:
        raise InputError(f"{path}: expected the header rows microservice / metric / statistic")
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise InputError(f"{path}: rows have different numbers of cells")
    keys = list(zip(rows[0][1:], rows[1][1:], rows[2][1:], strict=True))
    if len(set(keys)) != len(keys):
        raise InputError(f"{path}: a (microservice, metric, statistic) column is repeated")
    # The 4th row only labels the timestamp column; data starts after it.
    body = rows[4:] if rows[3][0] == "unix_timestamp" else rows[3:]
    if not body:
        raise InputError(f"{path}: no data rows")
    values = np.array(
        [
            [_number(cell, f"{path}, line {line}") for cell in row]
            for line, row in enumerate(body, start=len(rows) - len(body) + 1)
        ],
        dtype=np.float64,
    )
    if np.isnan(values[:, 0]).any() or (np.diff(values[:, 0]) <= 0).any():
        raise InputError(f"{path}: timestamps must be present and increasing")
    return MetricTable(
        timestamps=values[:, 0],
        columns={key: values[:, index + 1] for index, key in enumerate(keys)},
    )


def read_target(path: Path) -> Target:
    """The ``target`` of a ``target.json``, with ``root_cause`` when the file has one."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from exc
    try:
        target = raw["target"]
        root = raw.get("root_cause") or {}
        return Target(
            node=str(target["node"]),
            metric=str(target["metric"]),
            statistic=str(target.get("agg") or "Average"),
            timestamp=float(target["timestamp"]),
            root_cause=str(root["node"]) if root.get("node") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{path}: malformed target: {exc!r}") from exc


def load_scenario(root: Path, name: str) -> Scenario:
    """A scenario's graph and, when ``noissue/metrics.csv`` exists, its normal data."""
    folder = root / name
    nodes, callees = read_graph(folder / "graph.csv")
    normal_path = folder / "noissue" / "metrics.csv"
    normal = read_metrics(normal_path) if normal_path.is_file() else None
    return Scenario(name=name, nodes=nodes, callees=callees, normal=normal)


def scenario_names(root: Path) -> list[str]:
    """The folders under ``root`` that hold a ``graph.csv``, sorted."""
    return sorted(path.parent.name for path in root.glob("*/graph.csv"))


def load_issues(root: Path, scenario: str, split: str) -> list[Issue]:
    """Every ``<scenario>/<split>/issue_N`` with both files, in issue-number order."""
    folders = [
        path.parent
        for path in (root / scenario / split).glob("issue_*/metrics.csv")
        if (path.parent / "target.json").is_file()
    ]

    def number(folder: Path) -> tuple[int, str]:
        suffix = folder.name.removeprefix("issue_")
        return (int(suffix), "") if suffix.isdigit() else (1 << 30, suffix)

    return [
        Issue(
            name=f"{scenario}/{split}/{folder.name}",
            scenario=scenario,
            metrics=read_metrics(folder / "metrics.csv"),
            target=read_target(folder / "target.json"),
        )
        for folder in sorted(folders, key=number)
    ]
