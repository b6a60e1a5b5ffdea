"""The runs chart (the event, run by run): best and median per run, slots kept for runs
without laps, names that fit or turn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

from apex.charts import Chart, runs_chart
from tests.chart_helpers import EVIL, NS, circles, group, parse, run_labels, texts

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


def test_runs_chart_skips_runs_without_laps_but_keeps_their_slot():
    root = parse(runs_chart(RUNS))
    best, median = squares(root), circles(root, "chart-median")
    assert len(best) == 3 and len(median) == 3
    labels = run_labels(root, 4)
    slot_x = [float(el.get("x")) for el in labels]
    assert [x for x, _ in best] == [x for x, _ in median] == [slot_x[0], slot_x[1], slot_x[3]]
    assert [el.text for el in labels] == [name for name, _, _ in RUNS]  # 4 slots: room enough
    five = runs_chart([(f"Practice session {i}", 31.0, 31.5) for i in range(1, 6)])
    assert [el.text for el in run_labels(parse(five), 5)][0] == "PS 1"  # not "Practi… 1"
    # faster lower: run 4's best (31.2) is the lowest point, run 1's median (32.05) the highest
    assert max(y for _, y in best + median) == best[2][1]
    assert min(y for _, y in best + median) == median[0][1]
    assert {"best", "median"} <= set(texts(root))  # the legend


def test_runs_chart_turns_names_when_crowded():
    root = parse(runs_chart([(f"Run {i}", 31.0 + i / 10, 31.5 + i / 10) for i in range(1, 11)]))
    turned = [el for el in root.iter(f"{NS}text") if "rotate" in el.get("transform", "")]
    assert [el.text for el in turned] == [f"Run {i}" for i in range(1, 11)]
    long = parse(runs_chart([(f"Practice {i}", 31.0, 31.5) for i in range(1, 11)]))
    assert [el.text for el in run_labels(long, 10)][-2:] == ["P9", "P10"]


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
