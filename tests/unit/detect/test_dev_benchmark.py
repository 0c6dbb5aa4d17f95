"""A modest floor on the labeled platform-error set (the later knowledge base's benchmark).

The rules were not written from this file; this test only keeps a regression from going unseen.
Measured when the first rule set was written: 0.80 (317 of 395, 73 unclassified).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flowdoctor.detect.classifier import default_classifier

DEV_SET = Path(
    os.environ.get(
        "FLOWDOCTOR_PLATFORM_ERRORS_DEV", "/work/shared/benchmarks/platform_errors/dev.jsonl"
    )
)
FLOOR = 0.70


def test_first_rules_accuracy_floor() -> None:
    if not DEV_SET.is_file():
        pytest.skip(f"labeled dev set not found at {DEV_SET} (set FLOWDOCTOR_PLATFORM_ERRORS_DEV)")
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
    classifier = default_classifier()
    correct = 0
    for row in rows:
        predicted = classifier.classify(row["text"]).category.value
        correct += predicted == row["category"] or predicted in row.get("also", [])
    accuracy = correct / len(rows)
    assert accuracy >= FLOOR, f"accuracy {accuracy:.3f} ({correct}/{len(rows)}) below {FLOOR}"
