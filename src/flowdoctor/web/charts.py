"""Charts for the web dashboard, rendered on the server as inline SVG strings.

Why SVG built here rather than a JavaScript chart library:

* the dashboard must work offline: there is no CDN to load a library from, and vendoring one
  would mean shipping and auditing a large bundle to draw a few lines and bars;
* an ``<svg role="img">`` labelled by a ``<title>`` and a ``<desc>`` that states the numbers in
  words is readable by screen readers, which a ``<canvas>`` drawing is not;
* a pure function from data to text is deterministic and testable without a browser: parse the
  XML, count elements by class, compare coordinates.

Standard library only, no I/O. Every piece of text that can come from users (titles, units,
labels) is escaped; coordinates are rounded to one decimal to keep the markup small. Elements carry
``class`` names (``series``, ``anomaly``, ``change-point``, ``change-event``, ``threshold``,
``bar``...) so the page's CSS can restyle them; the inline colours are only defaults.

Policies:

* Times: aware datetimes are converted to UTC; naive ones are taken to be UTC already. All labels
  are in UTC.
* Values that are NaN or infinite are skipped, never drawn: the line joins their neighbours and
  the ``<desc>`` says how many were skipped. A series with no finite value renders as "no data".
* Anomalies: a red circle is drawn on each drawn point whose timestamp equals an anomaly time.
  Anomaly times that match no drawn point are skipped, not interpolated: an anomaly is a verdict
  on an observed value, and a circle at an interpolated value would show a measurement that was
  never made.
* Change points and change events outside the series' time range are skipped: the x axis has no
  place for them. The ``<desc>`` counts only what is drawn.
* Bars: a negative or non-finite value draws a zero-length bar; its value is still printed.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["BarChart", "LineChart", "Marker", "render_bar_chart", "render_line_chart"]

_SVG_NS = "http://www.w3.org/2000/svg"
_FONT = 'font-family="sans-serif" font-size="10"'
# Left margin holds the value labels ("950 ms"); the top one holds the change-event flags.
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 10, 14, 18
_MIN_WIDTH, _MIN_HEIGHT = 120, 60
_NO_DATA_HEIGHT = 40
_LINE_COLOUR, _ALERT_COLOUR = "#1f77b4", "#d62728"
_GUIDE_COLOUR, _EVENT_COLOUR = "#7f7f7f", "#ff7f0e"
# Characters XML 1.0 cannot carry even escaped; user text containing them would break parsing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Marker:
    """A change event shown on a time chart: a deploy, a config change, a vendor incident."""

    at: datetime
    label: str


@dataclass(frozen=True)
class LineChart:
    """A time series with what the detectors found in it and what changed around it."""

    title: str
    unit: str
    points: Sequence[tuple[datetime, float]]
    anomalies: Sequence[datetime] = ()
    change_points: Sequence[datetime] = ()
    markers: Sequence[Marker] = ()
    threshold: float | None = None


@dataclass(frozen=True)
class BarChart:
    """Labelled values drawn as horizontal bars, e.g. issues by category."""

    title: str
    bars: Sequence[tuple[str, float]]


@dataclass(frozen=True)
class _Frame:
    """Maps times and values to coordinates inside the plot area."""

    left: float
    top: float
    right: float
    bottom: float
    t0: datetime
    t1: datetime
    lo: float
    hi: float  # always > lo

    def x(self, t: datetime) -> float:
        span = (self.t1 - self.t0).total_seconds()
        if span <= 0:  # one instant: put it in the middle rather than divide by zero
            return (self.left + self.right) / 2
        return self.left + (t - self.t0).total_seconds() / span * (self.right - self.left)

    def y(self, v: float) -> float:
        # Halve before subtracting: with values near the float maximum hi - lo would overflow.
        fraction = (v / 2 - self.lo / 2) / (self.hi / 2 - self.lo / 2)
        return self.bottom - fraction * (self.bottom - self.top)


def render_line_chart(chart: LineChart, *, width: int = 640, height: int = 200) -> str:
    """Render ``chart`` as an ``<svg>`` element scaled through its viewBox (see module policies)."""
    _check_size(width, height)
    cid = _chart_id("line", chart, width, height)
    points = sorted(
        ((_utc(t), float(v)) for t, v in chart.points if math.isfinite(v)), key=lambda p: p[0]
    )
    if not points:
        return _no_data_svg(cid, chart.title, width)
    threshold = chart.threshold
    if threshold is not None and not math.isfinite(threshold):
        threshold = None
    frame = _frame(points, threshold, width, height)
    anomalies = _matching_points(points, chart.anomalies)
    change_points = sorted({t for t in map(_utc, chart.change_points) if _in_range(frame, t)})
    events = sorted((at, m.label) for m in chart.markers if _in_range(frame, at := _utc(m.at)))
    desc = "; ".join(
        [
            _series_summary(points, chart.unit),
            _plural(len(anomalies), "anomaly", "anomalies"),
            _plural(len(change_points), "change point"),
            _plural(len(events), "change event"),
            *([f"threshold {_value(threshold, chart.unit)}"] if threshold is not None else []),
            *_skipped_note(len(chart.points) - len(points)),
        ]
    )
    parts = _open_svg(cid, width, height, chart.title, desc)
    parts += _axes(frame, points, chart.unit, height)
    if threshold is not None:
        parts.append(_threshold_line(frame, threshold, chart.unit))
    parts += _series(frame, points, chart.unit)
    parts += [_change_point(frame, t) for t in change_points]
    parts += [_change_event(frame, at, label) for at, label in events]
    parts += [_anomaly(frame, t, v, chart.unit) for t, v in anomalies]
    parts.append("</svg>")
    return "\n".join(parts)


def render_bar_chart(chart: BarChart, *, width: int = 320, bar_height: int = 18) -> str:
    """Render ``chart`` as horizontal bars: label on the left, value after the bar's end."""
    if width < _MIN_WIDTH or bar_height < 4:
        raise ValueError(f"bar chart too small: width {width} (min {_MIN_WIDTH}), bar {bar_height}")
    cid = _chart_id("bar", chart, width, bar_height)
    if not chart.bars:
        return _no_data_svg(cid, chart.title, width)
    pad, gap = 4, max(2, bar_height // 4)
    label_width = round(width * 0.35)
    # Room after the longest bar for its value text, so it is never cut off.
    length = width - label_width - 56 - pad
    largest = max((v for _, v in chart.bars if math.isfinite(v) and v > 0), default=0.0)
    height = 2 * pad + len(chart.bars) * (bar_height + gap) - gap
    desc = f"{_plural(len(chart.bars), 'bar')}: " + ", ".join(
        f"{label} {_bar_value(value)}" for label, value in chart.bars
    )
    parts = _open_svg(cid, width, height, chart.title, desc)
    for row, (label, value) in enumerate(chart.bars):
        top = pad + row * (bar_height + gap)
        bar = _bar_length(value, largest, length)
        middle = _num(top + bar_height / 2 + 3.5)  # +3.5: text baseline to visual centre at 10px
        parts += [
            f'<g class="bar-row"><title>{_text(label)}: {_bar_value(value)}</title>',
            f'<text class="bar-label" x="{label_width - 6}" y="{middle}" text-anchor="end">'
            f"{_text(_shorten(label, label_width // 6))}</text>",
            f'<rect class="bar" x="{label_width}" y="{top}" width="{_num(bar)}" '
            f'height="{bar_height}" fill="{_LINE_COLOUR}"/>',
            f'<text class="bar-value" x="{_num(label_width + bar + 4)}" y="{middle}">'
            f"{_bar_value(value)}</text></g>",
        ]
    parts.append("</svg>")
    return "\n".join(parts)


# --- pieces of the line chart -------------------------------------------------------------


def _frame(
    points: list[tuple[datetime, float]], threshold: float | None, width: int, height: int
) -> _Frame:
    values = [v for _, v in points]
    if threshold is not None:  # a threshold off the plot would be invisible, so widen for it
        values.append(threshold)
    lo, top = min(0.0, *values), max(0.0, *values)
    hi = top + (top / 2 - lo / 2) * 0.2  # ~10% headroom above the largest value
    if not math.isfinite(hi):
        hi = top
    if hi <= lo:  # all zeros
        hi = lo + 1.0
    return _Frame(
        _LEFT, _TOP, width - _RIGHT, height - _BOTTOM, points[0][0], points[-1][0], lo, hi
    )


def _matching_points(
    points: list[tuple[datetime, float]], anomalies: Sequence[datetime]
) -> list[tuple[datetime, float]]:
    wanted = {_utc(t) for t in anomalies}
    return [(t, v) for t, v in points if t in wanted]


def _in_range(frame: _Frame, t: datetime) -> bool:
    return frame.t0 <= t <= frame.t1


def _series_summary(points: list[tuple[datetime, float]], unit: str) -> str:
    if len(points) == 1:
        t, v = points[0]
        return f"1 point at {_long_time(t)} UTC, value {_value(v, unit)}"
    values = [v for _, v in points]
    return (
        f"{len(points)} points from {_long_time(points[0][0])} to {_long_time(points[-1][0])} UTC,"
        f" min {_fmt(min(values))}, max {_value(max(values), unit)}"
    )


def _skipped_note(skipped: int) -> list[str]:
    if not skipped:
        return []
    return [f"{_plural(skipped, 'value')} not finite, not drawn"]


def _axes(frame: _Frame, points: list[tuple[datetime, float]], unit: str, height: int) -> list[str]:
    left, right, bottom = _num(frame.left), _num(frame.right), _num(frame.bottom)
    parts = [
        f'<path class="axis" d="M{left} {_num(frame.top)} V{bottom} H{right}" fill="none" '
        f'stroke="{_GUIDE_COLOUR}"/>'
    ]
    values = [v for _, v in points]
    high, low = max(values), min(values)
    shown = [high] if frame.y(low) - frame.y(high) < 11 else [high, low]  # 11px: no overlap
    parts += [
        f'<text class="axis-label" x="{_num(frame.left - 4)}" y="{_num(frame.y(v) + 3.5)}" '
        f'text-anchor="end">{_text(_value(v, unit))}</text>'
        for v in shown
    ]
    first, last = _short_time(points[0][0]), _short_time(points[-1][0])
    baseline = height - 4
    if first == last:
        return [
            *parts,
            f'<text class="axis-label" x="{_num((frame.left + frame.right) / 2)}" '
            f'y="{baseline}" text-anchor="middle">{first}</text>',
        ]
    return [
        *parts,
        f'<text class="axis-label" x="{left}" y="{baseline}">{first}</text>',
        f'<text class="axis-label" x="{right}" y="{baseline}" text-anchor="end">{last}</text>',
    ]


def _series(frame: _Frame, points: list[tuple[datetime, float]], unit: str) -> list[str]:
    coords = " ".join(f"{_num(frame.x(t))},{_num(frame.y(v))}" for t, v in points)
    parts = [
        f'<polyline class="series" points="{coords}" fill="none" stroke="{_LINE_COLOUR}" '
        'stroke-width="1.5" stroke-linejoin="round"/>'
    ]
    if len(points) == 1:  # a one-vertex polyline draws nothing, so show the point itself
        t, v = points[0]
        parts.append(
            f'<circle class="point" cx="{_num(frame.x(t))}" cy="{_num(frame.y(v))}" r="2.5" '
            f'fill="{_LINE_COLOUR}"><title>{_long_time(t)} UTC: {_text(_value(v, unit))}'
            "</title></circle>"
        )
    return parts


def _threshold_line(frame: _Frame, threshold: float, unit: str) -> str:
    y = _num(frame.y(threshold))
    return (
        f'<line class="threshold" x1="{_num(frame.left)}" y1="{y}" x2="{_num(frame.right)}" '
        f'y2="{y}" stroke="{_ALERT_COLOUR}" stroke-dasharray="2 2">'
        f"<title>Threshold {_text(_value(threshold, unit))}</title></line>"
    )


def _change_point(frame: _Frame, t: datetime) -> str:
    x = _num(frame.x(t))
    return (
        f'<line class="change-point" x1="{x}" y1="{_num(frame.top)}" x2="{x}" '
        f'y2="{_num(frame.bottom)}" stroke="{_GUIDE_COLOUR}" stroke-width="1.5" '
        f'stroke-dasharray="4 3"><title>Change point at {_long_time(t)} UTC</title></line>'
    )


def _change_event(frame: _Frame, at: datetime, label: str) -> str:
    x = frame.x(at)
    # A downward triangle in the top margin, its tip on the plot's top edge.
    return (
        f'<path class="change-event" d="M{_num(x - 5)} 2 H{_num(x + 5)} L{_num(x)} '
        f'{_num(frame.top)} Z" fill="{_EVENT_COLOUR}">'
        f"<title>{_text(label)} at {_long_time(at)} UTC</title></path>"
    )


def _anomaly(frame: _Frame, t: datetime, v: float, unit: str) -> str:
    return (
        f'<circle class="anomaly" cx="{_num(frame.x(t))}" cy="{_num(frame.y(v))}" r="3.5" '
        f'fill="{_ALERT_COLOUR}"><title>Anomaly at {_long_time(t)} UTC: '
        f"{_text(_value(v, unit))}</title></circle>"
    )


# --- shared helpers -----------------------------------------------------------------------


def _check_size(width: int, height: int) -> None:
    if width < _MIN_WIDTH or height < _MIN_HEIGHT:
        raise ValueError(
            f"chart too small: {width}x{height}, at least {_MIN_WIDTH}x{_MIN_HEIGHT} needed"
        )


def _chart_id(kind: str, *inputs: object) -> str:
    """An id derived from the inputs: deterministic, and distinct for distinct charts on a page."""
    digest = hashlib.blake2b(repr(inputs).encode(), digest_size=5).hexdigest()
    return f"{kind}-chart-{digest}"


def _open_svg(cid: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="{_SVG_NS}" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" {_FONT}>',
        f'<title id="{cid}-title">{_text(title)}</title>',
        f'<desc id="{cid}-desc">{_text(desc)}</desc>',
    ]


def _no_data_svg(cid: str, title: str, width: int) -> str:
    return "\n".join(
        [
            *_open_svg(cid, width, _NO_DATA_HEIGHT, title, "No data."),
            f'<text class="no-data" x="{_num(width / 2)}" y="{_NO_DATA_HEIGHT // 2 + 4}" '
            f'text-anchor="middle" fill="{_GUIDE_COLOUR}">no data</text>',
            "</svg>",
        ]
    )


def _bar_length(value: float, largest: float, length: float) -> float:
    if not math.isfinite(value) or value <= 0 or largest <= 0:
        return 0.0
    # At least 1px, so a small positive value stays distinguishable from zero.
    return max(1.0, value / largest * length)


def _bar_value(value: float) -> str:
    return _fmt(value) if math.isfinite(value) else "n/a"


def _shorten(label: str, limit: int) -> str:
    limit = max(limit, 4)
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def _text(value: str) -> str:
    """Escape user text for element content and attribute values alike."""
    return html.escape(_NOT_XML.sub("\ufffd", value), quote=True)


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _num(x: float) -> str:
    """A coordinate with at most one decimal, and no ``.0`` or ``-0``, to keep the markup small."""
    text = f"{x:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _fmt(v: float) -> str:
    """A value for people: one decimal, or three significant digits when very large or small."""
    if v != 0 and not 0.01 <= abs(v) < 1e6:
        return f"{v:.3g}"
    return _num(v)


def _value(v: float, unit: str) -> str:
    return f"{_fmt(v)} {unit}" if unit else _fmt(v)


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _short_time(t: datetime) -> str:
    return t.strftime("%m-%d %H:%M")


def _long_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")
