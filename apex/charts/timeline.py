"""The timeline chart: the changes over the day, median clean lap per run with the
setup changes as dashed markers between runs and their labels stacked above the plot."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from apex.charts.svg import (
    BLUE,
    HALO,
    INK,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Y_CAPTION,
    Chart,
    _and,
    _chart_id,
    _n,
    _names,
    _path,
    _run_labels,
    _scale,
    _secs,
    _short,
    _slot_x,
    _svg,
    _width,
    _y_axis,
)

ROW_H = 13  # one line of text at font-size 11
MAX_LABEL_ROWS = 5  # timeline: rows of change labels above the plot
CHANGE_LABEL_CHARS = 20


def timeline_chart(
    runs: Sequence[tuple[str, float | None]], changes: Sequence[tuple[int, str]]
) -> Chart:
    """Median clean lap per run, with the setup changes as dashed markers between runs.

    A change is ``(index of the run it came after, label)``; -1 means before the
    first run, the last run's index means after it. Labels are shortened to 20
    characters in the svg (the full text is in ``alt``) and stacked in rows above
    the plot wherever they would overlap, so they never leave the chart.
    Raises ValueError for an index outside -1 .. len(runs) - 1.
    """
    title = "Median lap per run with the changes between runs"
    count = len(runs)
    for gap, _ in changes:
        if not -1 <= gap < count:
            raise ValueError(f"change after run {gap}: there are {count} runs")
    names = _names([name for name, _ in runs])
    texts = [text.strip() or "Change" for _, text in changes]
    alt = _timeline_alt(title, names, runs, changes, texts)
    medians = [m for _, m in runs if m is not None]
    if not medians:
        return Chart(Markup(""), alt)

    # Change labels: each is centred over its marker (the gap it was made in), moved in
    # only as far as the chart's edge needs, and takes the first row where it overlaps
    # nothing (row 0 also holds the y caption), in run order; the plot starts below.
    rows: list[list[tuple[float, float]]] = [[(0, 2 + _width(Y_CAPTION))]]
    placed: list[tuple[int, float, str, float]] = []  # row, marker x, label, text centre
    order = sorted(range(len(changes)), key=lambda k: (changes[k][0], k))
    for k in order:
        x = _gap_x(changes[k][0], count)
        label = _short(texts[k], CHANGE_LABEL_CHARS)
        half = _width(label) / 2
        centre = min(max(x, 2 + half), WIDTH - 2 - half)
        span = (centre - half, centre + half)
        row = next(
            (r for r in range(MAX_LABEL_ROWS)
             if r >= len(rows) or all(span[1] + 4 <= a or b + 4 <= span[0] for a, b in rows[r])),
            MAX_LABEL_ROWS - 1,
        )
        while len(rows) <= row:
            rows.append([])
        rows[row].append(span)
        placed.append((row, x, label, centre))
    top = TOP + ROW_H * (len(rows) - 1)

    labels, bottom = _run_labels(names)
    scale = _scale([float(m) for m in medians], top, bottom)
    pts = [(_slot_x(i, count), scale.y(float(m))) for i, (_, m) in enumerate(runs) if m is not None]
    marker_top: dict[float, int] = {}
    for row, x, _, _ in placed:
        marker_top[x] = min(row, marker_top.get(x, row))
    markers = "".join(
        f'<line x1="{_n(x)}" y1="{_n(12 + ROW_H * row - 9)}" x2="{_n(x)}" y2="{_n(bottom)}"/>'
        for x, row in marker_top.items()
    )
    change_text = "".join(
        f'<text x="{_n(centre)}" y="{12 + ROW_H * row}" text-anchor="middle"{HALO}>'
        f"{escape(label)}</text>"
        for row, _, label, centre in placed
    )
    circles = "".join(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3"/>' for x, y in pts)
    body = (
        _y_axis(scale)
        + labels
        + (
            f'<g class="chart-changes" stroke="{INK}" stroke-dasharray="3 3">{markers}</g>'
            f'<g class="chart-change-labels">{change_text}</g>'
            if placed
            else ""
        )
        + _path(pts, f'stroke="{BLUE}"')
        + f'<g class="chart-median" fill="{BLUE}">{circles}</g>'
    )
    data = (list(runs), list(changes))
    return Chart(_svg(_chart_id("timeline", title, data), title, alt, body), alt)


def _gap_x(gap: int, count: int) -> float:
    """Where the marker of a change after run ``gap`` stands: halfway between two runs,
    or a quarter slot outside the first/last run (the axis is at the very edge)."""
    slot = (RIGHT - LEFT) / count
    if gap < 0:
        return LEFT + slot / 4
    if gap >= count - 1:
        return RIGHT - slot / 4
    return LEFT + (gap + 1) * slot


def _timeline_alt(
    title: str,
    names: Sequence[str],
    runs: Sequence[tuple[str, float | None]],
    changes: Sequence[tuple[int, str]],
    texts: Sequence[str],
) -> str:
    if not runs:
        return "No runs recorded."
    by_gap: dict[int, list[str]] = {}
    for (gap, _), text in zip(changes, texts, strict=True):
        by_gap.setdefault(gap, []).append(text)
    sentences = [f"{title}."]
    if -1 in by_gap:
        sentences.append(f"Before the first run: {_and(by_gap[-1])}.")
    for i, (name, (_, median)) in enumerate(zip(names, runs, strict=True)):
        sentences.append(f"{name}: {_secs(median)}." if median is not None else f"{name}: no laps.")
        if i in by_gap:
            sentences.append(f"Then {_and(by_gap[i])}.")
    return " ".join(sentences)
