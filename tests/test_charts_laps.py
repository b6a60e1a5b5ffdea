"""The lap chart (one run, lap by lap): laps where a racer expects them, faster lower,
crash laps kept off the scale, the best lap marked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from markupsafe import Markup

from apex.charts import TOP, Chart, lap_chart
from tests.chart_helpers import EVIL, NS, PRACTICE_2, circles, group, parse, texts, y_ticks


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
        "Practice 2: 12 laps, best 31.388 s on lap 7, median 31.620 s. Left out: lap 6 (52.104 s)."
    )
    two = lap_chart("P", [31.0, 60.0, 31.2, 70.5, 31.1])
    assert two.alt.endswith("Left out: laps 2 (60.000 s) and 4 (70.500 s).")


def test_a_double_transponder_hit_is_a_cross_and_never_the_best():
    # R = median of 40.5 40.2 4.2 40.4 40.6 = 40.4: 4.2 is under .75 x 40.4 = 30.3 (short)
    chart = lap_chart("Heat", [40.5, 40.2, 4.2, 40.4, 40.6])
    assert chart.alt == ("Heat: 5 laps, best 40.200 s on lap 2, median 40.450 s. "
                         "Left out: lap 3 (4.200 s).")
    assert len(crosses(parse(chart))) == 1


def test_lap_title_is_escaped():
    chart = lap_chart(EVIL, [31.0, 31.5])
    assert "<script" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert chart.alt.startswith(EVIL)  # plain text: the template escapes it
    assert parse(chart).find(f"{NS}title").text == EVIL
