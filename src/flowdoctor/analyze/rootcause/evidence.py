"""Human-readable evidence lines ("latency of X rose 4.2 MAD above normal at 10:03, ...")."""

from __future__ import annotations

from collections.abc import Sequence

from flowdoctor.analyze.rootcause.model import ChangeMarker
from flowdoctor.analyze.rootcause.scoring import MetricAnomaly


class Describer:
    """Formats time and anomalies for evidence lines; knows the symptom to relate times to it."""

    def __init__(
        self,
        time_labels: Sequence[str] | None,
        step_seconds: float | None,
        symptom: MetricAnomaly,
    ) -> None:
        self._labels = time_labels
        self._step_seconds = step_seconds
        self._symptom = symptom

    def at(self, index: int) -> str:
        """``at 10:03`` with labels, ``at step 4`` without."""
        if self._labels is not None and 0 <= index < len(self._labels):
            return f"at {self._labels[index]}"
        return f"at step {index}"

    def span(self, steps: int) -> str:
        """``10 min`` when the step length is known, ``2 steps`` otherwise."""
        if self._step_seconds is not None:
            return f"{steps * self._step_seconds / 60:g} min"
        return f"{steps} step" if steps == 1 else f"{steps} steps"

    def relative(self, index: int) -> str:
        """Where ``index`` lies relative to the symptom's onset."""
        onset = self._symptom.onset
        if onset is None or index == onset:
            return "together with the symptom"
        if index < onset:
            return f"{self.span(onset - index)} before the symptom"
        return f"{self.span(index - onset)} after the symptom"

    def movement(self, anomaly: MetricAnomaly) -> str:
        """E.g. ``latency of X rose 4.2 MAD above normal; it moved at 10:03, 10 min before ...``."""
        verb, side = ("rose", "above") if anomaly.rose else ("fell", "below")
        text = f"{anomaly.metric} of {anomaly.node} {verb} {anomaly.peak:.1f} MAD {side} normal"
        index = anomaly.onset if anomaly.onset is not None else anomaly.peak_index
        if index is None:
            return text
        return f"{text}; it moved {self.at(index)}, {self.relative(index)}"

    def change(self, change: ChangeMarker, lead: int) -> str:
        """``change X at 10:01, 2 min before the symptom``."""
        when = "at the symptom's onset" if lead == 0 else f"{self.span(lead)} before the symptom"
        return f"change {change.name} {self.at(change.index)}, {when}"
