"""Server-rendered SVG charts for the Post Event Analysis tab.

Why it is built this way:
- No chart library and no JavaScript reach the browser: each chart is one small
  ``<svg>`` string the template drops in as is (``Chart.svg`` is ``Markup``), so the
  page works on a trackside phone with a bad signal and under the app's CSP.
- The viewBox is fixed (360 × 200) and scales with ``width="100%"``; on a 390 px
  phone one viewBox unit is about one CSS pixel, so font-size 11 stays legible.
- Lap times read like timing sites: faster is *lower*, ticks are "31.4" or "1:02.4".
  The y scale comes from the clean laps only: a crash lap (the domain doc's
  1.5 × median rule, ``apex.lap_stats.crash_flags``) would otherwise squash the
  laps that matter into a flat line. It is drawn clipped at the top edge as a red
  cross with its time written beside it.
- Every chart has a text alternative (``Chart.alt``), also in the svg's ``<desc>``;
  it is plain text (the template escapes it). All user text inside the svg is
  escaped with ``markupsafe.escape`` and long labels are shortened with "…" (the
  full text is in ``alt``).
- Pure and deterministic: same input, same bytes. The ids of ``<title>``/``<desc>``
  hash the chart's kind, title and data, so two charts on one page never share ids
  unless they are the very same chart.
- Class names carry a ``chart-`` prefix: the app's CSS already styles ``.best``,
  ``.crash`` and ``.laps`` for the lap list.
"""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from apex.lap_input import format_lap
from apex.lap_stats import crash_flags

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT = 46, 350  # plot area x range (tick labels sit left of LEFT)
TOP, BOTTOM = 22, 176  # plot area y range (BOTTOM moves up when x labels are rotated)
ROTATED_BOTTOM = 154
CHAR_W = 6.2  # rough width of one character at font-size 11, for layout only
ROW_H = 13  # one line of text at font-size 11
MAX_LABEL_ROWS = 5  # timeline: rows of change labels above the plot
RUN_LABEL_CHARS = 8  # turned names; side by side they get their slot's width, up to 14
RUN_LABEL_MAX = 14
CHANGE_LABEL_CHARS = 14

INK, BLUE, RED, GREEN, GRID = "#111", "#0b57d0", "#b3261e", "#146c2e", "#ddd"
END = ' text-anchor="end"'
HALO = ' stroke="#fff" stroke-width="3" paint-order="stroke"'  # keeps text legible over lines
Y_CAPTION = "lap time (s)"

Number = Decimal | float


@dataclass(frozen=True)
class Chart:
    svg: Markup  # an <svg> element, safe to put in a Jinja template as is ("" when empty)
    alt: str  # plain sentences for a screen reader; also shown under the chart


# --- text ---------------------------------------------------------------------------------


def _dec(value: Number) -> Decimal:
    """The value as written (``31.4``, not its binary neighbour)."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _clock(value: Number, decimals: int) -> str:
    """Timing-site format: ``31.388`` under a minute, ``1:02.104`` from 60 s up."""
    return format_lap(_dec(value), decimals)


def _secs(value: Number) -> str:
    """Seconds for the alt text: ``62.104 s`` reads aloud better than ``1:02.104``."""
    return f"{_dec(value).quantize(Decimal('0.001'), rounding=ROUND_HALF_UP)} s"


def _short(text: str, limit: int, *, keep_last: bool = False) -> str:
    """At most ``limit`` characters, ending in "…" when cut. With ``keep_last`` a short
    last word survives ("Pract… 1"): in run names it is what tells runs apart."""
    if len(text) <= limit:
        return text
    head, _, last = text.rpartition(" ")
    if keep_last and head and len(last) <= 3 and limit - len(last) - 2 >= 2:
        return f"{head[: limit - len(last) - 2].rstrip()}… {last}"
    return text[: limit - 1].rstrip() + "…"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _n(value: float) -> str:
    """A coordinate rounded to 0.1, without a needless ``.0``."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _width(text: str) -> float:
    return CHAR_W * len(text)


