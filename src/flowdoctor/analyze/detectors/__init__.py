"""Anomaly detectors for metric series: streaming ones, a batch forest, and the decision apart.

::

    base.py       StreamingDetector (the Protocol: learn_one / score_one) and check_value
    decision.py   Threshold(level) and AnomalyDecision: a score is not a decision
    seasonal.py   hour-of-day / hour-of-week buckets from timestamps
    zscore.py     SeasonalZScore: robust z against an hour-of-day baseline, tail-probability score
    record.py     RecordDetector: deviations on five channels against their recent maxima
    forest.py     WindowIsolationForest (scikit-learn) over multi-metric windows; window_features

Streaming detectors follow river: parameters only in ``__init__``, ``score_one`` never changes
the state, ``learn_one`` updates it, constant time and memory per point. Scores lie in [0, 1].
NaN or infinite values raise ``InputError``.

>>> detector = RecordDetector()
>>> for value in [5.0, 5.2, 4.9, 5.1] * 40:
...     detector.learn_one(value)
>>> Threshold(level=0.5).is_anomalous(detector.score_one(9.0))
True
"""

from flowdoctor.analyze.detectors.base import StreamingDetector, check_value
from flowdoctor.analyze.detectors.decision import AnomalyDecision, Threshold
from flowdoctor.analyze.detectors.forest import WindowIsolationForest, window_features
from flowdoctor.analyze.detectors.record import RecordDetector
from flowdoctor.analyze.detectors.zscore import SeasonalZScore

__all__ = [
    "AnomalyDecision",
    "RecordDetector",
    "SeasonalZScore",
    "StreamingDetector",
    "Threshold",
    "WindowIsolationForest",
    "check_value",
    "window_features",
]
