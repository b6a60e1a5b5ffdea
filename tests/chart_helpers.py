"""What the chart tests share: parsing a chart's svg and finding its parts by class
(ElementTree, so a malformed svg fails the test), plus the sample laps and a hostile
name used across them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

from apex.charts import Chart

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


def run_labels(root: ET.Element, count: int) -> list[ET.Element]:
    labels = list(group(root, "chart-runs").iter(f"{NS}text"))
    assert len(labels) == count
    return labels
