"""What every chart of ``apex.charts`` shares: the fixed viewBox and its plot area,
colours, text helpers (timing-site times, "…" cuts, rounded coordinates), the y scale
in tenths of a second and its axis, the run names under the plot, and the ``<svg>``
wrapper with its title, description and ids.

The leading underscores mark helpers internal to the ``apex.charts`` package: the
chart modules import them from here; nothing outside the package should.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from apex.lap_input import format_lap

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT = 46, 350  # plot area x range (tick labels sit left of LEFT)
TOP, BOTTOM = 22, 176  # plot area y range (BOTTOM moves up when x labels are rotated)
ROTATED_BOTTOM = 154
CHAR_W = 6.2  # rough width of one character at font-size 11, for layout only
RUN_LABEL_CHARS = 8  # turned names; side by side they get their slot's width, up to 14
RUN_LABEL_MAX = 14

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
    last word survives ("P1" for "Practice 1", else "Pract… 1"): in run names it is
    what tells runs apart."""
    if len(text) <= limit:
        return text
    head, _, last = text.rpartition(" ")
    if keep_last and head and len(last) <= 3:
        # "Practice 1" -> "P1", "Club main 2" -> "CM 2": what racers write on a board,
        # where "Practi… 1" reads as nothing. The full name is in the text alternative.
        initials = "".join(word[0] for word in head.split()).upper()
        short = f"{initials}{last}" if len(initials) == 1 else f"{initials} {last}"
        if len(short) <= limit:
            return short
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


def _names(names: Sequence[str]) -> list[str]:
    return [name.strip() or f"Run {i}" for i, name in enumerate(names, 1)]


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
