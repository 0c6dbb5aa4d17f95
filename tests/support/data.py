"""Where the shared benchmark data lies (never part of the repository; tests skip without it)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_benchmarks() -> Path:
    """``$FLOWDOCTOR_BENCHMARK_DATA``, else ``../shared/benchmarks`` beside the repository, else
    the workplace's ``/work/shared/benchmarks``."""
    given = os.environ.get("FLOWDOCTOR_BENCHMARK_DATA")
    if given:
        return Path(given)
    beside = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"
    return beside if beside.is_dir() else Path("/work/shared/benchmarks")


SHARED_BENCHMARKS = shared_benchmarks()
