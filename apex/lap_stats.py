"""Lap maths for a run and the event's best run (a change's verdict: apex.verdicts).

The rules are ``TUNING.md`` §5 "Flags", "Per run" and "Best run", word for word:

- Reference pace R = the run's median lap (5 laps or more), else this car's median
  clean lap at this track on the same day (the caller passes it), else none.
- A *short* lap is under 0.75 × R (a double transponder hit, a cut); an *incident*
  lap is over R + max(7 % of R, 4 × 1.4826 × MAD) (a tumble, a marshal, a pit
  stop). The racer's own flag (``out`` / ``in``) wins over both. Flagged laps are
  shown but left out of every figure and are never the best lap.
- The figures are over the clean laps; a run with fewer than 5 clean laps takes
  part in no comparison (best run, verdict, fading).

Sums and comparisons are done in ``Decimal`` so boundaries (exactly 0.75 ×,
exactly 0.2 %) fall the way the doc says; results come out as floats for display.
This module is the one place for lap maths: the stores, the pages, the reports, the
charts and the paste preview all call it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, Literal

from apex.models import Lap as StoredLap
from apex.models import Run

Lap = Decimal | float

# A lap's flag as the racer set it by hand: "" = as the numbers say, "out" = left out
# (pit stop, cut, counted wrong), "in" = counted although the numbers flag it.
MANUAL_FLAGS: Final = ("", "out", "in")
# A lap's flag as every figure reads it.
Flag = Literal["clean", "short", "incident", "out"]

REFERENCE_MIN_LAPS = 5  # a run's own median is its reference pace from this many laps
SHORT_FACTOR = Decimal("0.75")
INCIDENT_PCT = Decimal("0.07")
MAD_SCALE = Decimal("1.4826")  # MAD × 1.4826 estimates the sd of normal lap scatter
MAD_LIMIT = 4
COMPARABLE_MIN_CLEAN = 5  # fewer clean laps: shown, but compared with nothing
FADE_PCT = Decimal("0.015")


@dataclass(frozen=True)
class RunStats:
    laps: int  # all laps
    clean: int  # laps every figure reads
    flags: tuple[Flag, ...]  # one per lap, lap 1 first
    best: float  # fastest clean lap
    mean: float
    median: float  # the "median clean lap"
    sd: float | None  # sample sd (None with < 2 clean laps)
    cov_pct: float | None  # sd / mean × 100
    consistency: float | None  # max(0, 100 − 10 × CoV %)
    top5: float | None  # mean of the 5 fastest clean laps (None with fewer)
    top10: float | None  # mean of the 10 fastest clean laps (None with fewer)
    best3: float | None  # fastest three clean laps in a row, their sum
    fade: float | None  # s/lap from lap 2 over clean laps (None unless comparable)
    fading: bool  # fade × (laps − 2) > 1.5 % of the median

    @property
    def comparable(self) -> bool:
        """5 clean laps or more: the run may be compared, chosen as best, judged."""
        return self.clean >= COMPARABLE_MIN_CLEAN

    def laps_flagged(self, flag: Flag) -> tuple[int, ...]:
        """The 1-based numbers of the laps with ``flag``."""
        return tuple(n for n, f in enumerate(self.flags, 1) if f == flag)

    @property
    def left_out(self) -> tuple[int, ...]:
        """The laps no figure reads (short, incident or flagged out by hand)."""
        return tuple(n for n, f in enumerate(self.flags, 1) if f != "clean")


def _dec(value: Lap) -> Decimal:
    """A float as the racer wrote it (``30.1``, not its binary neighbour)."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def reference_pace(seconds: Sequence[Lap], day_reference: Lap | None = None) -> Decimal | None:
    """R: the run's median lap with 5 laps or more, else ``day_reference`` (this car's
    median clean lap at this track that day), else None."""
    laps = [_dec(s) for s in seconds]
    if len(laps) >= REFERENCE_MIN_LAPS:
        return statistics.median(laps)
    return None if day_reference is None else _dec(day_reference)


