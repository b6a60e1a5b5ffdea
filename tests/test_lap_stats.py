"""Per-run lap maths and the change verdict, checked against sums done by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apex.lap_stats import RunStats, best_run, change_verdict, crash_flags, run_stats


def test_a_run_with_a_crash_lap():
    # laps 30, 31, 32, 30.5, 60: median of all = 31, 1.5 × 31 = 46.5, 60 > 46.5 → lap 5 crashed.
    # clean 30, 31, 32, 30.5: mean 123.5 / 4 = 30.875; median (30.5 + 31) / 2 = 30.75
    # deviations -0.875, 0.125, 1.125, -0.375; squares sum 0.765625 + 0.015625 + 1.265625
    #   + 0.140625 = 2.1875; / (4 - 1) = 0.7291666…; sd = √0.7291666… = 0.8539126
    # CoV = 0.8539126 / 30.875 × 100 = 2.765709 %; consistency = 100 - 27.65709 = 72.34291
    # best 3 consecutive (all laps): 30+31+32 = 93, 31+32+30.5 = 93.5, 32+30.5+60 = 122.5 → 93
    # 4 clean laps < 6 → no fade
    stats = run_stats([30, 31, 32, 30.5, 60])
    assert stats is not None
    assert (stats.laps, stats.clean, stats.crash_laps) == (5, 4, (5,))
    assert stats.best == 30.0
    assert stats.mean == 30.875
    assert stats.median == 30.75
    assert stats.sd == pytest.approx(0.8539126, abs=1e-7)
    assert stats.cov_pct == pytest.approx(2.765709, abs=1e-6)
    assert stats.consistency == pytest.approx(72.34291, abs=1e-5)
    assert stats.best3 == 93.0
    assert stats.fade is None


def test_decimals_and_floats_give_the_same_stats():
    laps = ["30", "31", "32", "30.5", "60"]
    assert run_stats([Decimal(s) for s in laps]) == run_stats([float(s) for s in laps])


def test_results_are_floats():
    stats = run_stats([Decimal("30.100"), Decimal("30.200"), Decimal("30.300")])
    assert stats is not None
    for value in (stats.best, stats.mean, stats.median, stats.sd, stats.cov_pct,
                  stats.consistency, stats.best3):
        assert type(value) is float


def test_no_laps():
    assert run_stats([]) is None
    assert crash_flags([]) == []


def test_one_lap():
    assert run_stats([31.5]) == RunStats(
        laps=1, clean=1, crash_laps=(), best=31.5, mean=31.5, median=31.5,
        sd=None, cov_pct=None, consistency=None, best3=None, fade=None)


def test_two_laps_have_no_best_three():
    stats = run_stats([31.0, 32.0])
    assert stats is not None and stats.best3 is None and stats.sd == pytest.approx(0.7071068)


def test_all_equal_laps_are_perfectly_consistent():
    stats = run_stats([30.0, 30.0, 30.0])
    assert stats is not None
    assert (stats.sd, stats.cov_pct, stats.consistency, stats.best3) == (0.0, 0.0, 100.0, 90.0)


def test_consistency_never_goes_below_zero():
    # laps 10, 20: median 15, limit 22.5, no crash; mean 15, sd √((25 + 25) / 1) = 7.0710678
    # CoV = 47.14 % → 100 - 471.4 < 0 → 0
    stats = run_stats([10, 20])
    assert stats is not None
    assert stats.cov_pct == pytest.approx(47.140452, abs=1e-6)
    assert stats.consistency == 0.0


def test_crash_means_strictly_slower_than_one_and_a_half_medians():
    # median 20 → limit 30: exactly 30 is not a crash, 30.001 is.
    assert crash_flags([20, 20, 30]) == [False, False, False]
    assert crash_flags([20, 20, 30.001]) == [False, False, True]
    # 1.5 × 20.1 = 30.15 exactly; in binary floats it is not, but the rule is decimal.
    assert crash_flags([20.1, 20.1, 30.15]) == [False, False, False]
    assert crash_flags([Decimal("20.1"), Decimal("20.1"), Decimal("30.151")])[2] is True


def test_crash_uses_the_median_of_all_laps():
    # all laps 30, 31, 31, 75, 32, 33, 34 sorted: 30 31 31 32 33 34 75 → median 32, limit 48
    assert crash_flags([31, 30, 31, 75, 32, 33, 34]) == [False] * 3 + [True] + [False] * 3
    # even count: 30, 30, 30, 31, 31, 90 → median (30 + 31) / 2 = 30.5, limit 45.75
    assert crash_flags([30, 31, 30, 31, 30, 90]) == [False] * 5 + [True]


def test_fade_with_six_clean_laps():
    # 30.0 30.2 30.4 30.6 30.8 31.0: median 30.5, limit 45.75, all clean
    # last 3 mean (30.6 + 30.8 + 31.0) / 3 = 30.8; best 3 mean (30.0 + 30.2 + 30.4) / 3 = 30.2
    # fade = 30.8 / 30.2 = 1.0198675
    # mean 183 / 6 = 30.5; deviations ±0.5 ±0.3 ±0.1 → squares 0.7, / 5 = 0.14, sd 0.3741657
    # CoV 0.3741657 / 30.5 × 100 = 1.2267729 %, consistency 87.732271; best 3 = 90.6
    stats = run_stats([30.0, 30.2, 30.4, 30.6, 30.8, 31.0])
    assert stats is not None
    assert stats.fade == pytest.approx(1.0198675, abs=1e-7)
    assert stats.sd == pytest.approx(0.3741657, abs=1e-7)
    assert stats.consistency == pytest.approx(87.732271, abs=1e-6)
    assert stats.best3 == pytest.approx(90.6)


def test_fade_leaves_the_crash_lap_out():
    # 31 30 31 [75] 32 33 34: lap 4 crashed (limit 48), 6 clean laps remain
    # last 3 clean 32, 33, 34 → 33; best 3 clean 30, 31, 31 → 92 / 3; fade 99 / 92 = 1.0760870
    # best 3 consecutive over all laps: 31+30+31 = 92 is the lowest window
    stats = run_stats([31, 30, 31, 75, 32, 33, 34])
    assert stats is not None
    assert (stats.laps, stats.clean, stats.crash_laps) == (7, 6, (4,))
    assert stats.fade == pytest.approx(1.0760870, abs=1e-7)
    assert stats.best3 == 92.0
    assert stats.median == 31.5  # clean 30 31 31 32 33 34 → (31 + 32) / 2


def test_fade_divides_by_the_three_fastest_clean_laps_wherever_they_are():
    # 32 31 30 30.5 31.5 32.5: median (31 + 31.5) / 2 = 31.25, all clean
    # last 3: (30.5 + 31.5 + 32.5) / 3 = 31.5; fastest 3: (30 + 30.5 + 31) / 3 = 30.5
    # fade = 31.5 / 30.5 = 1.0327869 (the first three laps would give 31.5 / 31 = 1.016)
    stats = run_stats([32, 31, 30, 30.5, 31.5, 32.5])
    assert stats is not None and stats.fade == pytest.approx(1.0327869, abs=1e-7)


def test_five_clean_laps_have_no_fade():
    # 30 31 30 31 30 [90]: six laps but only five clean
    stats = run_stats([30, 31, 30, 31, 30, 90])
    assert stats is not None
    assert (stats.laps, stats.clean, stats.fade) == (6, 5, None)


def test_held_pace_fades_to_one():
    stats = run_stats([31.0] * 8)
    assert stats is not None and stats.fade == 1.0


# --- best run ------------------------------------------------------------------------------

def test_best_run_is_the_lowest_median_clean_lap():
    runs = [
        [31.0, 31.5, 32.0],  # median 31.5
        [],  # skipped
        [30.5, 31.5, 60.0],  # all-lap median 31.5, 60 > 47.25 crashed; clean median 31.0
        [31.2, 31.4, 31.3],  # median 31.3
    ]
    assert best_run(runs) == 2


def test_best_run_ties_go_to_the_best_lap_then_the_earliest():
    assert best_run([[31.0, 30.8, 31.2], [31.0, 30.5, 31.5]]) == 1  # both median 31
    assert best_run([[31.0, 30.5, 31.5], [31.5, 31.0, 30.5]]) == 0  # same median and best


def test_best_run_of_nothing():
    assert best_run([]) is None
    assert best_run([[], []]) is None


# --- change verdict ------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "after", "verdict"), [
    (31.0, 30.938, "success"),  # 0.062 / 31 = exactly 0.2 % faster
    (31.0, 30.939, "neutral"),  # 0.061 / 31 = 0.197 %
    (31.0, 31.062, "failure"),  # exactly 0.2 % slower
    (31.0, 31.061, "neutral"),
    (31.0, 31.0, "neutral"),
    # 0.061 / 30.5 = exactly 0.2 %, though in floats it comes out 0.19999999999999984 %
    (30.5, 30.439, "success"),
    (30.5, 30.561, "failure"),
    (30.5, 29.0, "success"),
    (30.5, 33.0, "failure"),
])
def test_change_verdict_boundaries(before: float, after: float, verdict: str):
    assert change_verdict(before, after) == verdict


def test_change_verdict_needs_a_real_lap_before():
    with pytest.raises(ValueError):
        change_verdict(0.0, 30.0)
