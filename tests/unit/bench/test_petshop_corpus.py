"""The PetShop reader: a tiny constructed data set, malformed files, and the real data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from flowdoctor.bench.petshop_corpus import (
    load_issues,
    load_scenario,
    read_graph,
    read_metrics,
    read_target,
    scenario_names,
)
from flowdoctor.errors import InputError, UnreadableInputError
from support.data import SHARED_BENCHMARKS

REAL = SHARED_BENCHMARKS / "petshop"

GRAPH = ",Site,Search,Table\nSite,0,1,0\nSearch,0,0,1\nTable,0,0,0\n"
METRICS = (
    "microservice,Site,Search,Site\n"
    "metric,latency,latency,availability\n"
    "statistic,Average,Average,Average\n"
    "unix_timestamp,,,\n"
    "1000.0,0.1,0.01,100\n"
    "1300.0,0.3,,99.5\n"
    "1600.0,0.1,0.01,100\n"
)
TARGET = {
    "target": {"node": "Site", "metric": "latency", "agg": "Average", "timestamp": 1350},
    "root_cause": {"node": "Search", "metric": None},
}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    _write(tmp_path / "tiny" / "graph.csv", GRAPH)
    _write(tmp_path / "tiny" / "noissue" / "metrics.csv", METRICS)
    for number in (0, 1, 10):
        folder = tmp_path / "tiny" / "train" / f"issue_{number}"
        _write(folder / "metrics.csv", METRICS)
        _write(folder / "target.json", json.dumps(TARGET))
    _write(tmp_path / "tiny" / "train" / "issue_2" / "metrics.csv", METRICS)  # no target
    return tmp_path


def test_tiny_scenario_reads_graph_direction_normal_data_and_issues(dataset: Path) -> None:
    assert scenario_names(dataset) == ["tiny"]
    scenario = load_scenario(dataset, "tiny")
    assert scenario.nodes == ("Site", "Search", "Table")
    assert scenario.callees == {"Site": ("Search",), "Search": ("Table",), "Table": ()}
    assert scenario.normal is not None
    assert len(scenario.normal) == 3
    issues = load_issues(dataset, "tiny", "train")
    assert [issue.name for issue in issues] == [
        "tiny/train/issue_0",
        "tiny/train/issue_1",
        "tiny/train/issue_10",
    ]
    table = issues[0].metrics
    assert list(table.timestamps) == [1000.0, 1300.0, 1600.0]
    search = table.columns[("Search", "latency", "Average")]
    assert search[0] == 0.01
    assert math.isnan(search[1])
    assert list(table.window(1, 3).timestamps) == [1300.0, 1600.0]
    target = issues[0].target
    assert (target.node, target.metric, target.statistic) == ("Site", "latency", "Average")
    assert target.timestamp == 1350.0
    assert target.root_cause == "Search"


def test_scenario_without_normal_data_and_target_without_answer(tmp_path: Path) -> None:
    _write(tmp_path / "bare" / "graph.csv", GRAPH)
    assert load_scenario(tmp_path, "bare").normal is None
    path = _write(tmp_path / "t.json", json.dumps({"target": TARGET["target"]}))
    assert read_target(path).root_cause is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (",A,B\nA,0,1\nC,0,0\n", "row names"),
        (",A,B\nA,0,1\nB,0\n", "cells"),
        (",A,B\nA,0,2\nB,0,0\n", "0 or 1"),
        (",A,B\nA,0,x\nB,0,0\n", "not a number"),
        ("", "empty"),
    ],
)
def test_malformed_graph_is_an_input_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_graph(_write(tmp_path / "graph.csv", text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (METRICS.replace("statistic,", "stat,"), "header"),
        (METRICS.replace("0.3,", "slow,"), "not a number"),
        (METRICS.replace("1600.0", "1200.0"), "increasing"),
        (METRICS.replace("1600.0,0.1,0.01,100", "1600.0,0.1"), "cells"),
        (
            METRICS.replace("Search,Site", "Site,Site").replace(
                "latency,availability", "latency,latency"
            ),
            "repeated",
        ),
        ("\n".join(METRICS.splitlines()[:4]) + "\n", "no data rows"),
    ],
)
def test_malformed_metrics_is_an_input_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_metrics(_write(tmp_path / "metrics.csv", text))


@pytest.mark.parametrize(
    "text", ["{not json", json.dumps({"root_cause": {}}), json.dumps({"target": {"node": "A"}})]
)
def test_malformed_target_is_an_input_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError):
        read_target(_write(tmp_path / "target.json", text))


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError):
        read_metrics(tmp_path / "absent.csv")


@pytest.mark.skipif(not REAL.is_dir(), reason=f"PetShop data not found at {REAL}")
def test_real_petshop_low_traffic_reads_as_documented() -> None:
    assert "low_traffic" in scenario_names(REAL)
    scenario = load_scenario(REAL, "low_traffic")
    assert len(scenario.nodes) == 42
    assert "PetSearch_AWS::ECS::Fargate" in scenario.callees["PetSite"]
    assert scenario.callees["PetSearch_client"] == ("PetSearch_AWS::ECS::Fargate",)
    assert scenario.normal is not None
    assert len(scenario.normal) > 500
    issues = load_issues(REAL, "low_traffic", "train")
    assert len(issues) == 8
    for issue in issues:
        assert issue.target.node == "PetSite"
        assert issue.target.metric in {"latency", "availability"}
        assert issue.target.root_cause in scenario.nodes
        assert ("PetSite", issue.target.metric, issue.target.statistic) in issue.metrics.columns
        first, last = issue.metrics.timestamps[0], issue.metrics.timestamps[-1]
        assert first <= issue.target.timestamp <= last
