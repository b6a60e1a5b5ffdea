"""Lap maths for a run, and the verdict on a setup change.

The rules are the domain doc's, word for word: a crash lap (slower than
1.5 × the run's median) is shown but kept out of consistency and fade, so one
cartwheel does not hide how steady the car was. Sums and comparisons are done
in ``Decimal`` so boundaries (exactly 1.5 ×, exactly 0.2 %) fall the way the
doc says; results come out as floats for display.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Lap = Decimal | float

CRASH_FACTOR = Decimal("1.5")
FADE_MIN_CLEAN = 6
VERDICT_PCT = Decimal("0.2")


@dataclass(frozen=True)
class RunStats:
    laps: int  # all laps
    clean: int  # laps that are not crash laps
    crash_laps: tuple[int, ...]  # 1-based lap numbers of crash laps
    best: float  # fastest lap
    mean: float  # over clean laps
    median: float  # over clean laps (the "median clean lap")
    sd: float | None  # sample sd over clean laps (None with < 2 clean laps)
    cov_pct: float | None  # sd / mean × 100
    consistency: float | None  # max(0, 100 − 10 × CoV %)
    best3: float | None  # smallest sum of 3 consecutive laps (all laps); None with < 3 laps
    fade: float | None  # mean(last 3 clean) ÷ mean(3 fastest clean); None with < 6 clean


def _dec(value: Lap) -> Decimal:
    """A float as the racer wrote it (``30.1``, not its binary neighbour)."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def crash_flags(seconds: Sequence[Lap]) -> list[bool]:
    """True for each lap slower than 1.5 × the median of all the run's laps."""
    laps = [_dec(s) for s in seconds]
    if not laps:
        return []
    limit = statistics.median(laps) * CRASH_FACTOR
    return [lap > limit for lap in laps]


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def run_stats(seconds: Sequence[Lap]) -> RunStats | None:
    """Every per-run figure of the domain doc; None for a run without laps."""
    laps = [_dec(s) for s in seconds]
    if not laps:
        return None
    flags = crash_flags(laps)
    # Never empty: at least half the laps sit at or under the median.
    clean = [lap for lap, crash in zip(laps, flags, strict=True) if not crash]
    mean = _mean(clean)
    sd = statistics.stdev(clean) if len(clean) >= 2 else None
    cov_pct = sd / mean * 100 if sd is not None else None
    consistency = max(Decimal(0), 100 - 10 * cov_pct) if cov_pct is not None else None
    best3 = (
        min(sum(laps[i : i + 3], Decimal(0)) for i in range(len(laps) - 2))
        if len(laps) >= 3
        else None
    )
    fade = (
        _mean(clean[-3:]) / _mean(sorted(clean)[:3]) if len(clean) >= FADE_MIN_CLEAN else None
    )
    return RunStats(
        laps=len(laps),
        clean=len(clean),
        crash_laps=tuple(i for i, crash in enumerate(flags, 1) if crash),
        best=float(min(laps)),
        mean=float(mean),
        median=float(statistics.median(clean)),
        sd=_float(sd),
        cov_pct=_float(cov_pct),
        consistency=_float(consistency),
        best3=_float(best3),
        fade=_float(fade),
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def best_run(runs: Sequence[Sequence[Lap]]) -> int | None:
    """Index of the run with the lowest median clean lap.

    Ties go to the lower best lap, then to the earlier run. Runs without laps
    are skipped; None when no run has laps.
    """
    ranked: list[tuple[float, float, int]] = []
    for index, seconds in enumerate(runs):
        stats = run_stats(seconds)
        if stats is not None:
            ranked.append((stats.median, stats.best, index))
    return min(ranked)[2] if ranked else None


def change_verdict(before_median: float, after_median: float) -> str:
    """``"success"`` if the run after a change is ≥ 0.2 % faster on the median clean
    lap than the run before, ``"failure"`` if ≥ 0.2 % slower, else ``"neutral"``.
    """
    before, after = _dec(before_median), _dec(after_median)
    if before <= 0:
        raise ValueError("the median lap before the change must be more than 0 s")
    # Compare without dividing, so exactly 0.2 % is exact.
    margin = before * VERDICT_PCT / 100
    if before - after >= margin:
        return "success"
    if after - before >= margin:
        return "failure"
    return "neutral"
