"""Read the NAB folder layout into ``nab_scoring`` types (the only file I/O of the NAB scorer).

::

    <root>/data/<category>/<file>.csv          timestamp,value
    <root>/labels/combined_windows.json        {"<category>/<file>.csv": [[start, end], ...]}
    <root>/config/profiles.json                {"standard": {"CostMatrix": {"tpWeight": ...}}}
    <root>/config/thresholds.json              {"<detector>": {"<profile>": {"threshold": ...}}}
    scores .csv or .csv.gz                     file,timestamp,anomaly_score

Malformed or missing files raise ``InputError`` / ``UnreadableInputError``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from flowdoctor.bench.nab_scoring import CostProfile, NabSeries, Window
from flowdoctor.errors import InputError, UnreadableInputError


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from exc


def _open_text(path: Path) -> io.TextIOBase:
    try:
        if path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
        return open(path, encoding="utf-8", newline="")  # the caller closes it
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc}") from exc


def _timestamps(values: list[str], where: str) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    try:
        return np.array(values, dtype="datetime64[us]")
    except ValueError as exc:
        raise InputError(f"bad timestamp in {where}: {exc}") from exc


def load_windows(root: Path) -> dict[str, tuple[Window, ...]]:
    """Label windows per data-relative file name, from ``labels/combined_windows.json``."""
    path = root / "labels" / "combined_windows.json"
    raw: dict[str, list[list[str]]] = _read_json(path)
    windows = {}
    for name, pairs in raw.items():
        stamps = _timestamps([t for pair in pairs for t in pair], str(path))
        windows[name] = tuple((stamps[2 * k], stamps[2 * k + 1]) for k in range(len(pairs)))
    return windows


def load_profiles(root: Path) -> dict[str, CostProfile]:
    """Cost profiles by name, from ``config/profiles.json``."""
    path = root / "config" / "profiles.json"
    try:
        return {
            name: CostProfile(
                a_tp=float(body["CostMatrix"]["tpWeight"]),
                a_fn=float(body["CostMatrix"]["fnWeight"]),
                a_fp=float(body["CostMatrix"]["fpWeight"]),
            )
            for name, body in _read_json(path).items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: malformed profile: {exc}") from exc


def load_thresholds(root: Path) -> dict[str, dict[str, float]]:
    """Published thresholds ``{detector: {profile: threshold}}`` (``config/thresholds.json``)."""
    path = root / "config" / "thresholds.json"
    try:
        return {
            detector: {profile: float(body["threshold"]) for profile, body in by_profile.items()}
            for detector, by_profile in _read_json(path).items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{path}: malformed thresholds: {exc}") from exc


def load_data_row_counts(root: Path) -> dict[str, int]:
    """Rows per data file (header excluded), keyed by the data-relative path."""
    data = root / "data"
    counts = {}
    for path in sorted(data.glob("*/*.csv")):
        with _open_text(path) as handle:
            counts[path.relative_to(data).as_posix()] = sum(1 for _ in handle) - 1
    return counts


def load_scored_corpus(root: Path, scores_path: Path) -> list[NabSeries]:
    """Join a detector's scores CSV with the label windows into one ``NabSeries`` per file.

    Every labelled file must have scores, one per data row; rows keep their order in the CSV.
    """
    windows = load_windows(root)
    counts = load_data_row_counts(root)
    stamps: dict[str, list[str]] = defaultdict(list)
    scores: dict[str, list[float]] = defaultdict(list)
    with _open_text(scores_path) as handle:
        reader = csv.DictReader(handle)
        try:
            for row in reader:
                stamps[row["file"]].append(row["timestamp"])
                scores[row["file"]].append(float(row["anomaly_score"]))
        except (KeyError, ValueError) as exc:
            raise InputError(f"{scores_path}, line {reader.line_num}: {exc}") from exc
    corpus = []
    for name, file_windows in sorted(windows.items()):
        if len(scores[name]) != counts.get(name):
            raise InputError(
                f"{scores_path}: {name} has {len(scores[name])} scores, "
                f"data has {counts.get(name)} rows"
            )
        corpus.append(
            NabSeries(
                name=name,
                timestamps=_timestamps(stamps[name], f"{scores_path} ({name})"),
                scores=np.asarray(scores[name], dtype=np.float64),
                windows=file_windows,
            )
        )
    return corpus