def lap_flags(seconds: Sequence[Lap], manual: Sequence[str] | None = None,
              reference: Lap | None = None) -> list[Flag]:
    """Each lap's flag: ``manual`` (the racer's "" / "out" / "in" per lap) wins, else
    short or incident by the §5 rules against R (``reference_pace``), else clean.

    Pure, for the paste preview too: ``lap_flags(pasted)`` flags 5 laps or more before
    anything is saved; fewer are flagged only against ``reference`` (for a run's laps,
    ``day_references(runs).get(run.started_at.date())``), else all read clean.
    """
    laps = [_dec(s) for s in seconds]
    marks = list(manual) if manual is not None else [""] * len(laps)
    if len(marks) != len(laps):
        raise ValueError("one manual flag per lap")
    pace = reference_pace(laps, reference)
    auto: list[Flag] = ["clean"] * len(laps)
    if pace is not None and laps:
        # NOTE: the MAD of fewer than 5 laps says nothing about their scatter (one
        # tumble in 3 laps would set it), so such a run is held to 7 % of R alone.
        middle = statistics.median(laps)
        mad = (statistics.median(abs(lap - middle) for lap in laps)
               if len(laps) >= REFERENCE_MIN_LAPS else Decimal(0))
        slow = pace + max(INCIDENT_PCT * pace, MAD_LIMIT * MAD_SCALE * mad)
        short = SHORT_FACTOR * pace
        auto = ["short" if lap < short else "incident" if lap > slow else "clean"
                for lap in laps]
    return ["out" if mark == "out" else "clean" if mark == "in" else flag
            for flag, mark in zip(auto, marks, strict=True)]


def check_manual_flag(flag: str) -> None:
    """ValueError unless ``flag`` is one a racer can set on a lap (both stores check)."""
    if flag not in MANUAL_FLAGS:
        raise ValueError(f"a lap's flag is one of {MANUAL_FLAGS}, not {flag!r}")


def tap_flag(auto: Flag, manual: str) -> str:
    """The manual flag a tap on a lap stores: a counted lap is left out, a left-out lap
    is counted (``auto``: the lap's flag by the numbers alone)."""
    counted = manual == "in" or (manual != "out" and auto == "clean")
    if counted:
        return "" if auto != "clean" else "out"
    return "in" if auto != "clean" else ""


def run_stats(seconds: Sequence[Lap], manual: Sequence[str] | None = None,
              reference: Lap | None = None) -> RunStats | None:
    """Every per-run figure of §5 over the clean laps; None for a run without a clean
    lap."""
    laps = [_dec(s) for s in seconds]
    flags = tuple(lap_flags(laps, manual, reference))
    numbered = [(n, lap) for n, (lap, f) in enumerate(zip(laps, flags, strict=True), 1)
                if f == "clean"]
    clean = [lap for _, lap in numbered]
    if not clean:
        return None
    mean = _mean(clean)
    median = statistics.median(clean)
    sd = statistics.stdev(clean) if len(clean) >= 2 else None
    cov_pct = sd / mean * 100 if sd is not None else None
    consistency = max(Decimal(0), 100 - 10 * cov_pct) if cov_pct is not None else None
    fastest = sorted(clean)
    comparable = len(clean) >= COMPARABLE_MIN_CLEAN
    fade = _slope([(n, lap) for n, lap in numbered if n >= 2]) if comparable else None
    # slope × (laps − 2): how much slower the last lap is than lap 2 on the fitted line.
    fading = fade is not None and fade * (len(laps) - 2) > FADE_PCT * median
    return RunStats(
        laps=len(laps), clean=len(clean), flags=flags,
        best=float(fastest[0]), mean=float(mean), median=float(median),
        sd=_float(sd), cov_pct=_float(cov_pct), consistency=_float(consistency),
        top5=_float(_mean(fastest[:5])) if len(clean) >= 5 else None,
        top10=_float(_mean(fastest[:10])) if len(clean) >= 10 else None,
        best3=_float(_best3(laps, flags)), fade=_float(fade), fading=fading,
    )


