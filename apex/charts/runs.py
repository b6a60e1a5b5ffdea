"""The runs chart: the event run by run, best and median clean lap of each run as two
lines, in run order."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from apex.charts.svg import (
    BLUE,
    GREEN,
    RIGHT,
    TOP,
    Chart,
    _chart_id,
    _n,
    _names,
    _path,
    _run_labels,
    _scale,
    _secs,
    _slot_x,
    _svg,
    _width,
    _y_axis,
)


def _legend() -> str:
    """"■ best ● median" in the top right corner."""
    text_x = RIGHT - _width("median")
    dot_x = text_x - 7
    best_text_x = dot_x - 10 - _width("best")
    square_x = best_text_x - 10
    return (
        f'<rect x="{_n(square_x)}" y="5" width="7" height="7" fill="{GREEN}"/>'
        f'<text x="{_n(best_text_x)}" y="12">best</text>'
        f'<circle cx="{_n(dot_x)}" cy="8.5" r="3.5" fill="{BLUE}"/>'
        f'<text x="{_n(text_x)}" y="12">median</text>'
    )


def runs_chart(runs: Sequence[tuple[str, float | None, float | None]]) -> Chart:
    """Best and median clean lap of each run, in run order, as two lines.

    A run without laps (None) keeps its slot and name but has no point; the line
    joins the runs either side of it.
    """
    title = "Best and median lap per run"
    names = _names([name for name, _, _ in runs])
    values = [v for _, best, median in runs for v in (best, median) if v is not None]
    if not values:
        return Chart(Markup(""), "No runs recorded." if not runs else "No laps recorded.")
    labels, bottom = _run_labels(names)
    scale = _scale([float(v) for v in values], TOP, bottom)
    count = len(runs)
    best_pts = [
        (_slot_x(i, count), scale.y(float(best))) for i, (_, best, _) in enumerate(runs)
        if best is not None
    ]
    median_pts = [
        (_slot_x(i, count), scale.y(float(median))) for i, (_, _, median) in enumerate(runs)
        if median is not None
    ]
    squares = "".join(
        f'<rect x="{_n(x - 3)}" y="{_n(y - 3)}" width="6" height="6"/>' for x, y in best_pts
    )
    circles = "".join(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3"/>' for x, y in median_pts)
    body = (
        _y_axis(scale)
        + labels
        + _legend()
        + _path(best_pts, f'stroke="{GREEN}" stroke-dasharray="4 3"')
        + _path(median_pts, f'stroke="{BLUE}"')
        + f'<g class="chart-best" fill="{GREEN}">{squares}</g>'
        + f'<g class="chart-median" fill="{BLUE}">{circles}</g>'
    )
    sentences = [f"{title}."]
    for name, (_, best, median) in zip(names, runs, strict=True):
        pairs = (("best", best), ("median", median))
        parts = [f"{label} {_secs(v)}" for label, v in pairs if v is not None]
        sentences.append(f"{name}: {', '.join(parts)}." if parts else f"{name}: no laps.")
    alt = " ".join(sentences)
    return Chart(_svg(_chart_id("runs", title, list(runs)), title, alt, body), alt)
