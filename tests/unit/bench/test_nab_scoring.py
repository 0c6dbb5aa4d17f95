"""The NAB v1.1 scorer: hand-computed cases, and the published numbers from the real corpus."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flowdoctor.bench.nab_corpus import load_profiles, load_scored_corpus, load_thresholds
from flowdoctor.bench.nab_scoring import (
    CostProfile,
    NabSeries,
    best_threshold,
    normalise,
    probation_rows,
    row_weights,
    scaled_sigmoid,
    score_corpus,
    score_file,
    sweep,
)
from support.data import SHARED_BENCHMARKS

STANDARD = CostProfile(a_tp=1.0, a_fn=1.0, a_fp=0.11)
T0 = np.datetime64("2024-01-01T00:00:00", "us")
MINUTE = np.timedelta64(1, "m")
N_ROWS = 100  # probation: floor(0.15 * 100) = 15 rows


def sig(x: float) -> float:
    return 2.0 / (1.0 + math.exp(5.0 * x)) - 1.0 if x <= 3.0 else -1.0


def series(
    detections: list[int], windows: list[tuple[int, int]], n: int = N_ROWS, name: str = "f.csv"
) -> NabSeries:
    """A file of ``n`` rows, one minute apart, scoring 1.0 at ``detections`` and 0.0 elsewhere."""
    timestamps = T0 + MINUTE * np.arange(n)
    scores = np.zeros(n)
    scores[detections] = 1.0
    return NabSeries(
        name=name,
        timestamps=timestamps,
        scores=scores,
        windows=tuple((timestamps[left], timestamps[right]) for left, right in windows),
    )


def raw(s: NabSeries, profile: CostProfile = STANDARD, threshold: float = 0.5) -> float:
    return score_file(row_weights(s, profile), profile, threshold)


def test_probation_is_15_percent_capped_at_750_rows() -> None:
    assert probation_rows(100) == 15
    assert probation_rows(4999) == 749
    assert probation_rows(10_000) == 750


def test_scaled_sigmoid_is_minus_one_beyond_three() -> None:
    x = np.array([-1.0, 0.0, 3.0, 3.0001])
    assert scaled_sigmoid(x) == pytest.approx([sig(-1.0), 0.0, sig(3.0), -1.0])


def test_detection_at_the_window_start_scores_a_tp() -> None:
    assert raw(series([40], [(40, 49)])) == pytest.approx(1.0)


def test_an_early_detection_beats_a_late_one() -> None:
    early = raw(series([41], [(40, 49)]))
    late = raw(series([49], [(40, 49)]))
    # Row i of window [40, 49] (W = 10) weighs sig(-(49 - i + 1) / 10) / sig(-1).
    assert early == pytest.approx(sig(-0.9) / sig(-1.0))
    assert late == pytest.approx(sig(-0.1) / sig(-1.0))
    assert early > late > 0


def test_only_the_earliest_detection_in_a_window_counts() -> None:
    assert raw(series([41, 45, 49], [(40, 49)])) == pytest.approx(raw(series([41], [(40, 49)])))


def test_a_missed_window_costs_a_fn() -> None:
    assert raw(series([], [(40, 49), (70, 79)])) == pytest.approx(-2.0)
    low_fn = CostProfile(a_tp=1.0, a_fn=2.0, a_fp=0.11)
    assert raw(series([], [(40, 49)]), low_fn) == pytest.approx(-2.0)


def test_false_positive_before_any_window_costs_full_a_fp() -> None:
    # Window missed (-1) plus a false positive before it (-0.11).
    assert raw(series([20], [(40, 49)])) == pytest.approx(-1.0 - 0.11)
    assert raw(series([20], [])) == pytest.approx(-0.11)


def test_false_positive_after_a_window_costs_less_near_it() -> None:
    detected = 40  # +1 for the window [40, 49], W = 10
    near = raw(series([detected, 50], [(40, 49)]))
    far = raw(series([detected, 60], [(40, 49)]))
    very_far = raw(series([detected, 90], [(40, 49)]))  # |90 - 49| / 9 > 3: full cost
    assert near == pytest.approx(1.0 + 0.11 * sig(1 / 9))
    assert far == pytest.approx(1.0 + 0.11 * sig(11 / 9))
    assert very_far == pytest.approx(1.0 - 0.11)
    assert near > far > very_far


def test_false_positive_between_windows_is_measured_from_the_previous_window() -> None:
    score = raw(series([30, 52, 60], [(30, 39), (60, 69)]))
    assert score == pytest.approx(2.0 + 0.11 * sig(13 / 9))


def test_probation_rows_are_never_detections() -> None:
    assert raw(series([0, 5, 14], [(40, 49)])) == pytest.approx(-1.0)
    assert raw(series([15], [(40, 49)])) == pytest.approx(-1.0 - 0.11)


def test_threshold_is_inclusive() -> None:
    s = series([40], [(40, 49)])
    assert raw(s, threshold=1.0) == pytest.approx(1.0)
    assert raw(s, threshold=1.0000001) == pytest.approx(-1.0)


def test_normalisation_perfect_is_100_and_null_is_0() -> None:
    windows = [(30, 39), (60, 69)]
    files = [series([30, 60], windows, name="a.csv"), series([50], [(50, 59)], name="b.csv")]
    nulls = [series([], windows, name="a.csv"), series([], [(50, 59)], name="b.csv")]
    assert score_corpus(files, STANDARD, 0.5).normalised == pytest.approx(100.0)
    assert score_corpus(nulls, STANDARD, 0.5).normalised == pytest.approx(0.0)
    low_fn = CostProfile(a_tp=1.0, a_fn=2.0, a_fp=0.11)
    assert normalise(-6.0, n_windows=3, profile=low_fn) == pytest.approx(0.0)
    assert normalise(3.0, n_windows=3, profile=low_fn) == pytest.approx(100.0)


def test_best_threshold_matches_scoring_at_every_swept_threshold() -> None:
    rng = np.random.default_rng(7)
    files = []
    for k in range(4):
        s = series([], [(30, 39), (70, 79)], name=f"{k}.csv")
        scores = np.round(rng.random(N_ROWS), 2)  # rounding makes ties
        files.append(NabSeries(s.name, s.timestamps, scores, s.windows))
    thresholds, raws = sweep(files, STANDARD)
    assert raws[0] == pytest.approx(-8.0)  # above every score: the null detector
    for threshold, expected in zip(thresholds[1:], raws[1:], strict=True):
        assert score_corpus(files, STANDARD, float(threshold)).raw == pytest.approx(expected)
    best = best_threshold(files, STANDARD)
    assert best.raw == pytest.approx(raws.max())


NAB_ROOT = SHARED_BENCHMARKS / "nab"
PUBLISHED = {
    "numenta": {"standard": 70.10, "reward_low_FP_rate": 63.12, "reward_low_FN_rate": 74.32},
    "ARTime": {"standard": 74.85, "reward_low_FP_rate": 65.15, "reward_low_FN_rate": 80.36},
}


@pytest.mark.skipif(not NAB_ROOT.is_dir(), reason=f"NAB corpus not present at {NAB_ROOT}")
@pytest.mark.parametrize("detector", sorted(PUBLISHED))
def test_reproduces_published_nab_scores(detector: str) -> None:
    profiles = load_profiles(NAB_ROOT)
    thresholds = load_thresholds(NAB_ROOT)
    scores_path = NAB_ROOT / "reference_detector_scores" / f"{detector}_anomaly_scores.csv.gz"
    corpus = load_scored_corpus(NAB_ROOT, scores_path)
    assert sum(len(s.scores) for s in corpus) == 365_558
    assert sum(len(s.windows) for s in corpus) == 116
    for profile_name, published in PUBLISHED[detector].items():
        profile = profiles[profile_name]
        at_published = score_corpus(corpus, profile, thresholds[detector][profile_name])
        assert at_published.normalised == pytest.approx(published, abs=0.01)
        # The sweep never does worse than the published threshold.
        assert best_threshold(corpus, profile).raw >= at_published.raw - 1e-9