def _best3(laps: Sequence[Decimal], flags: Sequence[Flag]) -> Decimal | None:
    """The smallest sum of three laps in a row that are all clean."""
    sums = [sum(laps[i:i + 3], Decimal(0)) for i in range(len(laps) - 2)
            if all(f == "clean" for f in flags[i:i + 3])]
    return min(sums) if sums else None


def _slope(points: Sequence[tuple[int, Decimal]]) -> Decimal | None:
    """Least-squares slope of lap time over lap number."""
    if len(points) < 2:
        return None
    mx = _mean([Decimal(n) for n, _ in points])
    my = _mean([lap for _, lap in points])
    sxx = sum(((n - mx) ** 2 for n, _ in points), Decimal(0))
    sxy = sum(((n - mx) * (lap - my) for n, lap in points), Decimal(0))
    return sxy / sxx


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# -- the runs of an event -------------------------------------------------------------


def _manual(run: Run) -> list[str]:
    return [lap.flag for lap in run.laps]


def day_references(runs: Sequence[Run]) -> dict[date, Decimal]:
    """Per day, this car's median clean lap at this track (``runs``: one event's):
    over the day's runs with 5 laps or more, each flagged against its own median.
    The reference pace of that day's shorter runs."""
    day_clean: dict[date, list[Decimal]] = defaultdict(list)
    for run in runs:
        if len(run.laps) >= REFERENCE_MIN_LAPS:
            flags = lap_flags(run.seconds, _manual(run))
            day_clean[run.started_at.date()].extend(
                lap for lap, f in zip(run.seconds, flags, strict=True) if f == "clean")
    return {day: statistics.median(laps) for day, laps in day_clean.items() if laps}


def event_run_stats(runs: Sequence[Run]) -> list[RunStats | None]:
    """Each run's figures, in the order of ``runs`` (one event: one car, one track);
    a run with fewer than 5 laps is flagged against ``day_references``."""
    references = day_references(runs)
    return [run_stats(run.seconds, _manual(run), references.get(run.started_at.date()))
            for run in runs]


@dataclass(frozen=True)
class LapRow:
    """A lap as the run's lap list shows it."""

    lap: StoredLap
    flag: Flag  # as every figure reads it
    tap: str  # the manual flag a tap on it stores (``tap_flag``)
    best: bool  # the run's best lap: the first fastest clean lap


def lap_rows(runs: Sequence[Run], run: Run, stats: RunStats | None = None) -> list[LapRow]:
    """``run``'s laps (one of the event's ``runs``) with their flags and taps (``stats``:
    the run's stored figures, whose flags are these laps' when it has a clean lap)."""
    # The day's reference is read only by a run under 5 laps: one of 5 or more is its
    # own reference, so the other runs' laps need not be worked over.
    reference = (day_references(runs).get(run.started_at.date())
                 if len(run.laps) < REFERENCE_MIN_LAPS else None)
    auto = lap_flags(run.seconds, None, reference)
    flags = (list(stats.flags) if stats is not None and len(stats.flags) == len(run.laps)
             else lap_flags(run.seconds, _manual(run), reference))
    clean = [i for i, f in enumerate(flags) if f == "clean"]
    best = min(clean, key=lambda i: (run.laps[i].seconds, i), default=None)
    return [LapRow(lap, flag, tap_flag(a, lap.flag), i == best)
            for i, (lap, flag, a) in enumerate(zip(run.laps, flags, auto, strict=True))]


def best_run(runs: Sequence[Run], stats: Sequence[RunStats | None] | None = None
             ) -> int | None:
    """Index of the event's best run (last known good): the lowest top-5 average among
    runs with 5 clean laps or more. Ties go to the lower best lap, then to the earlier
    run; None when no run has 5 clean laps. ``stats``: ``event_run_stats(runs)`` when
    already at hand (stored)."""
    figures = event_run_stats(runs) if stats is None else stats
    ranked = [(s.top5, s.best, index) for index, s in enumerate(figures)
              if s is not None and s.comparable and s.top5 is not None]
    return min(ranked)[2] if ranked else None
