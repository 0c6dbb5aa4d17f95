"""``tune_gc_for_serving``: the startup heap frozen out of the collector's sight and a higher young
threshold, in a process of its own (as ``flowdoctor serve`` calls it), cycles still collected."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = """
import gc, json
from flowdoctor.api.app import GC_THRESHOLD_SERVING, tune_gc_for_serving
before = gc.get_freeze_count()
tune_gc_for_serving()
class Node:
    pass
a, b = Node(), Node()
a.other, b.other = b, a  # a cycle, unreachable once deleted
del a, b
found = gc.collect()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(),
                  "threshold": list(gc.get_threshold()), "expected": list(GC_THRESHOLD_SERVING),
                  "collected": found}))
"""


def test_serving_freezes_the_startup_heap_and_still_collects_cycles() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["before"] == 0
    assert result["frozen"] > 10_000  # the app's modules, schemas and libraries
    assert result["threshold"] == result["expected"]
    assert result["threshold"][0] > 700
    assert result["collected"] >= 2
