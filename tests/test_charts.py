"""The Post Event Analysis charts: well-formed, accessible, small SVG that draws the
laps where a racer expects them (faster lower, crash laps kept off the scale)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from markupsafe import Markup

from apex.charts import TOP, Chart, lap_chart, runs_chart, timeline_chart

NS = "{http://www.w3.org/2000/svg}"
PRACTICE_2 = [31.9, 31.7, 31.5, 31.62, 31.45, 52.104, 31.388, 31.6, 31.7, 31.55, 31.8, 31.62]
EVIL = "<script>alert(1)</script>"


def parse(chart: Chart) -> ET.Element:
    assert isinstance(chart.svg, Markup)
    return ET.fromstring(str(chart.svg))


def group(root: ET.Element, css: str) -> ET.Element:
    found = [el for el in root.iter() if el.get("class") == css and el.tag == f"{NS}g"]
    assert len(found) == 1, css
    return found[0]


def circles(root: ET.Element, css: str) -> list[tuple[float, float]]:
    """(cx, cy) of the circles in a class group, or of class circles themselves."""
    found = []
    for el in root.iter(f"{NS}circle"):
        if el.get("class") == css:
            found.append(el)
    for g in root.iter(f"{NS}g"):
        if g.get("class") == css:
            found.extend(g.iter(f"{NS}circle"))
    return [(float(c.get("cx")), float(c.get("cy"))) for c in found]


def lap_points(root: ET.Element) -> dict[float, float]:
    """x -> y of every non-crash lap point (hollow laps and the best lap)."""
    return dict(circles(root, "chart-laps") + circles(root, "chart-best"))


def crosses(root: ET.Element) -> list[tuple[float, float]]:
    """Centres of the crash crosses (each starts with ``M x-3 y-3``)."""
    try:
        path = group(root, "chart-crash").find(f"{NS}path")
    except AssertionError:
        return []
    assert path is not None
    moves = re.findall(r"M(-?[\d.]+) (-?[\d.]+)", path.get("d", ""))
    return [(float(x) + 3, float(y) + 3) for x, y in moves]


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}text")]


def y_ticks(root: ET.Element) -> list[tuple[str, float]]:
    """(label, y) of the y-axis tick labels, the ones right-aligned at the axis."""
    return [
        (el.text or "", float(el.get("y")))
        for g in root.iter(f"{NS}g")
        if g.get("text-anchor") == "end"
        for el in g.iter(f"{NS}text")
        if el.get("x") == "42"
    ]


def all_charts() -> list[Chart]:
    return [
        lap_chart("Practice 2", PRACTICE_2),
        lap_chart("One lap", [Decimal("62.104")]),
        runs_chart([("Practice 1", 31.7, 32.05), ("Practice 2", 31.388, 31.62)]),
        runs_chart([(f"Practice {i}", 31 + i / 20, 31.5) for i in range(1, 11)]),
        timeline_chart([("Practice 1", 32.05), ("Practice 2", 31.62)], [(0, "DF −1000 cSt")]),
    ]


# --- every chart --------------------------------------------------------------------------


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


# --- one run, lap by lap ---------------------------------------------------------------------


def test_lap_chart_draws_every_lap_once():
    root = parse(lap_chart("Practice 2", PRACTICE_2))
    assert len(circles(root, "chart-laps")) == 10  # 12 laps − the best − the crash
    assert len(circles(root, "chart-best")) == 1
    assert len(crosses(root)) == 1
    xs = sorted(list(lap_points(root)) + [x for x, _ in crosses(root)])
    assert len(set(xs)) == 12 and xs == sorted(xs)


def test_best_lap_is_filled_green_and_labelled():
    root = parse(lap_chart("Practice 2", PRACTICE_2))
    (best,) = [el for el in root.iter(f"{NS}circle") if el.get("class") == "chart-best"]
    assert best.get("fill") == "#146c2e"
    assert "best 31.388" in texts(root)
    assert group(root, "chart-laps").get("fill") == "#fff"  # the others are hollow
    # lap 7 is the best: the 7th of 12 slots
    x7 = sorted(list(lap_points(root)) + [x for x, _ in crosses(root)])[6]
    assert float(best.get("cx")) == x7


def test_faster_laps_are_drawn_lower():
    root = parse(lap_chart("P", [31.0, 32.0, 31.5]))
    ys = [y for _, y in sorted(lap_points(root).items())]
    assert ys[0] > ys[2] > ys[1]  # 31.0 lowest on screen (largest y), 32.0 highest
    ticks = y_ticks(root)
    assert len(ticks) == 3
    bottom_label = max(ticks, key=lambda t: t[1])[0]
    top_label = min(ticks, key=lambda t: t[1])[0]
    assert float(bottom_label) < 31.0 < 32.0 < float(top_label)


def test_crash_lap_does_not_stretch_the_scale():
    clean = [31.5, 31.2, 31.9, 31.4, 31.6]
    without = parse(lap_chart("P", clean))
    with_crash = parse(lap_chart("P", [*clean, 55.0]))
    assert crosses(without) == [] and len(crosses(with_crash)) == 1

    def slowest_y(root: ET.Element) -> float:
        points = sorted(lap_points(root).items())  # in lap order
        return points[2][1]  # lap 3, 31.9 s

    assert slowest_y(with_crash) == slowest_y(without)
    assert [label for label, _ in y_ticks(with_crash)] == [label for label, _ in y_ticks(without)]
    # the crash is clipped at the top edge, its real time written beside it
    ((_, crash_y),) = crosses(with_crash)
    assert crash_y == TOP
    assert "55.000" in texts(with_crash)
    assert min(lap_points(with_crash).values()) > TOP


def test_crash_flags_can_be_given():
    laps = [31.0, 31.2, 31.4]
    root = parse(lap_chart("P", laps, crash=[False, True, False]))
    assert len(crosses(root)) == 1 and len(lap_points(root)) == 2
    with pytest.raises(ValueError):
        lap_chart("P", laps, crash=[False])


def test_tick_labels_use_minutes_from_a_minute_up():
    root = parse(lap_chart("Stock", [62.1, 63.5, 61.9]))
    labels = [label for label, _ in y_ticks(root)]
    assert all(re.fullmatch(r"1:0\d\.\d", label) for label in labels), labels
    assert "best 1:01.900" in texts(root)
    fast = parse(lap_chart("Mod", [17.2, 17.5]))
    assert all(re.fullmatch(r"1\d\.\d", label) for label, _ in y_ticks(fast))


def test_narrow_spreads_still_get_three_distinct_ticks():
    root = parse(lap_chart("P", [31.40, 31.41, 31.42]))
    labels = [label for label, _ in y_ticks(root)]
    assert len(set(labels)) == 3


def lap_numbers(root: ET.Element) -> list[str]:
    return [t for t in texts(root) if t.isdigit()]


def test_lap_numbers_every_lap_up_to_twelve_then_every_fifth():
    assert lap_numbers(parse(lap_chart("P", [31.0 + i / 10 for i in range(12)]))) == [
        str(n) for n in range(1, 13)
    ]
    forty = parse(lap_chart("P", [31.0 + (i % 7) / 10 for i in range(40)]))
    assert lap_numbers(forty) == ["1", "5", "10", "15", "20", "25", "30", "35", "40"]


def test_forty_laps_fit_in_four_kilobytes():
    laps = [31.0 + (i * 37 % 100) / 100 for i in range(40)]
    laps[17], laps[30] = 58.204, 49.917
    chart = lap_chart("Practice 3 — Saturday", laps)
    assert len(crosses(parse(chart))) == 2
    assert len(str(chart.svg).encode()) < 4096
    assert "\n" not in chart.svg and "  " not in chart.svg


def test_no_laps():
    assert lap_chart("Practice 2", []) == Chart(Markup(""), "No laps recorded.")


def test_one_lap_is_a_single_point():
    chart = lap_chart("Heat", [Decimal("31.388")])
    root = parse(chart)
    assert circles(root, "chart-laps") == [] and len(circles(root, "chart-best")) == 1
    assert crosses(root) == []
    assert not [p for p in root.iter(f"{NS}path") if p.get("stroke") == "#0b57d0"]  # no line
    assert chart.alt == "Heat: 1 lap, best 31.388 s on lap 1, median 31.388 s."


def test_lap_alt_text():
    chart = lap_chart("Practice 2", PRACTICE_2)
    assert chart.alt == (
        "Practice 2: 12 laps, best 31.388 s on lap 7, median 31.620 s. Crash lap: 6 (52.104 s)."
    )
    two = lap_chart("P", [31.0, 60.0, 31.2, 70.5, 31.1])
    assert two.alt.endswith("Crash laps: 2 (60.000 s) and 4 (70.500 s).")


def test_lap_title_is_escaped():
    chart = lap_chart(EVIL, [31.0, 31.5])
    assert "<script" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert chart.alt.startswith(EVIL)  # plain text: the template escapes it
    assert parse(chart).find(f"{NS}title").text == EVIL


# --- run by run ------------------------------------------------------------------------------

RUNS = [
    ("Practice 1", 31.7, 32.05),
    ("Practice 2", 31.388, 31.62),
    ("Practice 3", None, None),
    ("Qualifier 1", 31.2, 31.5),
]


def squares(root: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(r.get("x")) + 3, float(r.get("y")) + 3)
        for r in group(root, "chart-best").iter(f"{NS}rect")
    ]


def run_labels(root: ET.Element, count: int) -> list[ET.Element]:
    labels = list(group(root, "chart-runs").iter(f"{NS}text"))
    assert len(labels) == count
    return labels


def test_runs_chart_skips_runs_without_laps_but_keeps_their_slot():
    root = parse(runs_chart(RUNS))
    best, median = squares(root), circles(root, "chart-median")
    assert len(best) == 3 and len(median) == 3
    labels = run_labels(root, 4)
    slot_x = [float(el.get("x")) for el in labels]
    assert [x for x, _ in best] == [x for x, _ in median] == [slot_x[0], slot_x[1], slot_x[3]]
    assert [el.text for el in labels] == [name for name, _, _ in RUNS]  # 4 slots: room enough
    five = runs_chart([(f"Practice session {i}", 31.0, 31.5) for i in range(1, 6)])
    assert [el.text for el in run_labels(parse(five), 5)][0] == "Practi… 1"
    # faster lower: run 4's best (31.2) is the lowest point, run 1's median (32.05) the highest
    assert max(y for _, y in best + median) == best[2][1]
    assert min(y for _, y in best + median) == median[0][1]
    assert {"best", "median"} <= set(texts(root))  # the legend


def test_runs_chart_turns_names_when_crowded():
    root = parse(runs_chart([(f"Run {i}", 31.0 + i / 10, 31.5 + i / 10) for i in range(1, 11)]))
    turned = [el for el in root.iter(f"{NS}text") if "rotate" in el.get("transform", "")]
    assert [el.text for el in turned] == [f"Run {i}" for i in range(1, 11)]
    long = parse(runs_chart([(f"Practice {i}", 31.0, 31.5) for i in range(1, 11)]))
    assert [el.text for el in run_labels(long, 10)][-2:] == ["Pract… 9", "Prac… 10"]


def test_runs_alt_text():
    assert runs_chart(RUNS).alt == (
        "Best and median lap per run. Practice 1: best 31.700 s, median 32.050 s. "
        "Practice 2: best 31.388 s, median 31.620 s. Practice 3: no laps. "
        "Qualifier 1: best 31.200 s, median 31.500 s."
    )


def test_runs_chart_without_laps():
    assert runs_chart([]) == Chart(Markup(""), "No runs recorded.")
    assert runs_chart([("P1", None, None)]) == Chart(Markup(""), "No laps recorded.")


def test_run_names_are_escaped():
    chart = runs_chart([(EVIL, 31.0, 31.4), ("P2", 31.1, 31.5)])
    assert "<script" not in chart.svg
    assert "&lt;script&gt;" in chart.svg or "&lt;scri" in chart.svg
    assert not list(parse(chart).iter(f"{NS}script"))
    assert EVIL in chart.alt


# --- the change timeline ---------------------------------------------------------------------

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
    changes = [(1, "DF −1000 cSt"), (1, "Rear camber −0.5°"), (1, "Shock oil front 450 cSt")]
    chart = timeline_chart(TIMELINE_RUNS, changes)
    root = parse(chart)
    labels = change_labels(root)
    assert len(labels) == 3 and len(markers(root)) == 1
    assert len({el.get("y") for el in labels}) == 3  # one row each
    assert [el.text for el in labels] == ["DF −1000 cSt", "Rear camber −…", "Shock oil fro…"]
    assert all(len(el.text or "") <= 14 for el in labels)
    for el in labels:
        x = float(el.get("x"))
        width = 6.2 * len(el.text or "")
        left, right = (x - width, x) if el.get("text-anchor") == "end" else (x, x + width)
        assert 0 <= left and right <= 360
    assert "Then DF −1000 cSt, Rear camber −0.5° and Shock oil front 450 cSt." in chart.alt
    # the plot moves down to make room: every point sits below the label rows
    lowest_label = max(float(el.get("y")) for el in labels)
    assert all(y > lowest_label for _, y in circles(root, "chart-median"))


def test_change_after_the_last_run_stays_inside():
    root = parse(timeline_chart(TIMELINE_RUNS, [(3, "Shock oil front 450 cSt")]))
    (label,) = change_labels(root)
    assert label.get("text-anchor") == "end" and float(label.get("x")) <= 360


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
