"""Lagged correlation: lagged copies found at the right lag, trends and noise left alone."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from flowdoctor.analyze.correlation import correlation_findings, lagged_correlations
from flowdoctor.domain import Stage
from flowdoctor.errors import InputError
from support.series import ar1


def lagged_pair(seed: int, n: int = 600, lag: int = 7, noise: float = 0.5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    leader = ar1(rng, n + lag, 0.5)
    return {
        "error_rate": leader[lag:],
        "queue_depth": leader[:n] + noise * rng.normal(size=n),
    }


def test_lagged_copy_is_found_at_its_lag() -> None:
    found = lagged_correlations(lagged_pair(1), max_lag=15, step=timedelta(minutes=1))
    assert len(found) == 1
    result = found[0]
    assert (result.a, result.b) == ("error_rate", "queue_depth")
    assert (result.leader, result.follower) == ("error_rate", "queue_depth")
    assert result.lag == 7
    assert result.lag_time == timedelta(minutes=7)
    assert result.r > 0.5
    assert result.q_value < 0.001
    assert result.lags_tested == 31
    assert result.pairs_tested == 1


def test_pair_order_gives_the_sign_of_the_lag_not_the_leader() -> None:
    found = lagged_correlations(lagged_pair(2), pairs=[("queue_depth", "error_rate")], max_lag=15)
    assert len(found) == 1
    assert found[0].lag == -7
    assert found[0].lag_time is None
    assert (found[0].leader, found[0].follower) == ("error_rate", "queue_depth")


def test_inverse_relation_has_negative_r() -> None:
    series = lagged_pair(3)
    series["queue_depth"] = -series["queue_depth"]
    found = lagged_correlations(series, max_lag=15)
    assert len(found) == 1
    assert found[0].r < -0.5
    assert found[0].lag == 7


def test_independent_trending_series_are_not_correlated() -> None:
    rng = np.random.default_rng(4)
    t = np.arange(1000)
    series = {
        "latency": 0.01 * t + ar1(rng, 1000, 0.6),
        "backlog": 0.02 * t + ar1(rng, 1000, 0.6),
    }
    assert np.corrcoef(series["latency"], series["backlog"])[0, 1] > 0.8  # the trap
    assert lagged_correlations(series, max_lag=10) == []
    assert lagged_correlations(series, max_lag=10, transform="detrend") == []


def test_independent_random_walks_are_not_correlated() -> None:
    rng = np.random.default_rng(5)
    series = {f"walk{i}": rng.normal(size=800).cumsum() for i in range(6)}
    assert lagged_correlations(series, max_lag=10) == []


@pytest.mark.parametrize("phi", [0.0, 0.6])
def test_independent_series_rarely_give_any_discovery(phi: float) -> None:
    """Under the global null BH bounds P(any discovery) by the FDR: at most 3 of 20 batches."""
    rng = np.random.default_rng(60 + int(phi * 10))
    batches_with_discoveries = 0
    for _ in range(20):
        series = {f"s{i}": ar1(rng, 400, phi) for i in range(15)}  # 105 pairs
        batches_with_discoveries += bool(lagged_correlations(series, max_lag=10))
    assert batches_with_discoveries <= 3


def test_false_discovery_proportion_among_true_pairs_stays_low() -> None:
    """10 true lagged pairs among 190 tested, over 10 seeds: under 10% of discoveries false."""
    true_found = false_found = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        series = {f"n{i}": ar1(rng, 400, 0.3) for i in range(10)}
        for i in range(10):
            series[f"f{i}"] = np.roll(series[f"n{i}"], i + 1) + rng.normal(size=400) * 1.5
        for result in lagged_correlations(series, max_lag=12):
            pair = {result.leader, result.follower}
            is_true = any(pair == {f"n{i}", f"f{i}"} for i in range(10))
            true_found += is_true
            false_found += not is_true
    assert true_found >= 80
    assert false_found / (true_found + false_found) <= 0.1


def test_spikes_do_not_make_correlations() -> None:
    rng = np.random.default_rng(7)
    spiky = rng.normal(size=1000)
    spiky[[100, 400, 401, 800]] += 25.0
    also = rng.normal(size=1000)
    also[[102, 403, 802]] += 25.0  # coincidences two steps later
    assert lagged_correlations({"a": spiky, "b": also}, max_lag=5) == []


def test_constant_series_correlate_with_nothing() -> None:
    series = lagged_pair(8)
    series["flat"] = np.full(600, 3.0)
    found = lagged_correlations(series, max_lag=15)
    assert [(c.a, c.b) for c in found] == [("error_rate", "queue_depth")]


def test_finding_text_and_confidence() -> None:
    found = lagged_correlations(lagged_pair(9, lag=5), max_lag=15, step=timedelta(minutes=1))
    findings = correlation_findings(found)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == "metric_correlation"
    assert finding.stage is Stage.ANALYSIS
    assert finding.subject == "queue_depth"
    assert finding.description.startswith("queue_depth follows error_rate by 5 min (r=0.")
    assert finding.description.endswith(", q<0.001)")
    assert 0.3 < finding.confidence <= 0.9
    assert any("Benjamini-Hochberg over 1 pairs" in line for line in finding.evidence)


def test_same_time_relation_is_worded_as_moving_with() -> None:
    rng = np.random.default_rng(10)
    base = rng.normal(size=300)
    found = lagged_correlations({"cpu": base, "latency": base + rng.normal(size=300) * 0.3})
    assert found[0].lag == 0
    assert correlation_findings(found)[0].description.startswith("latency moves with cpu (r=")


@pytest.mark.parametrize(
    ("series", "options", "field", "message"),
    [
        ({"a": [1.0, float("nan")] * 30, "b": [1.0] * 60}, {}, "series.a", "finite"),
        ({"a": [1.0, float("inf")] * 30, "b": [1.0] * 60}, {}, "series.a", "finite"),
        ({"a": ["x"] * 60, "b": [1.0] * 60}, {}, "series.a", "real numbers"),
        ({"a": [1.0] * 60, "b": [1.0] * 61}, {}, "series", "equal lengths"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"max_lag": 20}, "max_lag", "too short"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"max_lag": -1}, "max_lag", ">= 0"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"pairs": [("a", "c")]}, "pairs", "not given"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"pairs": [("a", "a")]}, "pairs", "itself"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"pairs": ["ab"]}, "pairs", "tuple"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"fdr": 0}, "fdr", "between 0 and 1"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"method": "kendall"}, "method", "spearman"),
        ({"a": [1.0] * 60, "b": [1.0] * 60}, {"transform": "log"}, "transform", "difference"),
    ],
)
def test_bad_input_is_an_input_error(
    series: dict[str, object], options: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        lagged_correlations(series, **options)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_series_must_be_a_mapping() -> None:
    with pytest.raises(InputError, match="mapping") as caught:
        lagged_correlations([[1.0] * 60, [2.0] * 60])  # type: ignore[arg-type]
    assert caught.value.field == "series"


def test_no_series_no_pairs() -> None:
    assert lagged_correlations({}) == []
    assert lagged_correlations({"only": [1.0] * 60}) == []
