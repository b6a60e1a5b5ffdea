"""The Post Event Analysis charts: well-formed, accessible, small SVG, the same bytes for
the same input and ids unique on a page. What each chart draws is tested in
``test_charts_laps.py``, ``test_charts_runs.py`` and ``test_charts_timeline.py``."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from apex.charts import Chart, lap_chart, runs_chart, timeline_chart
from tests.chart_helpers import NS, PRACTICE_2, parse


def all_charts() -> list[Chart]:
    return [
        lap_chart("Practice 2", PRACTICE_2),
        lap_chart("One lap", [Decimal("62.104")]),
        runs_chart([("Practice 1", 31.7, 32.05), ("Practice 2", 31.388, 31.62)]),
        runs_chart([(f"Practice {i}", 31 + i / 20, 31.5) for i in range(1, 11)]),
        timeline_chart([("Practice 1", 32.05), ("Practice 2", 31.62)], [(0, "DF −1000 cSt")]),
    ]


@pytest.mark.parametrize("chart", all_charts())
def test_svg_is_accessible_self_contained_and_scales(chart):
    root = parse(chart)
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == "0 0 360 200"
    assert root.get("width") == "100%"
    assert root.get("preserveAspectRatio") == "xMidYMid meet"
    assert root.get("role") == "img"
    assert root.get("font-family") == "system-ui, sans-serif"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.get("id") == title_id
    assert desc is not None and desc.get("id") == desc_id and desc.text == chart.alt
    for el in root.iter():
        assert el.tag != f"{NS}script"
        size = el.get("font-size")
        assert size is None or float(size) >= 11
        for name, value in el.attrib.items():
            assert not name.startswith("on"), name
            assert "href" not in name and "url(" not in value
    assert float(root.get("font-size")) >= 11
    assert "@import" not in chart.svg and "<style" not in chart.svg


@pytest.mark.parametrize("chart", all_charts())
def test_coordinates_are_rounded(chart):
    numbers = re.findall(r'(?:x|y|cx|cy|x1|x2|y1|y2)="(-?[\d.]+)"', str(chart.svg))
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers)


def test_same_input_same_bytes():
    assert lap_chart("Practice 2", PRACTICE_2) == lap_chart("Practice 2", list(PRACTICE_2))
    changes = [(0, "DF −1000 cSt")]
    runs = [("P1", 32.0), ("P2", 31.6)]
    assert timeline_chart(runs, changes).svg == timeline_chart(runs, changes).svg


def test_ids_are_unique_between_charts():
    charts = [
        lap_chart("Practice 1", PRACTICE_2),
        lap_chart("Practice 2", PRACTICE_2),
        lap_chart("Practice 2", PRACTICE_2[:5]),  # same title, other laps
        runs_chart([("P1", 31.0, 31.5)]),
        runs_chart([("P1", 31.0, 31.6)]),
        timeline_chart([("P1", 31.5)], []),
    ]
    ids = [el.get("id") for chart in charts for el in parse(chart).iter() if el.get("id")]
    assert len(ids) == 2 * len(charts)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"chart-[a-z0-9-]*[0-9a-f]{8}-[td]", i) for i in ids)
    assert ids[2].startswith("chart-practice-2-")
