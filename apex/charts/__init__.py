"""Server-rendered SVG charts for the Post Event Analysis tab.

Why it is built this way:
- No chart library and no JavaScript reach the browser: each chart is one small
  ``<svg>`` string the template drops in as is (``Chart.svg`` is ``Markup``), so the
  page works on a trackside phone with a bad signal and under the app's CSP.
- The viewBox is fixed (360 × 200) and scales with ``width="100%"``; on a 390 px
  phone one viewBox unit is about one CSS pixel, so font-size 11 stays legible.
- Lap times read like timing sites: faster is *lower*, ticks are "31.4" or "1:02.4".
  The y scale comes from the clean laps only: a lap left out (TUNING.md §5 short
  and incident laps, ``apex.lap_stats.lap_flags``) would otherwise squash the
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

The package, one idea a module: ``svg`` holds what every chart shares (the viewBox and
its plot area, colours, text helpers, the y scale and axis, run labels, the ``<svg>``
wrapper and ``Chart``); ``laps``, ``runs`` and ``timeline`` draw one chart each. They
import ``svg`` directly, never this package, so no module here imports another around
a loop.
"""

from __future__ import annotations

from apex.charts.laps import lap_chart
from apex.charts.runs import runs_chart
from apex.charts.svg import TOP, Chart
from apex.charts.timeline import timeline_chart

__all__ = ["TOP", "Chart", "lap_chart", "runs_chart", "timeline_chart"]
