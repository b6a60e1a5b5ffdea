"""Change verdicts (TUNING.md §5 "Change verdict", "Audit", "History"), hand-computed.

Every run here has 5 laps spread -0.05, -0.025, 0, +0.025, +0.05 s around its median,
so its sample sd is sqrt(0.00625 / 4) = 0.0395285 s and the noise band of two such
runs is 1.96 × 1.253 × sqrt(2 × 0.0015625 / 5) = 1.96 × 1.253 × 0.025 = 0.0613970 s.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apex.event_history import place_history, summarise, tried_here
from apex.models import Audit, Car, Event, EventRecord, Lap, Run, SetupChange
from apex.verdicts import FEW_LAPS, NO_RUN_BEFORE, NOT_RUN, REVERTED, judge_event

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
BAND_S = 1.96 * 1.253 * 0.025  # 0.0613970 s
SPREAD = (Decimal("-0.05"), Decimal("-0.025"), Decimal(0), Decimal("0.025"), Decimal("0.05"))


def run(n: int, median: str | None = None, version: int = 1, laps: tuple[str, ...] = ()) -> Run:
    """Run ``n`` (R1, R2 …), 5 laps around ``median``, or exactly ``laps``."""
    seconds = [Decimal(median) + d for d in SPREAD] if median else [Decimal(s) for s in laps]
    rid = f"r{n}"
    return Run(rid, "e1", f"R{n}", T0 + timedelta(minutes=30 * n), version, None,
               tuple(Lap(rid, i, s) for i, s in enumerate(seconds, 1)))


def change(cid: str, parameter: str, old: str, new: str, *, version: int, before: str | None,
           after: str | None, status: str = "accepted") -> SetupChange:
    return SetupChange(cid, "e1", parameter, old, new, "manual", status=status, version=version,
                       run_before=before, run_after=after,
                       created_at=T0 + timedelta(minutes=version))


def df_change(before: str | None = "r2", after: str | None = "r3") -> SetupChange:
    return change("c1", "DF", "7000", "6000", version=2, before=before, after=after)


def test_a_real_gain_on_a_flat_track_is_a_success():
    # R1 40.000, R2 40.000 (unchanged: drift 0), DF thinner, R3 39.800.
    # raw = effect = -0.2 / 40 = -0.5 %; band = 0.0613970 / 40 = 0.1535 % -> limit 0.2 %.
    runs = [run(1, "40.000"), run(2, "40.000"), run(3, "39.800", version=2)]
    (v,) = judge_event(runs, [df_change()]).changes
    gap = v.gap
    assert gap.trend.pairs == (0.0,)
    assert gap.effect_pct == pytest.approx(-0.5)
    assert gap.effect_s == pytest.approx(-0.2)
    assert gap.band_pct == pytest.approx(BAND_S / 40 * 100)
    assert gap.band_s == pytest.approx(BAND_S)
    assert v.outcome == "success"
    assert v.sentence == "0.20 s/lap faster (± 0.06), track drift +0.00 %/run accounted for"


def test_a_change_that_did_nothing_on_an_improving_track_is_neutral():
    # The track gains 0.5 %/run: R1 40.000 -> R2 39.800 (d = -0.5 %), DF thinner,
    # R3 39.601 (-0.5 % again). Raw -0.5 % would be a "success"; less the drift it is 0.
    runs = [run(1, "40.000"), run(2, "39.800"), run(3, "39.601", version=2)]
    (v,) = judge_event(runs, [df_change()]).changes
    assert v.gap.raw_pct == pytest.approx(-0.5)
    assert v.gap.trend.drift == pytest.approx(-0.5)
    assert v.gap.effect_pct == pytest.approx(0.0, abs=1e-9)
    assert v.outcome == "neutral"
    assert v.sentence == ("within your normal variation: 0.00 s/lap (± 0.06), "
                          "track drift \u22120.50 %/run accounted for")


def test_a_real_gain_hidden_by_a_track_going_off_is_found():
    # The track loses 0.5 %/run: R1 40.000 -> R2 40.200 (d = +0.5 %), DF thinner, R3 40.200.
    # Raw 0 % looks like nothing; less the drift the change is 0.5 % (0.201 s/lap) faster.
    runs = [run(1, "40.000"), run(2, "40.200"), run(3, "40.200", version=2)]
    (v,) = judge_event(runs, [df_change()]).changes
    assert v.gap.raw_pct == pytest.approx(0.0)
    assert v.gap.effect_pct == pytest.approx(-0.5)
    assert v.gap.effect_s == pytest.approx(-0.201)
    assert v.gap.band_pct == pytest.approx(BAND_S / 40.2 * 100)
    assert v.outcome == "success"
    assert v.sentence == "0.20 s/lap faster (± 0.06), track drift +0.50 %/run accounted for"


@pytest.mark.parametrize(("after", "outcome"), [
    ("30.439", "success"),  # 0.061 / 30.5 = exactly 0.2 % faster (floats: 0.19999… %)
    ("30.440", "neutral"),  # 0.197 %
    ("30.561", "failure"),  # exactly 0.2 % slower
])
def test_exactly_the_floor_counts(after, outcome):
    # The band (0.0613970 / 30.5 = 0.2013 %) is over the floor: laps spread 10 × less.
    runs = [run(1, laps=tuple(str(Decimal("30.5") + d / 10) for d in SPREAD)),
            run(2, laps=tuple(str(Decimal(after) + d / 10) for d in SPREAD), version=2)]
    (v,) = judge_event(runs, [df_change(before="r1", after="r2")]).changes
    assert v.outcome == outcome


def test_without_an_unchanged_pair_the_trend_is_unknown():
    runs = [run(1, "40.000"), run(2, "39.800", version=2)]
    (v,) = judge_event(runs, [df_change(before="r1", after="r2")]).changes
    assert not v.gap.trend.known
    assert v.outcome == "success"  # -0.5 % beyond the 0.2 % floor, nothing taken off
    assert v.sentence == "0.20 s/lap faster (± 0.06), trend unknown"


def test_several_trend_pairs_widen_the_band_by_their_spread():
    # Pairs R1->R2 -0.4 %, R2->R3 -0.6 %: d = -0.5 %, spread = sd(-0.4, -0.6) = 0.141421 %.
    # Band = hypot(0.0613970 / 39.601 × 100, 0.141421) = hypot(0.155039, 0.141421).
    r2 = 40 * 0.996
    r3 = r2 * 0.994
    after = r3 * 0.995 * 0.997  # the drift, then 0.3 % more
    runs = [run(1, "40.000"), run(2, f"{r2:.6f}"), run(3, f"{r3:.6f}"),
            run(4, f"{after:.6f}", version=2)]
    (v,) = judge_event(runs, [df_change(before="r3", after="r4")]).changes
    band = (((BAND_S / r3 * 100) ** 2) + 0.141421356 ** 2) ** 0.5
    assert v.gap.trend.drift == pytest.approx(-0.5, abs=1e-6)
    assert v.gap.band_pct == pytest.approx(band, rel=1e-5)
    # raw (0.995 × 0.997 - 1) × 100 = -0.7985 %, less d (-0.5 %) = -0.2985 %
    assert v.gap.effect_pct == pytest.approx(-0.2985, abs=1e-4)
    assert v.outcome == "success"  # -0.2985 % beyond max(band 0.2098 %, 0.2 %)


@pytest.mark.parametrize("laps", [("40.0",), ("40.0", "40.1", "39.9", "40.0")])
def test_one_and_four_lap_runs_give_no_verdict(laps):
    # However much faster (1.25 %), fewer than 5 clean laps on either side: no verdict.
    fast = tuple(str(Decimal(s) - Decimal("0.5")) for s in laps)
    runs = [run(1, laps=laps), run(2, laps=fast, version=2)]
    (v,) = judge_event(runs, [df_change(before="r1", after="r2")]).changes
    assert (v.outcome, v.sentence, v.gap.effect_pct) == ("", FEW_LAPS, None)


def test_three_changes_between_the_same_runs_are_one_bundle():
    runs = [run(1, "40.000"), run(2, "40.000"), run(3, "39.800", version=4)]
    changes = [change("c1", "DF", "7000", "6000", version=2, before="r2", after="r3"),
               change("c2", "SO_F", "450", "500", version=3, before="r2", after="r3"),
               change("c3", "C_F", "-1.5", "-2", version=4, before="r2", after="r3")]
    verdicts = judge_event(runs, changes)
    assert [v.outcome for v in verdicts.changes] == ["success"] * 3
    assert len(verdicts.gaps) == 1
    assert verdicts.of(changes[0]).together == ["Front shock oil thicker",
                                                "Front camber more negative"]
    assert verdicts.of(changes[2]).together == ["Front diff oil thinner",
                                                "Front shock oil thicker"]
    # The history counts each parameter once, as a try made with other changes.
    figures = tried_here([_summary(runs, changes)])
    assert figures[("DF", -1)].tries == 1 and figures[("DF", -1)].bundled == 1
    assert figures[("DF", -1)].sentence == ("1 try, 1 faster, \u22120.50 % on average, "
                                            "1 with other changes")


def test_a_change_and_its_undo_before_a_run_net_out():
    # SO_F 450 -> 500 undone (500 -> 450) before R3: both "reverted", judged by nothing,
    # and R2 -> R3 is an unchanged pair of the trend.
    runs = [run(1, "40.000"), run(2, "40.000"), run(3, "39.900", version=3)]
    changes = [change("c1", "SO_F", "450", "500", version=2, before="r2", after=None,
                      status="reverted"),
               change("c2", "SO_F", "500", "450", version=3, before="r2", after="r3")]
    verdicts = judge_event(runs, changes)
    assert [(v.outcome, v.sentence, v.reverted) for v in verdicts.changes] == [
        ("", REVERTED, True), ("", REVERTED, True)]
    assert verdicts.trend.pairs == (0.0, pytest.approx(-0.25))
    assert tried_here([_summary(runs, changes)]) == {}


def test_a_change_undone_after_its_run_keeps_its_verdict_and_the_undo_is_judged():
    runs = [run(1, "40.000"), run(2, "39.800", version=2), run(3, "40.000", version=3)]
    changes = [change("c1", "DF", "7000", "6000", version=2, before="r1", after="r2",
                      status="reverted"),
               change("c2", "DF", "6000", "7000", version=3, before="r2", after="r3")]
    first, undo = judge_event(runs, changes).changes
    assert (first.outcome, undo.outcome) == ("success", "failure")


def test_no_run_before_and_not_run_yet():
    runs = [run(1, "40.000")]
    changes = [change("c0", "DF", "8000", "7000", version=2, before=None, after="r1"),
               change("c1", "SO_F", "450", "500", version=3, before="r1", after=None)]
    first, second = judge_event(runs, changes).changes
    assert (first.sentence, second.sentence) == (NO_RUN_BEFORE, NOT_RUN)


def test_an_audit_that_disagrees_with_the_laps_is_shown_beside_them():
    runs = [run(1, "40.000"), run(2, "40.000"), run(3, "39.800", version=2)]
    unhappy = Audit("a1", "e1", 2, symptom="Rear loose")
    (v,) = judge_event(runs, [df_change()], unhappy).changes
    assert v.outcome == "success"  # the laps' verdict stands
    assert v.disagrees
    assert v.opinion_words == "laps: faster · you: felt worse"
    happy = Audit("a2", "e1", 5, gain="Corner entry")
    (v,) = judge_event(runs, [df_change()], happy).changes
    assert (v.outcome, v.disagrees, v.opinion_words) == ("success", False, "you: felt better")


def test_the_audit_is_the_only_word_on_a_change_without_a_lap_verdict():
    runs = [run(1, laps=("40.0",)), run(2, laps=("39.5",), version=2)]
    audit = Audit("a1", "e1", 4, gain="Corner exit")
    (v,) = judge_event(runs, [df_change(before="r1", after="r2")], audit).changes
    assert (v.outcome, v.sentence, v.opinion_words) == ("", FEW_LAPS, "you: felt better")


def test_history_figures_per_parameter_and_direction_this_car_first():
    cars = {"car1": _car("car1"), "car2": _car("car2"), "car3": _car("car3", model="RC8B4")}
    # car1: DF thinner twice at this place (one success -0.5 %, one neutral 0 %).
    gain = ([run(1, "40.000"), run(2, "40.000"), run(3, "39.800", version=2)], [df_change()])
    flat = ([run(1, "40.000"), run(2, "40.000"), run(3, "40.000", version=2)], [df_change()])
    # car2 (same model): SO_F thicker once, slower; car3 (another model) is left out.
    slower = ([run(1, "40.000"), run(2, "40.000"), run(3, "40.200", version=2)],
              [change("c9", "SO_F", "450", "500", version=2, before="r2", after="r3")])
    summaries = [_summary(*gain, car="car1"), _summary(*flat, car="car1"),
                 _summary(*slower, car="car2"), _summary(*slower, car="car3")]
    place = place_history(summaries, cars["car1"], cars)
    (df,) = place.own
    assert (df.label, df.tries, df.faster, df.slower) == ("Front diff oil thinner", 2, 1, 0)
    assert df.mean_effect == pytest.approx(-0.25)
    assert df.sentence == "2 tries, 1 faster, \u22120.25 % on average"
    assert df.leaning == "success"
    (so,) = place.model
    assert (so.label, so.tries, so.slower, so.leaning) == ("Front shock oil thicker", 1, 1,
                                                           "failure")


def _car(cid: str, model: str = "NB48 2.2") -> Car:
    return Car(cid, "p1", "Tekno", model)


def _summary(runs: list[Run], changes: list[SetupChange], car: str = "car1"):
    event = Event("e1", "p1", car, "Club day", "Practice", date(2026, 11, 21), None,
                  "Mill Lane")
    return summarise(EventRecord(event, runs, changes))
