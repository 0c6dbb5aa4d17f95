"""Server-side SVG charts: valid XML, escaped text, coordinates where the data says."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from flowdoctor.web.charts import (
    BarChart,
    LineChart,
    Marker,
    render_bar_chart,
    render_line_chart,
)

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)
NS = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script> \"quoted\" & 'single'"


def series(values: list[float], *, start: datetime = T0) -> list[tuple[datetime, float]]:
    return [(start + n * HALF_HOUR, v) for n, v in enumerate(values)]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def view_box(root: ET.Element) -> tuple[float, float]:
    x0, y0, width, height = (float(n) for n in root.get("viewBox", "").split())
    assert (x0, y0) == (0, 0)
    return width, height


def vertices(root: ET.Element) -> list[tuple[float, float]]:
    (line,) = by_class(root, "series")
    pairs = (pair.split(",") for pair in line.get("points", "").split())
    return [(float(x), float(y)) for x, y in pairs]


def desc(root: ET.Element) -> str:
    return root.findtext(f"{NS}desc") or ""


def line(values: list[float], *, threshold: float | None = None) -> ET.Element:
    chart = LineChart("Latency", "ms", series(values), threshold=threshold)
    return parse(render_line_chart(chart))


LATENCY = [120.0 + (n % 7) * 40 for n in range(48)]


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(LATENCY, id="normal"),
        pytest.param([], id="empty"),
        pytest.param([42.0], id="one-point"),
        pytest.param([5.0] * 10, id="flat"),
        pytest.param([0.0] * 10, id="all-zero"),
        pytest.param([1.0, math.nan, 3.0, math.inf, -math.inf, 2.0], id="nan-inf"),
        pytest.param([math.nan, math.inf], id="only-non-finite"),
        pytest.param([1e300, 2e300, 5e299], id="huge"),
        pytest.param([1.7e308, -1.7e308, 1.0], id="near-float-max"),
        pytest.param([-5.0, -20.0, -1.0], id="negative"),
        pytest.param([-3.0, 4.0, 0.0], id="mixed-sign"),
    ],
)
def test_line_chart_is_accessible_valid_svg_inside_its_view_box(values: list[float]) -> None:
    root = line(values, threshold=3.0)
    assert root.get("class") == "chart"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{NS}title[@id='{title_id}']") is not None
    assert root.findtext(f"{NS}title") == "Latency"
    assert root.find(f"{NS}desc[@id='{desc_id}']") is not None
    width, height = view_box(root)
    if not any(math.isfinite(v) for v in values):
        assert "no data" in "".join(root.itertext())
        assert not by_class(root, "series")
        return
    for x, y in vertices(root):
        assert 0 <= x <= width
        assert 0 <= y <= height
    assert not re.search(r"nan|inf", render_line_chart(LineChart("t", "", series(values))))


def test_non_finite_values_are_skipped_and_counted_in_the_desc() -> None:
    root = line([1.0, math.nan, 3.0, math.inf, 2.0])
    assert len(vertices(root)) == 3
    assert "3 points" in desc(root)
    assert "2 values not finite" in desc(root)


def test_x_grows_with_time_and_larger_values_sit_higher() -> None:
    root = line([10.0, 50.0, 20.0, 90.0])
    xs = [x for x, _ in vertices(root)]
    ys = [y for _, y in vertices(root)]
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)
    assert ys[1] < ys[2] < ys[0]  # 50 above 20 above 10
    assert ys[3] == min(ys)


def test_points_given_out_of_order_are_drawn_in_time_order() -> None:
    points = series([10.0, 20.0, 30.0])
    shuffled = render_line_chart(LineChart("t", "ms", [points[2], points[0], points[1]]))
    in_order = render_line_chart(LineChart("t", "ms", points))
    assert vertices(parse(shuffled)) == vertices(parse(in_order))


def test_flat_and_single_point_series_have_a_finite_level_line() -> None:
    flat = vertices(line([7.0] * 5))
    assert len({y for _, y in flat}) == 1
    single = line([7.0])
    (dot,) = by_class(single, "point")
    width, _ = view_box(single)
    assert 0 < float(dot.get("cx", "")) < width


def test_anomalies_are_circles_on_the_matching_points_only() -> None:
    points = series(LATENCY)
    chart = LineChart(
        "Latency",
        "ms",
        points,
        anomalies=[points[5][0], points[30][0], T0 + timedelta(minutes=7), T0 - timedelta(days=1)],
    )
    root = parse(render_line_chart(chart))
    circles = by_class(root, "anomaly")
    assert len(circles) == 2
    on_line = set(vertices(root))
    for circle in circles:
        assert (float(circle.get("cx", "")), float(circle.get("cy", ""))) in on_line
    tooltip = circles[0].findtext(f"{NS}title") or ""
    assert "2026-11-28 14:30" in tooltip
    assert f"{LATENCY[5]:g} ms" in tooltip


def test_an_anomaly_on_a_skipped_value_is_not_drawn() -> None:
    points = series([1.0, math.nan, 3.0])
    root = parse(render_line_chart(LineChart("t", "ms", points, anomalies=[points[1][0]])))
    assert by_class(root, "anomaly") == []
    assert "0 anomalies" in desc(root)


def test_change_points_and_change_events_are_counted_and_out_of_range_ones_skipped() -> None:
    points = series(LATENCY)
    chart = LineChart(
        "Latency",
        "ms",
        points,
        change_points=[points[10][0], points[20][0], T0 + timedelta(days=5)],
        markers=[
            Marker(points[3][0], "deploy v2"),
            Marker(points[40][0], "vendor incident"),
            Marker(points[41][0], "config change"),
            Marker(T0 - timedelta(hours=1), "before the window"),
        ],
    )
    root = parse(render_line_chart(chart))
    assert len(by_class(root, "change-point")) == 2
    events = by_class(root, "change-event")
    assert [e.findtext(f"{NS}title", "").split(" at ")[0] for e in events] == [
        "deploy v2",
        "vendor incident",
        "config change",
    ]
    assert "2 change points" in desc(root)
    assert "3 change events" in desc(root)


def test_desc_summarises_the_series_in_words() -> None:
    points = series([120.0, 950.0, 300.0] * 16 + [200.0])
    chart = LineChart(
        "Latency",
        "ms",
        points,
        anomalies=[points[1][0], points[4][0]],
        change_points=[points[24][0]],
        markers=[Marker(points[12][0], "deploy")],
    )
    text = desc(parse(render_line_chart(chart)))
    assert text == (
        "49 points from 2026-11-28 12:00 to 2026-11-29 12:00 UTC, min 120, max 950 ms; "
        "2 anomalies; 1 change point; 1 change event"
    )


def test_axis_labels_show_value_extremes_with_unit_and_the_time_range() -> None:
    root = line([120.0, 950.0, 300.0])
    labels = [e.text for e in by_class(root, "axis-label")]
    assert labels == ["950 ms", "120 ms", "11-28 12:00", "11-28 13:00"]


def test_threshold_line_only_when_given_and_at_its_value() -> None:
    assert by_class(line([100.0, 300.0]), "threshold") == []
    assert by_class(line([100.0, 300.0], threshold=math.nan), "threshold") == []
    root = line([100.0, 300.0], threshold=200.0)
    (threshold,) = by_class(root, "threshold")
    y = float(threshold.get("y1", ""))
    (_, y_low), (_, y_high) = vertices(root)
    assert y_high < y < y_low
    assert "threshold 200 ms" in desc(root)


def test_a_threshold_above_the_data_is_still_on_the_plot() -> None:
    root = line([1.0, 2.0], threshold=1000.0)
    (threshold,) = by_class(root, "threshold")
    assert 0 <= float(threshold.get("y1", "")) < min(y for _, y in vertices(root))


def test_user_text_is_escaped_everywhere() -> None:
    points = series([1.0, 2.0, 3.0])
    chart = LineChart(
        EVIL, EVIL, points, anomalies=[points[1][0]], markers=[Marker(points[0][0], EVIL)]
    )
    svg = render_line_chart(chart)
    assert "<script" not in svg
    root = parse(svg)
    assert root.findtext(f"{NS}title") == EVIL
    (event,) = by_class(root, "change-event")
    assert event.findtext(f"{NS}title", "").startswith(EVIL)
    assert EVIL in desc(root)


def test_characters_xml_cannot_carry_are_replaced_not_emitted() -> None:
    svg = render_line_chart(LineChart("bell\x07 nul\x00", "ms", series([1.0])))
    assert parse(svg).findtext(f"{NS}title") == "bell\ufffd nul\ufffd"


def test_output_is_deterministic_compact_and_ids_differ_between_charts() -> None:
    points = series(LATENCY)
    chart = LineChart("Latency", "ms", points, anomalies=[points[3][0]], threshold=300.0)
    assert render_line_chart(chart) == render_line_chart(chart)
    for number in re.findall(r"-?\d+\.\d+", render_line_chart(chart).split("</desc>")[1]):
        assert len(number.split(".")[1]) == 1
    other = parse(render_line_chart(LineChart("Errors", "ms", points)))
    assert parse(render_line_chart(chart)).get("aria-labelledby") != other.get("aria-labelledby")


def test_naive_times_are_taken_as_utc_and_other_zones_converted() -> None:
    aware = render_line_chart(LineChart("t", "ms", series([1.0, 2.0])))
    naive = render_line_chart(
        LineChart("t", "ms", [(t.replace(tzinfo=None), v) for t, v in series([1.0, 2.0])])
    )
    assert vertices(parse(aware)) == vertices(parse(naive))
    assert desc(parse(naive)) == desc(parse(aware))


def test_too_small_a_chart_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        render_line_chart(LineChart("t", "ms", series([1.0])), width=10, height=10)
    with pytest.raises(ValueError, match="too small"):
        render_bar_chart(BarChart("t", [("a", 1.0)]), width=10)


# --- bar chart ----------------------------------------------------------------------------


def bar_widths(root: ET.Element) -> list[float]:
    return [float(rect.get("width", "")) for rect in by_class(root, "bar")]


def test_bar_lengths_are_proportional_to_values() -> None:
    root = parse(
        render_bar_chart(BarChart("Issues", [("auth", 12.0), ("timeout", 6.0), ("quota", 3.0)]))
    )
    auth, timeout, quota = bar_widths(root)
    assert auth > timeout > quota > 0
    assert timeout == pytest.approx(auth / 2, abs=0.1)
    assert quota == pytest.approx(auth / 4, abs=0.1)
    width, _ = view_box(root)
    for rect in by_class(root, "bar"):
        assert float(rect.get("x", "")) + float(rect.get("width", "")) <= width


def test_zero_negative_and_non_finite_bars_have_no_length() -> None:
    bars = [("some", 4.0), ("none", 0.0), ("neg", -2.0), ("nan", math.nan)]
    root = parse(render_bar_chart(BarChart("Issues", bars)))
    assert bar_widths(root)[1:] == [0.0, 0.0, 0.0]
    assert [e.text for e in by_class(root, "bar-value")] == ["4", "0", "-2", "n/a"]


def test_all_zero_bars_render() -> None:
    root = parse(render_bar_chart(BarChart("Issues", [("a", 0.0), ("b", 0.0)])))
    assert bar_widths(root) == [0.0, 0.0]


def test_bar_chart_rows_are_stacked_and_fit_the_view_box() -> None:
    root = parse(render_bar_chart(BarChart("Issues", [("a", 1.0), ("b", 2.0), ("c", 3.0)])))
    ys = [float(rect.get("y", "")) for rect in by_class(root, "bar")]
    assert ys == sorted(ys)
    assert len(set(ys)) == 3
    _, height = view_box(root)
    assert ys[-1] + 18 <= height


def test_empty_bar_chart_is_valid_and_says_no_data() -> None:
    root = parse(render_bar_chart(BarChart("Issues", [])))
    assert root.findtext(f"{NS}title") == "Issues"
    assert "no data" in "".join(root.itertext())
    assert by_class(root, "bar") == []


def test_bar_chart_is_accessible_and_escapes_labels() -> None:
    long_label = "a category with a very long name indeed"
    svg = render_bar_chart(BarChart(EVIL, [(EVIL, 2.0), (long_label, 1.0)]))
    assert "<script" not in svg
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.findtext(f"{NS}title") == EVIL
    assert desc(root) == f"2 bars: {EVIL} 2, {long_label} 1"
    rows = by_class(root, "bar-row")
    assert rows[1].findtext(f"{NS}title") == f"{long_label}: 1"
    shown = by_class(root, "bar-label")[1].text or ""
    assert shown.endswith("\u2026")
    assert len(shown) < len(long_label)
