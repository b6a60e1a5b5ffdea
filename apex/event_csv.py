"""An event's laps and setup changes as CSV files, safe to open in a spreadsheet.

Why it is built this way:
- The conventions of the library export (``apex.library_csv.export_rows``): UTF-8
  text starting with a byte-order mark so a spreadsheet reads accents right, CRLF line
  ends and quoting as the ``csv`` module writes them.
- Spreadsheet formula injection: every text cell goes through ``neutralise`` (a cell
  starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``). Numbers
  the app itself writes (lap numbers, seconds) are never text. A change's old and new
  value stay as written when the parameter is numeric and the cell is a plain number
  (Toe ``-1.0``), exactly as the library export keeps them, so they sort and sum.
- Seconds are plain seconds with three decimals (``62.417``, not ``1:02.417``): a
  spreadsheet reads them as numbers.
- A change names its runs (``Q1``), not their ids, and its time is ISO 8601 UTC
  (``2025-10-18T10:15:00Z``); a time without a zone is taken as UTC, as the stores
  write it.
- The verdict columns come from ``apex.verdicts.judge_event`` for the changes that were
  on the car (accepted, or reverted later): ``verdict`` by the laps, the ``effect`` and
  its noise ``band`` in % and s/lap, the track ``trend`` taken off (%/run, empty when
  unknown), the parameters judged ``together_with`` it, the racer's ``audit`` opinion
  and the ``result`` sentence the page shows. A denied or pending change was never
  raced and gets none of them; an undone one reads "reverted".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from apex.catalogue import BY_KEY
from apex.lap_stats import event_run_stats, lap_flags
from apex.library_csv import BOM
from apex.models import Audit, Event, Run, SetupChange
from apex.spreadsheet import PLAIN_NUMBER, neutralise
from apex.verdicts import ChangeVerdict, judge_event

LAP_COLUMNS: tuple[str, ...] = ("event", "run", "lap", "seconds", "flag", "manual", "best")
CHANGE_COLUMNS: tuple[str, ...] = (
    "event", "time", "parameter", "label", "old_value", "new_value", "source", "reason",
    "status", "run_before", "run_after", "verdict", "effect_pct", "effect_s", "band_pct",
    "band_s", "trend_pct", "together_with", "audit", "result",
)
YES = "yes"

_MILLI = Decimal("0.001")


def laps_csv(event: Event, runs: Sequence[Run]) -> str:
    """One row per lap, runs in the order given, laps in their order in the run.

    ``flag`` is why a lap is left out of every figure (TUNING.md §5): ``short``,
    ``incident`` or ``out`` (by hand), empty for a clean lap; ``manual`` is the flag the
    racer set (``out`` / ``in``, empty: as the numbers say); ``best`` is ``yes`` for the
    run's fastest clean lap (the first of equal fastest laps), so a filter on it gives
    one row per run.
    """
    rows: list[list[object]] = []
    for run, stats in zip(runs, event_run_stats(runs), strict=True):
        # A run with no clean lap has no stats: its flags are still the racer's own.
        flags = stats.flags if stats else lap_flags(run.seconds, [lap.flag for lap in run.laps])
        clean = [i for i, f in enumerate(flags) if f == "clean"]
        best = min(clean, key=lambda i: run.laps[i].seconds, default=None)
        for i, (lap, flag) in enumerate(zip(run.laps, flags, strict=True)):
            rows.append([neutralise(event.name), neutralise(run.name), lap.lap_number,
                         seconds_text(lap.seconds), "" if flag == "clean" else flag,
                         lap.flag, YES if i == best else ""])
    return _csv(LAP_COLUMNS, rows)


def changes_csv(event: Event, changes: Sequence[SetupChange], runs: Sequence[Run],
                audit: Audit | None = None) -> str:
    """One row per change in the order given, whatever its status."""
    names = {r.id: r.name for r in runs}
    judged = judge_event(runs, changes, audit)
    rows: list[list[object]] = []
    for c in changes:
        param = BY_KEY.get(c.parameter)
        rows.append([
            neutralise(event.name), time_text(c.created_at), neutralise(c.parameter),
            param.label if param else "",
            _value(c.parameter, c.old_value), _value(c.parameter, c.new_value),
            neutralise(c.source), neutralise(c.reason), neutralise(c.status),
            neutralise(names.get(c.run_before or "", "")),
            neutralise(names.get(c.run_after or "", "")),
            *_verdict_cells(judged.of(c)),
        ])
    return _csv(CHANGE_COLUMNS, rows)


def _verdict_cells(verdict: ChangeVerdict | None) -> list[object]:
    """verdict … result for one change (all empty for one never raced)."""
    if verdict is None:
        return [""] * 9
    gap = verdict.gap
    judged = not verdict.reverted and gap.outcome
    figures = [gap.effect_pct, gap.effect_s, gap.band_pct, gap.band_s] if judged else [None] * 4
    trend = gap.trend.drift if judged and gap.trend.known else None
    return [verdict.outcome, *(_figure(f) for f in figures), _figure(trend),
            neutralise("; ".join(verdict.together)), verdict.opinion,
            neutralise(verdict.sentence)]


def _figure(value: float | None) -> str:
    """A verdict figure to the hundredth ("-0.45"): a number a spreadsheet sums."""
    return "" if value is None else f"{value:.2f}"


def seconds_text(seconds: Decimal | float) -> str:
    """``31.842``, ``62.417``: seconds to the thousandth, never in exponent form."""
    return f"{Decimal(str(seconds)).quantize(_MILLI):.3f}"


def time_text(when: datetime | None) -> str:
    """``2025-10-18T10:15:00Z``; a naive time is UTC; ``""`` when unknown."""
    if when is None:
        return ""
    utc = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return utc.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _value(key: str, text: str) -> str:
    """A change's value: a plain number of a numeric parameter as it is, else neutralised."""
    param = BY_KEY.get(key)
    keep = param is not None and param.is_numeric and PLAIN_NUMBER.fullmatch(text)
    return text if keep else neutralise(text)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
