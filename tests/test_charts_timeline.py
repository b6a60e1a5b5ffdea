"""The timeline chart (changes over the day): change markers between the right runs,
labels that stack and stay inside, alt text that tells the day in order."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from apex.charts import Chart, timeline_chart
from tests.chart_helpers import EVIL, NS, circles, group, parse, run_labels

TIMELINE_RUNS = [("Practice 1", 32.05), ("Practice 2", 31.62), ("Practice 3", None), ("Main", 31.5)]


def markers(root: ET.Element) -> list[float]:
    lines = group(root, "chart-changes").iter(f"{NS}line")
    return sorted({float(line.get("x1")) for line in lines})


def change_labels(root: ET.Element) -> list[ET.Element]:
    return list(group(root, "chart-change-labels").iter(f"{NS}text"))


def test_timeline_markers_stand_between_the_right_runs():
    root = parse(timeline_chart(TIMELINE_RUNS, [(-1, "Tyres"), (0, "DF −1000 cSt"), (3, "SO")]))
    points = circles(root, "chart-median")
    assert len(points) == 3  # Practice 3 has no laps
    (p1, _), (p2, _), (main, _) = points
    before, between, after = markers(root)
    assert before < p1 < between < p2 < after and main < after
    lines = list(group(root, "chart-changes").iter(f"{NS}line"))
    assert all(line.get("x1") == line.get("x2") for line in lines)
    assert group(root, "chart-changes").get("stroke-dasharray")


def test_timeline_keeps_the_slot_of_a_run_without_laps():
    root = parse(timeline_chart(TIMELINE_RUNS, [(2, "Camber")]))
    labels = run_labels(root, 4)
    x3, x4 = float(labels[2].get("x")), float(labels[3].get("x"))
    (marker,) = markers(root)
    assert x3 < marker < x4


def test_changes_at_one_gap_stack_and_stay_inside():
    changes = [(1, "F diff oil thinner"), (1, "R camber more negative"), (1, "F shock oil thicker")]
    chart = timeline_chart(TIMELINE_RUNS, changes)
    root = parse(chart)
    labels = change_labels(root)
    assert len(labels) == 3 and len(markers(root)) == 1
    assert len({el.get("y") for el in labels}) == 3  # one row each
    assert [el.text for el in labels] == ["F diff oil thinner", "R camber more negat…",
                                          "F shock oil thicker"]
    assert all(len(el.text or "") <= 20 for el in labels)
    (marker_x,) = markers(root)
    for el in labels:
        x = float(el.get("x"))
        width = 6.2 * len(el.text or "")
        assert el.get("text-anchor") == "middle"
        assert 0 <= x - width / 2 and x + width / 2 <= 360
        assert x - width / 2 <= marker_x <= x + width / 2  # over the gap it was made in
    assert ("Then F diff oil thinner, R camber more negative and F shock oil thicker."
            in chart.alt)
    # the plot moves down to make room: every point sits below the label rows
    lowest_label = max(float(el.get("y")) for el in labels)
    assert all(y > lowest_label for _, y in circles(root, "chart-median"))


def test_change_after_the_last_run_stays_inside():
    root = parse(timeline_chart(TIMELINE_RUNS, [(3, "F shock oil thicker")]))
    (label,) = change_labels(root)
    width = 6.2 * len(label.text or "")
    assert float(label.get("x")) + width / 2 <= 360


def test_timeline_alt_text():
    chart = timeline_chart(
        [("Practice 1", 32.05), ("Practice 2", 31.62), ("Practice 3", None)],
        [(-1, "Tyres"), (0, "DF −1000 cSt"), (2, "SO_F +50 cSt")],
    )
    assert chart.alt == (
        "Median lap per run with the changes between runs. Before the first run: Tyres. "
        "Practice 1: 32.050 s. Then DF −1000 cSt. Practice 2: 31.620 s. "
        "Practice 3: no laps. Then SO_F +50 cSt."
    )


def test_timeline_without_laps_says_so():
    assert timeline_chart([], []) == Chart(Markup(""), "No runs recorded.")
    chart = timeline_chart([("P1", None)], [(0, "DF")])
    assert chart.svg == Markup("")
    assert chart.alt.endswith("P1: no laps. Then DF.")


def test_change_index_out_of_range():
    with pytest.raises(ValueError):
        timeline_chart([("P1", 31.0)], [(1, "DF")])
    with pytest.raises(ValueError):
        timeline_chart([("P1", 31.0)], [(-2, "DF")])


def test_change_labels_and_names_are_escaped():
    chart = timeline_chart([(EVIL, 31.0), ("P2", 31.2)], [(0, EVIL)])
    assert "<script" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert not list(parse(chart).iter(f"{NS}script"))
    assert chart.alt.count(EVIL) == 2