# --- layout -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """A y scale in whole tenths of a second, from ``base`` to ``base + 2 * half``."""

    base: int
    half: int
    top: float
    bottom: float

    def tick(self, k: int) -> Decimal:
        """The k-th of the three tick values (0 bottom, 2 top), exact to 0.1 s."""
        return Decimal(self.base + k * self.half) / 10

    def y(self, seconds: float) -> float:
        """Faster is lower: the smallest time sits at the bottom of the plot."""
        share = (seconds * 10 - self.base) / (2 * self.half)
        return self.bottom - share * (self.bottom - self.top)


def _scale(values: Sequence[float], top: float, bottom: float) -> _Scale:
    """The values plus a small margin, widened to whole tenths with the middle tick on a
    tenth too, so all three tick labels are exact and distinct at one decimal.

    Ticks are not rounded to 1-2-5 steps: on a 0.6 s spread that would waste half the
    height, and the spread between laps is what the racer reads.
    """
    lo, hi = min(values), max(values)
    margin = max((hi - lo) * 0.06, 0.05)
    base = max(math.floor(round((lo - margin) * 10, 6)), 0)
    span = max(math.ceil(round((hi + margin) * 10, 6)) - base, 2)
    return _Scale(base, (span + 1) // 2, top, bottom)


def _slot_x(index: int, count: int) -> float:
    """Centre of the index-th of ``count`` equal slots across the plot."""
    return LEFT + (index + 0.5) * (RIGHT - LEFT) / count


def _y_axis(scale: _Scale) -> str:
    """Grid lines, the axis, the three tick labels and the caption."""
    ys = [scale.y(float(scale.tick(k))) for k in range(3)]
    grid = "".join(f"M{LEFT} {_n(y)}H{RIGHT}" for y in ys[1:])
    ticks = "".join(
        f'<text x="{LEFT - 4}" y="{_n(y + 4)}">'
        f"{_clock(scale.tick(k), 1)}</text>"
        for k, y in enumerate(ys)
    )
    return (
        f'<path d="{grid}" stroke="{GRID}"/>'
        f'<path d="M{LEFT} {_n(scale.top)}V{_n(scale.bottom)}H{RIGHT}" fill="none" stroke="{INK}"/>'
        f'<g text-anchor="end">{ticks}</g>'
        f'<text x="2" y="12">{Y_CAPTION if scale.tick(2) < 60 else "lap time"}</text>'
    )


def _run_labels(names: Sequence[str]) -> tuple[str, float]:
    """The run names under the plot, and the plot's bottom edge.

    Up to five runs fit side by side, each name cut to its slot's width (8 to 14
    characters); more are turned 45° and cut to 8 (and thinned out when even that
    would overlap), which moves the plot's bottom up to make room.
    """
    count = len(names)
    slot = (RIGHT - LEFT) / count
    rotated = slot < 52
    bottom = ROTATED_BOTTOM if rotated else BOTTOM
    stride = max(1, math.ceil(14 / slot)) if rotated else 1
    fits = int((slot - 4) / CHAR_W)
    limit = RUN_LABEL_CHARS if rotated else max(RUN_LABEL_CHARS, min(fits, RUN_LABEL_MAX))
    parts = []
    for i in range(0, count, stride):
        label = escape(_short(names[i], limit, keep_last=True))
        x = _slot_x(i, count)
        if rotated:
            ax, ay = _n(x + 3), _n(bottom + 12)
            turn = f"rotate(-45 {ax} {ay})"
            parts.append(f'<text x="{ax}" y="{ay}" transform="{turn}">{label}</text>')
        else:
            parts.append(f'<text x="{_n(x)}" y="{_n(bottom + 14)}">{label}</text>')
    anchor = "end" if rotated else "middle"
    return f'<g class="chart-runs" text-anchor="{anchor}">{"".join(parts)}</g>', bottom


def _chart_id(kind: str, title: str, data: object) -> str:
    """Readable and unique per chart on a page: a slug of the title and a hash."""
    digest = hashlib.sha1(f"{kind}\0{title}\0{data!r}".encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:16].strip("-")
    return f"chart-{slug}-{digest}" if slug else f"chart-{digest}"


def _svg(chart_id: str, title: str, alt: str, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
        f' preserveAspectRatio="xMidYMid meet" role="img"'
        f' aria-labelledby="{chart_id}-t {chart_id}-d"'
        f' font-family="system-ui, sans-serif" font-size="11" fill="{INK}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(alt)}</desc>{body}</svg>'
    )


def _line(points: Sequence[tuple[float, float]]) -> str:
    """Path data through the points (an empty string for none)."""
    return "".join(
        f"{'L' if i else 'M'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(points)
    )


def _path(points: Sequence[tuple[float, float]], style: str) -> str:
    """A series line (nothing for no points: an empty ``d`` is an error in some browsers)."""
    if not points:
        return ""
    return f'<path d="{_line(points)}" fill="none" {style} stroke-width="1.5"/>'


def _beside(x: float, y: float, text: str, colour: str, css: str) -> str:
    """A label right of a point, or left of it when it would leave the chart."""
    head = f'<text class="{css}" y="{_n(y)}" fill="{colour}"{HALO}'
    if x + 5 + _width(text) <= WIDTH - 2:
        return f'{head} x="{_n(x + 5)}">{text}</text>'
    return f'{head} x="{_n(x - 5)}"{END}>{text}</text>'


# --- one run: lap by lap --------------------------------------------------------------------


def lap_chart(
    title: str, seconds: Sequence[Number], *, crash: Sequence[bool] | None = None
) -> Chart:
    """One run's laps: lap number across, lap time up (faster lower).

    Crash laps (``crash_flags`` when ``crash`` is not given) are red crosses that do
    not stretch the y scale: one clipped at the plot's edge has its time beside it.
    The best lap (the first fastest) is a filled green dot labelled "best 31.388".
    """
    if not seconds:
        return Chart(Markup(""), "No laps recorded.")
    flags = list(crash) if crash is not None else crash_flags(seconds)
    if len(flags) != len(seconds):
        raise ValueError("crash needs one flag per lap")
    times = [float(s) for s in seconds]
    count = len(times)
    clean = [t for t, bad in zip(times, flags, strict=True) if not bad]
    best_i = min(range(count), key=lambda i: (times[i], i))
    scale = _scale(clean or times, TOP, BOTTOM)

    slot = (RIGHT - LEFT) / count
    radius = _n(3 if slot >= 9 else max(1.5, slot / 3))
    points: list[tuple[float, float]] = []
    segments: list[list[tuple[float, float]]] = [[]]
    dots, crosses, crash_text = [], [], []
    for i, (t, bad) in enumerate(zip(times, flags, strict=True)):
        x, y = _slot_x(i, count), min(max(scale.y(t), TOP), BOTTOM)
        points.append((x, y))
        if bad:
            crosses.append(f"M{_n(x - 3)} {_n(y - 3)}l6 6m0-6l-6 6")
            text_y = y + 4 if y < TOP + 8 else y  # beside a clipped cross, not above the plot
            crash_text.append(_beside(x, text_y, _clock(t, 3), RED, "chart-crash"))
            segments.append([])
            continue
        segments[-1].append((x, y))
        if i != best_i:
            dots.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{radius}"/>')
    line = "".join(_line(seg) for seg in segments if len(seg) > 1)  # a lone point has no line

    stride = 1 if count <= 12 else 5 * math.ceil(count / 60)
    numbers = "".join(
        f'<text x="{_n(_slot_x(i, count))}" y="{BOTTOM + 14}">{i + 1}</text>'
        for i in range(count)
        if stride == 1 or i == 0 or (i + 1) % stride == 0
    )
    bx, by = points[best_i]
    best_label = "best " + _clock(times[best_i], 3)
    body = (
        _y_axis(scale)
        + f'<text x="{LEFT - 4}" y="{BOTTOM + 14}" text-anchor="end">lap</text>'
        + f'<g text-anchor="middle">{numbers}</g>'
        + (f'<path d="{line}" fill="none" stroke="{BLUE}" stroke-width="1.5"/>' if line else "")
        + f'<g class="chart-laps" fill="#fff" stroke="{BLUE}" stroke-width="1.5">'
        + "".join(dots)
        + "</g>"
        + (
            f'<g class="chart-crash" stroke="{RED}" stroke-width="2">'
            f'<path d="{"".join(crosses)}"/></g>{"".join(crash_text)}'
            if crosses
            else ""
        )
        + f'<circle class="chart-best" cx="{_n(bx)}" cy="{_n(by)}" r="4" fill="{GREEN}"/>'
        + _beside(bx, by + 4, best_label, GREEN, "chart-best")
    )
    alt = _lap_alt(title, seconds, flags, best_i)
    return Chart(_svg(_chart_id("laps", title, (list(seconds), flags)), title, alt, body), alt)


def _lap_alt(title: str, seconds: Sequence[Number], flags: Sequence[bool], best_i: int) -> str:
    count = len(seconds)
    clean = [_dec(s) for s, bad in zip(seconds, flags, strict=True) if not bad]
    laps = "1 lap" if count == 1 else f"{count} laps"
    text = f"{title.strip() or 'Run'}: {laps}, best {_secs(seconds[best_i])} on lap {best_i + 1}"
    text += f", median {_secs(statistics.median(clean))}." if clean else "."
    crashed = [
        f"{i} ({_secs(s)})" for i, (s, bad) in enumerate(zip(seconds, flags, strict=True), 1) if bad
    ]
    if crashed:
        text += f" Crash lap{'s' if len(crashed) > 1 else ''}: {_and(crashed)}."
    return text


# --- the event: run by run --------------------------------------------------------------------


def _names(names: Sequence[str]) -> list[str]:
    return [name.strip() or f"Run {i}" for i, name in enumerate(names, 1)]


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


def timeline_chart(
    runs: Sequence[tuple[str, float | None]], changes: Sequence[tuple[int, str]]
) -> Chart:
    """Median clean lap per run, with the setup changes as dashed markers between runs.

    A change is ``(index of the run it came after, label)``; -1 means before the
    first run, the last run's index means after it. Labels are shortened to 14
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

    # Change labels: each takes the first row where it overlaps nothing (row 0 also
    # holds the y caption), in run order; the plot starts below the rows in use.
    rows: list[list[tuple[float, float]]] = [[(0, 2 + _width(Y_CAPTION))]]
    placed: list[tuple[int, float, str, str]] = []  # row, marker x, label, anchor
    order = sorted(range(len(changes)), key=lambda k: (changes[k][0], k))
    for k in order:
        x = _gap_x(changes[k][0], count)
        label = _short(texts[k], CHANGE_LABEL_CHARS)
        width = _width(label)
        right = x + 3 + width <= WIDTH - 2
        span = (x + 3, x + 3 + width) if right else (x - 3 - width, x - 3)
        row = next(
            (r for r in range(MAX_LABEL_ROWS)
             if r >= len(rows) or all(span[1] + 4 <= a or b + 4 <= span[0] for a, b in rows[r])),
            MAX_LABEL_ROWS - 1,
        )
        while len(rows) <= row:
            rows.append([])
        rows[row].append(span)
        placed.append((row, x, label, "start" if right else "end"))
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
        f'<text x="{_n(x + 3 if anchor == "start" else x - 3)}" y="{12 + ROW_H * row}"'
        f"{END if anchor == 'end' else ''}{HALO}>{escape(label)}</text>"
        for row, x, label, anchor in placed
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
