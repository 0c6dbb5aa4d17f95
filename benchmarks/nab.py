"""Benchmark: flowdoctor's streaming detectors on the Numenta Anomaly Benchmark (NAB v1.1).

Runs one fresh detector per data file over all 58 files of ``<data>/data/<category>/<file>.csv``
in time order: for every row ``score_one`` then ``learn_one`` (the row is judged before the
detector learns it; nothing looks ahead). The detector sees values and parsed timestamps only and
never reads ``labels/``: one set of parameters serves every file. Every row's score goes to
``--scores-out`` as a gzip CSV with the header ``file,timestamp,anomaly_score`` (``file`` is the
data-relative path, ``timestamp`` exactly as in the data file).

Then, unless ``--no-score``, the scores are scored with flowdoctor's NAB scorer
(``flowdoctor.bench.nab_scoring``): for each cost profile (standard, reward_low_FP_rate,
reward_low_FN_rate) the best corpus-wide threshold and the normalised score. In the same run the
two reference detectors in ``reference_detector_scores/`` (Numenta HTM, ARTime) are rescored both
at their published thresholds (``config/thresholds.json``; this reproduces the published numbers)
and at the best threshold of the same sweep ours gets, next to the published scoreboard
(``results/final_results.json``).

Throughput: points per second in the detector loop alone (``score_one`` + ``learn_one``), and over
the whole detection phase (reading and parsing the CSV files, the loop, writing the scores).
Progress goes to stderr; the markdown tables to stdout.

The default detector's parameters were tuned against this benchmark's standard-profile score
(see ``flowdoctor.analyze.detectors.record``); a score here is therefore an in-sample number.

    python benchmarks/nab.py --data ../shared/benchmarks/nab --scores-out /tmp/nab_scores.csv.gz
    python benchmarks/nab.py --data ../shared/benchmarks/nab --scores-out /tmp/s.csv.gz --no-score
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flowdoctor.analyze.detectors import RecordDetector, SeasonalZScore, StreamingDetector
from flowdoctor.bench.nab_corpus import load_profiles, load_scored_corpus, load_thresholds
from flowdoctor.bench.nab_scoring import best_threshold, score_corpus

EXPECTED_POINTS = 365_558
PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")
REFERENCES = {"numenta": "Numenta HTM", "ARTime": "ARTime"}
DETECTORS: dict[str, Callable[[], StreamingDetector]] = {
    "record": RecordDetector,
    "zscore": SeasonalZScore,
}


@dataclass
class Detection:
    """What the detection phase measured."""

    points: int
    files: int
    loop_seconds: float
    phase_seconds: float


def read_file(path: Path) -> tuple[list[str], list[datetime], list[float]]:
    """Raw timestamps, parsed timestamps and values of one NAB data file."""
    raw: list[str] = []
    values: list[float] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        if next(reader, None) != ["timestamp", "value"]:
            raise SystemExit(f"{path}: expected the header timestamp,value")
        for stamp, value in reader:
            raw.append(stamp)
            values.append(float(value))
    return raw, [datetime.fromisoformat(stamp) for stamp in raw], values


def detect(data_root: Path, scores_out: Path, make: Callable[[], StreamingDetector]) -> Detection:
    """Score every row of every data file and write the scores CSV; returns the timings."""
    phase_start = time.perf_counter()
    paths = sorted((data_root / "data").glob("*/*.csv"))
    if not paths:
        raise SystemExit(f"no data files under {data_root / 'data'}: is --data the NAB folder?")
    loop_seconds = 0.0
    points = 0
    scores_out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(scores_out, "wb", compresslevel=6) as raw_out:
        out = io.TextIOWrapper(raw_out, encoding="utf-8", newline="")
        out.write("file,timestamp,anomaly_score\n")
        for number, path in enumerate(paths, 1):
            name = path.relative_to(data_root / "data").as_posix()
            stamps, times, values = read_file(path)
            detector = make()
            score_one, learn_one = detector.score_one, detector.learn_one
            scores: list[float] = []
            append = scores.append
            start = time.perf_counter()
            for value, moment in zip(values, times, strict=True):
                append(score_one(value, moment))
                learn_one(value, moment)
            loop_seconds += time.perf_counter() - start
            points += len(values)
            out.writelines(
                f"{name},{stamp},{score:.10g}\n"
                for stamp, score in zip(stamps, scores, strict=True)
            )
            print(f"[{number}/{len(paths)}] {name}: {len(values):,} rows", file=sys.stderr)
        out.flush()
        out.detach()
    return Detection(points, len(paths), loop_seconds, time.perf_counter() - phase_start)


def print_throughput(run: Detection) -> None:
    """The throughput table."""
    print("| measure | points | seconds | points/s |")
    print("|---|---:|---:|---:|")
    print(
        f"| detector loop (score_one + learn_one) | {run.points:,} | {run.loop_seconds:.2f} "
        f"| {run.points / run.loop_seconds:,.0f} |"
    )
    print(
        f"| detection phase (read + parse + loop + write) | {run.points:,} "
        f"| {run.phase_seconds:.2f} | {run.points / run.phase_seconds:,.0f} |"
    )
    if run.points != EXPECTED_POINTS:
        print(f"\nWARNING: {run.points:,} points scored, NAB v1.1 has {EXPECTED_POINTS:,}.")


def score_tables(data_root: Path, scores_out: Path, detector_name: str) -> None:
    """Score our CSV and the reference detectors' and print the comparison table."""
    profiles = load_profiles(data_root)
    published_thresholds = load_thresholds(data_root)
    scoreboard_path = data_root / "results" / "final_results.json"
    scoreboard = json.loads(scoreboard_path.read_text()) if scoreboard_path.is_file() else {}
    rows: list[tuple[str, list[str]]] = []

    print(f"scoring {scores_out} ...", file=sys.stderr)
    ours = load_scored_corpus(data_root, scores_out)
    cells = []
    for profile in PROFILES:
        best = best_threshold(ours, profiles[profile])
        cells.append(f"{best.normalised:.2f} (θ={best.threshold:.4f})")
    rows.append((f"**flowdoctor `{detector_name}`** (this run, best θ)", cells))

    for key, label in REFERENCES.items():
        path = data_root / "reference_detector_scores" / f"{key}_anomaly_scores.csv.gz"
        print(f"rescoring {path.name} ...", file=sys.stderr)
        corpus = load_scored_corpus(data_root, path)
        at_published, at_best = [], []
        for profile in PROFILES:
            theta = published_thresholds[key][profile]
            fixed = score_corpus(corpus, profiles[profile], theta)
            at_published.append(f"{fixed.normalised:.2f} (θ={theta:.4f})")
            best = best_threshold(corpus, profiles[profile])
            at_best.append(f"{best.normalised:.2f} (θ={best.threshold:.4f})")
        rows.append((f"{label}, rescored at its published θ", at_published))
        rows.append((f"{label}, rescored at best θ", at_best))
        if key in scoreboard:
            rows.append((f"{label}, published", [f"{scoreboard[key][p]:.2f}" for p in PROFILES]))

    print("| detector | standard | reward_low_FP_rate | reward_low_FN_rate |")
    print("|---|---:|---:|---:|")
    for label, row_cells in rows:
        print(f"| {label} | " + " | ".join(row_cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="the NAB folder holding data/ (and, unless --no-score, labels/, config/, "
        "reference_detector_scores/, results/)",
    )
    parser.add_argument(
        "--scores-out",
        type=Path,
        required=True,
        help="where to write the per-row scores (gzip CSV: file,timestamp,anomaly_score)",
    )
    parser.add_argument(
        "--no-score",
        action="store_true",
        help="only detect and write the scores; never touches labels/ (works without it)",
    )
    parser.add_argument(
        "--detector",
        choices=sorted(DETECTORS),
        default="record",
        help="the streaming detector to run (default: record, the stronger one)",
    )
    args = parser.parse_args()
    wall_start = time.perf_counter()
    run = detect(args.data, args.scores_out, DETECTORS[args.detector])
    print(f"## NAB v1.1: flowdoctor `{args.detector}` detector\n")
    print_throughput(run)
    print(f"\n{run.files} files, scores written to {args.scores_out}.\n")
    if not args.no_score:
        score_tables(args.data, args.scores_out, args.detector)
        print(f"\nTotal wall time, scoring included: {time.perf_counter() - wall_start:.1f} s.")


if __name__ == "__main__":
    main()
