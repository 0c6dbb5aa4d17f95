"""What every streaming detector is, and the input check they share.

A streaming detector (after river's anomaly detectors) keeps its parameters in ``__init__`` and
its state in plain attributes of bounded size, and answers two calls per point:

* ``score_one(x, t)`` -> a score in [0, 1], higher is more anomalous; it never changes the state;
* ``learn_one(x, t)`` -> updates the state with the point.

Calling ``score_one`` then ``learn_one`` for each point in time order is the streaming protocol:
a point is judged before the detector has seen it. A score is not a decision: see ``decision.py``.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Protocol, runtime_checkable

from flowdoctor.errors import InputError


@runtime_checkable
class StreamingDetector(Protocol):
    """An online anomaly detector over one numeric series (constant time and memory per point)."""

    def learn_one(self, x: float, t: datetime | None = None) -> None:
        """Update the state with value ``x`` observed at ``t`` (``None``: no timestamp)."""

    def score_one(self, x: float, t: datetime | None = None) -> float:
        """Anomaly score of ``x`` at ``t`` in [0, 1], without changing the state."""


def check_value(x: float) -> float:
    """``x`` as a float, or ``InputError`` when it is NaN or infinite.

    Detectors refuse non-finite values instead of skipping them: a gap in a metric is the
    caller's to decide on (drop the point, or report the gap itself), not the detector's.

    >>> check_value(3)
    3.0
    """
    value = float(x)
    if not math.isfinite(value):
        raise InputError(f"detectors need finite values, got {x!r}", field="value")
    return value
