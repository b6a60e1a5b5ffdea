"""Every TUNING.md §5 lap figure with values computed by hand (the arithmetic is in
the comments), on the runs racers really have: clean, a tumble and a pit lap, a
double transponder hit, a steady fade, three laps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apex.lap_stats import (
    best_run,
    event_run_stats,
    lap_flags,
    run_stats,
    tap_flag,
)
from apex.models import Lap, Run

A = pytest.approx


def _run(name: str, seconds: list[float], flags: list[str] | None = None,
         day: int = 5) -> Run:
    marks = flags or [""] * len(seconds)
    return Run(name, "event", name, datetime(2026, 6, day, 10, tzinfo=UTC), 1, None,
               tuple(Lap(name, n, Decimal(str(s)), f)
                     for n, (s, f) in enumerate(zip(seconds, marks, strict=True), 1)))


def test_a_clean_run():
    laps = [31.5, 30.9, 31.1, 30.7, 31.0, 31.2, 30.6]
    # R = median of 7 laps: sorted 30.6 30.7 30.9 [31.0] 31.1 31.2 31.5 -> 31.0
    # |lap - 31.0| = .5 .1 .1 .3 0 .2 .4 -> sorted 0 .1 .1 [.2] .3 .4 .5 -> MAD .2
    # incident over 31.0 + max(.07 x 31.0 = 2.17, 4 x 1.4826 x .2 = 1.186) = 33.17
    # short under .75 x 31.0 = 23.25 -> every lap clean
    s = run_stats(laps)
    assert s is not None
    assert s.flags == ("clean",) * 7 and s.laps == 7 and s.clean == 7
    assert s.best == 30.6
    assert s.mean == A(31.0)  # 217.0 / 7
    assert s.median == 31.0
    # squares of (lap - 31): .25 .01 .01 .09 0 .04 .16 = .56; sd = sqrt(.56 / 6)
    assert s.sd == A(0.3055050, abs=1e-6)
    assert s.cov_pct == A(0.3055050 / 31 * 100, abs=1e-5)  # 0.98550 %
    assert s.consistency == A(100 - 10 * 0.9855000, abs=1e-4)  # 90.145
    assert s.top5 == A(30.86)  # (30.6 + 30.7 + 30.9 + 31.0 + 31.1) / 5 = 154.3 / 5
    assert s.top10 is None  # 7 clean laps
    # threes in a row: 93.5, 92.7 (30.9 31.1 30.7), 92.8, 92.9, 92.8
    assert s.best3 == A(92.7)
    # from lap 2: x 2..7 (mean 4.5, Sxx = 6.25+2.25+.25+.25+2.25+6.25 = 17.5),
    # Sxy = 2.5(30.6-30.9) + 1.5(31.2-31.1) + .5(31.0-30.7) = -.75+.15+.15 = -.45
    assert s.fade == A(-0.45 / 17.5)  # -0.0257 s/lap: getting faster
    assert not s.fading and s.comparable


def test_a_run_with_a_tumble_and_a_pit_lap():
    laps = [31.0, 31.2, 30.8, 45.0, 31.0, 31.4, 30.6, 31.0, 52.0, 31.0]
    # R: sorted 30.6 30.8 31.0 31.0 [31.0 31.0] 31.2 31.4 45.0 52.0 -> 31.0
    # |lap - 31| sorted: 0 0 0 0 [.2 .2] .4 .4 14 21 -> MAD .2
    # incident over 31.0 + max(2.17, 1.186) = 33.17: lap 4 (45.0, the tumble, which
    # the old 1.5 x median = 46.5 rule let through) and lap 9 (52.0, the pit lap)
    s = run_stats(laps)
    assert s is not None
    assert s.laps_flagged("incident") == (4, 9) and s.left_out == (4, 9)
    assert s.clean == 8
    # clean laps 31.0 31.2 30.8 31.0 31.4 30.6 31.0 31.0: sum 248.0, mean 31.0
    assert s.mean == A(31.0) and s.median == 31.0 and s.best == 30.6
    # squares of (lap - 31): .04 .04 .16 .16 = .40; sd = sqrt(.40 / 7) = .239046
    assert s.sd == A(0.2390457, abs=1e-6)
    assert s.consistency == A(100 - 10 * 0.2390457 / 31 * 100, abs=1e-4)  # 92.289
    assert s.top5 == A(30.88)  # (30.6 + 30.8 + 31.0 + 31.0 + 31.0) / 5 = 154.4 / 5
    assert s.top10 is None
    # all-clean threes: laps 1-3 = 93.0, 5-7 = 93.0, 6-8 = 93.0 (4 and 9 break the rest)
    assert s.best3 == A(93.0)
    # clean from lap 2: x 2 3 5 6 7 8 10, y mean 217.0 / 7 = 31.0;
    # Sxy = 2(.2) + 3(-.2) + 6(.4) + 7(-.4) = -.6; Sxx = 287 - 41^2/7 = 328/7
    assert s.fade == A(-0.6 / (328 / 7))  # -0.0128 s/lap
    assert not s.fading


def test_a_run_with_a_double_transponder_hit():
    laps = [40.5, 40.2, 12.0, 40.4, 40.6, 4.2, 40.3, 40.4]
    # R: sorted 4.2 12.0 40.2 [40.3 40.4] 40.4 40.5 40.6 -> 40.35
    # short under .75 x 40.35 = 30.2625: lap 3 (12.0) and lap 6 (4.2)
    # MAD: |lap - 40.35| sorted .05 .05 .05 [.15 .15] .25 28.35 36.15 -> .15;
    # incident over 40.35 + max(2.8245, .8896) = 43.1745: none
    s = run_stats(laps)
    assert s is not None
    assert s.laps_flagged("short") == (3, 6) and s.laps_flagged("incident") == ()
    assert s.best == 40.2  # never 4.2
    # clean 40.5 40.2 40.4 40.6 40.3 40.4: sum 242.4, mean 40.4
    assert s.mean == A(40.4) and s.median == A(40.4)  # sorted .2 .3 [.4 .4] .5 .6
    # squares of (lap - 40.4): .01 .04 0 .04 .01 0 = .10; sd = sqrt(.10 / 5)
    assert s.sd == A(0.1414214, abs=1e-6)
    assert s.top5 == A(40.36)  # (40.2 + 40.3 + 40.4 + 40.4 + 40.5) / 5 = 201.8 / 5
    assert s.best3 is None  # no three clean laps in a row
    # clean from lap 2: x 2 4 5 7 8 (mean 5.2), y mean 201.9 / 5 = 40.38;
    # Sxy = 2(-.18) + 4(.02) + 5(.22) + 7(-.08) + 8(.02) = .42; Sxx = 158 - 5 x 5.2^2 = 22.8
    assert s.fade == A(0.42 / 22.8)  # 0.0184 s/lap
    # 0.0184 x (8 - 2) = .11 s, not over 1.5 % of 40.4 = .606 s
    assert not s.fading


def test_a_steadily_fading_run():
    laps = [31.0, 30.0, 30.2, 30.4, 30.6, 30.8, 31.0, 31.2]
    # R: sorted 30.0 30.2 30.4 [30.6 30.8] 31.0 31.0 31.2 -> 30.7; MAD .3 -> limit
    # 30.7 + max(2.149, 1.779) = 32.849, short under 23.025: all clean
    s = run_stats(laps)
    assert s is not None and s.clean == 8
    # from lap 2 every lap is .2 s slower than the one before: slope exactly .2 s/lap
    assert s.fade == A(0.2)
    # .2 x (8 - 2) = 1.2 s over 1.5 % of the median 30.7 = .4605 s -> fading
    assert s.fading
    assert s.mean == A(30.65)  # 245.2 / 8
    # squares of (lap - 30.65): .1225 .4225 .2025 .0625 .0025 .0225 .1225 .3025 = 1.26
    assert s.sd == A((1.26 / 7) ** 0.5)  # sqrt(.18) = .4243
    assert s.top5 == A(30.4)  # (30.0 + 30.2 + 30.4 + 30.6 + 30.8) / 5
    assert s.best3 == A(90.6)  # 30.0 + 30.2 + 30.4


def test_a_three_lap_run():
    laps = [31.0, 30.8, 31.2]
    # no reference pace (fewer than 5 laps, nothing else that day): nothing flagged
    s = run_stats(laps)
    assert s is not None and s.flags == ("clean",) * 3
    assert s.mean == A(31.0) and s.median == 31.0 and s.best == 30.8
    assert s.sd == A(0.2)  # (0 + .04 + .04) / 2 = .04
    assert s.consistency == A(100 - 10 * 0.2 / 31 * 100)  # 93.548
    assert s.best3 == A(93.0)
    # fewer than 5 clean laps: shown, but no top-5, no fade, compared with nothing
    assert s.top5 is None and s.fade is None and not s.fading and not s.comparable


def test_a_short_run_is_flagged_against_the_days_pace():
    # R = 31.0 from the day; the MAD of 3 laps is no spread: 7 % alone,
    # incident over 31.0 + 2.17 = 33.17, short under 23.25
    assert lap_flags([31.0, 45.0, 20.0], reference=31.0) == ["clean", "incident", "short"]
    assert lap_flags([31.0, 45.0, 20.0]) == ["clean", "clean", "clean"]  # no R
    # the run's own median wins from 5 laps on
    assert lap_flags([31.0] * 5 + [20.0], reference=10.0)[-1] == "short"


def test_the_boundaries_fall_as_written():
    # R = 40.0, MAD 0: short strictly under 30.0, incident strictly over 42.8
    laps = [40.0] * 5
    assert lap_flags([*laps, 30.0, 42.8]) == ["clean"] * 7
    assert lap_flags([*laps, 29.999, 42.801])[-2:] == ["short", "incident"]


def test_the_racers_flag_wins():
    laps = [31.5, 30.9, 31.1, 30.7, 31.0, 31.2, 30.6]
    # lap 7 (30.6) out by hand (a cut): best 30.7, top-5 over the other six
    s = run_stats(laps, ["", "", "", "", "", "", "out"])
    assert s is not None and s.laps_flagged("out") == (7,) and s.best == 30.7
    assert s.top5 == A((30.7 + 30.9 + 31.0 + 31.1 + 31.2) / 5)
    # a 45.0 counted by hand ("in": a real, slow lap) goes into the figures
    t = run_stats([*laps, 45.0], [""] * 7 + ["in"])
    assert t is not None and t.flags[-1] == "clean" and t.clean == 8


def test_a_tap_flips_the_lap():
    assert tap_flag("clean", "") == "out"  # counted -> left out
    assert tap_flag("clean", "out") == ""  # back as the numbers say
    assert tap_flag("incident", "") == "in"  # left out by the numbers -> counted
    assert tap_flag("short", "in") == ""
    assert tap_flag("incident", "out") == "in"


def test_no_laps_and_no_clean_lap():
    assert run_stats([]) is None
    assert run_stats([31.0], ["out"]) is None


def test_decimals_and_floats_give_the_same_stats():
    laps = [31.5, 30.9, 31.1, 30.7, 31.0, 31.2, 30.6]
    assert run_stats(laps) == run_stats([Decimal(str(s)) for s in laps])


# --- the event's best run ----------------------------------------------------------------

def test_best_run_is_the_lowest_top5_among_runs_with_5_clean_laps():
    runs = [
        _run("A", [31.5, 30.9, 31.1, 30.7, 31.0, 31.2, 30.6]),  # top-5 30.86, median 31.0
        _run("B", [29.0, 29.0, 29.0, 29.0]),  # fastest, but 4 laps: no comparison
        _run("C", [30.9] * 7),  # the lower median (30.9), but top-5 30.9 > 30.86
        _run("D", [31.0, 12.0, 31.0, 31.0, 31.0, 31.0]),  # a double hit: never its best
    ]
    assert best_run(runs) == 0
    assert best_run(runs[1:]) == 1  # C (30.9) before D (31.0); B still out
    assert best_run(runs[1:2]) is None
    assert best_run([]) is None


def test_best_run_ties_go_to_the_best_lap_then_the_earliest():
    same = [31.0, 31.0, 31.0, 31.0, 31.0, 31.4]  # top-5 31.0, best 31.0
    # top-5 (30.8 + 31.0 + 31.0 + 31.0 + 31.2) / 5 = 155.0 / 5 = 31.0, best 30.8
    faster_lap = [31.2, 30.8, 31.0, 31.0, 31.0, 31.4]
    assert best_run([_run("A", same), _run("B", same)]) == 0
    assert best_run([_run("A", same), _run("B", faster_lap)]) == 1


def test_a_short_run_is_flagged_against_the_days_other_runs():
    # the day's clean laps: A's seven, median 31.0; E has 3 laps
    runs = [_run("A", [31.5, 30.9, 31.1, 30.7, 31.0, 31.2, 30.6]),
            _run("E", [31.0, 45.0, 20.0]),
            _run("F", [31.0, 45.0, 20.0], day=6)]  # another day: no reference
    a, e, f = event_run_stats(runs)
    assert e is not None and e.flags == ("clean", "incident", "short")
    assert f is not None and f.flags == ("clean",) * 3
