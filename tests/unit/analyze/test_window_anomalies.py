"""The Isolation Forest over a workflow's metrics together: a shift in two metrics at once is
found, the baseline's own variety is not (false-alarm rate measured over seeds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from flowdoctor.analyze.window_anomalies import window_anomalies

T0 = datetime(2026, 11, 19, tzinfo=UTC)
N, BASELINE_END = 8 * 144, 7 * 144
TIMES = [T0 + timedelta(minutes=10 * i) for i in range(N)]


def _metrics(seed: int, *, fault_at: int | None = None) -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    latency = rng.normal(300, 20, N)
    throughput = rng.normal(50, 4, N)
    if fault_at is not None:
        latency[fault_at : fault_at + 12] += 90  # +4.5 sd
        throughput[fault_at : fault_at + 12] -= 18  # -4.5 sd
    return [("latency_ms", latency), ("throughput", throughput)]


def test_a_joint_shift_is_found_with_the_metrics_that_moved() -> None:
    fault = BASELINE_END + 60
    found = window_anomalies(_metrics(1, fault_at=fault), TIMES, BASELINE_END)
    assert found, "two metrics 4.5 sd off for two hours"
    first = found[0]
    assert first.kind == "metric_anomaly"
    assert f"{TIMES[fault]:%Y-%m-%d %H:%M}" in first.description
    assert "latency_ms.mean" in first.evidence[0] and "throughput" in first.evidence[0]


def test_quiet_metrics_give_few_false_alarms() -> None:
    alarms = sum(bool(window_anomalies(_metrics(seed), TIMES, BASELINE_END)) for seed in range(40))
    assert alarms <= 2, alarms


def test_too_little_to_go_on_gives_nothing() -> None:
    one = _metrics(2)[:1]
    assert window_anomalies(one, TIMES, BASELINE_END) == []
    assert window_anomalies(_metrics(2), TIMES, 60) == []  # 10 baseline windows
