"""The lap chart: one run lap by lap (lap number across, lap time up, faster lower),
laps left out (short, incident, out by hand) as red crosses kept off the scale, the
best clean lap a labelled green dot."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from markupsafe import Markup

from apex.charts.svg import (
    BLUE,
    BOTTOM,
    GREEN,
    LEFT,
    RED,
    RIGHT,
    TOP,
    Chart,
    Number,
    _and,
    _beside,
    _chart_id,
    _clock,
    _dec,
    _line,
    _n,
    _scale,
    _secs,
    _slot_x,
    _svg,
    _y_axis,
)
from apex.lap_stats import lap_flags


def lap_chart(
    title: str, seconds: Sequence[Number], *, crash: Sequence[bool] | None = None
) -> Chart:
    """One run's laps: lap number across, lap time up (faster lower).

    Laps left out (short, incident or flagged by hand: ``lap_flags`` when ``crash``
    is not given) are red crosses that do not stretch the y scale: one clipped at the
    plot's edge has its time beside it. The best lap (the first fastest clean lap,
    never a short one) is a filled green dot labelled "best 31.388".
    """
    if not seconds:
        return Chart(Markup(""), "No laps recorded.")
    flags = list(crash) if crash is not None else [f != "clean" for f in lap_flags(seconds)]
    if len(flags) != len(seconds):
        raise ValueError("crash needs one flag per lap")
    times = [float(s) for s in seconds]
    count = len(times)
    clean = [t for t, bad in zip(times, flags, strict=True) if not bad]
    kept = [i for i in range(count) if not flags[i]] or list(range(count))
    best_i = min(kept, key=lambda i: (times[i], i))
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
        text += f" Left out: lap{'s' if len(crashed) > 1 else ''} {_and(crashed)}."
    return text
