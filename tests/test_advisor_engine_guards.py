"""The Setup Advisor's guards, TUNING §3.1-§3.5 and §3.7-§3.9, one at a time.

No Flask, no store: every expected value by hand, on the NB48 preset and the Practice
described in tests/advisor_engine_helpers.py.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from apex.advisor import FRESH_TYRES, NO_SAFE_CHANGE, advise
from apex.catalogue import BY_KEY, PARAMS
from apex.compare import MINUS
from apex.symptoms import SYMPTOMS
from tests.advisor_engine_helpers import (
    change,
    event,
    guard_keys,
    run,
    situation,
    texts,
    the_guard,
)

# --- §3.1 confidence gate --------------------------------------------------------------------

def test_confidence_below_3_blocks_all_setup_advice():
    advice = advise(situation("push_entry", runs=[run(1, 4), run(2, 2)]))
    assert advice.proposals == []
    assert advice.blocked
    gate = the_guard(advice, "confidence")
    assert (gate.title, gate.blocks) == ("Confidence gate", True)
    assert gate.message == ("Your confidence in Q2 was 2 of 5: get track time before "
                            "changing the setup.")
    assert advice.notes == []  # the spring advice is setup too: held back


def test_confidence_3_does_not_block():
    advice = advise(situation("push_entry", runs=[run(1, 1), run(2, 3)]))
    assert "confidence" not in guard_keys(advice)
    assert texts(advice)[0] == "DF 7000 → 6000 cSt"


def test_the_gate_reads_the_last_run_only():
    # TUNING §3.1 "confidence in the last run": Q2 (unrated) is the track time Q1's 2 asked for.
    unrated_after_low = advise(situation("push_entry", runs=[run(1, 2), run(2)]))
    assert "confidence" not in guard_keys(unrated_after_low)
    assert not advise(situation("push_entry", runs=[run(1, 2), run(2, 4)])).blocked
    assert advise(situation("push_entry", runs=[run(1, 4), run(2, 2)])).blocked


def test_engine_advice_is_not_setup_and_passes_the_gate():
    advice = advise(situation("engine_lean", runs=[run(1, 1)]))
    assert advice.blocked and advice.proposals == []
    assert advice.notes[0].startswith("High-speed needle (HSN)")


# --- §3.2 tyres first ------------------------------------------------------------------------

@pytest.mark.parametrize("surface, quiet, warned, limit", [
    # Clay, Astroturf, Carpet last 3 runs: 75 % is 2.25, so 2 runs (67 %) are quiet and 3
    # is the limit (clay is no longer read as "Dry", 6).
    ("Clay", 2, None, 3),
    ("Astroturf", 2, None, 3),
    ("Carpet", 2, None, 3),
    # Dry, Hard-packed, Dusty last 6: 75 % is 4.5, so 4 runs are quiet, 5 warn, 6 the limit.
    ("Dry", 4, 5, 6),
    ("Hard-packed", 4, 5, 6),
    ("Dusty", 4, 5, 6),
    # Loam, Wet, Muddy last 10: 75 % is 7.5, so 7 quiet, 8 warn, 10 the limit.
    ("Loam", 7, 8, 10),
    ("Wet", 7, 8, 10),
    ("Muddy", 7, 8, 10),
])
def test_tyre_wear_by_surface(surface, quiet, warned, limit):
    def advice_after(n):
        return advise(situation("push_entry", event=event(surface=surface),
                                runs=[run(i) for i in range(1, n + 1)]))

    assert "tyres" not in guard_keys(advice_after(quiet))
    if warned is not None:
        warning = advice_after(warned)
        tyres = the_guard(warning, "tyres")
        assert tyres.message == (f"The tyres have done {warned} of about {limit} runs on a "
                                 f"{surface} track (at least 75 %): plan fresh tyres soon.")
        assert not tyres.blocks
        assert FRESH_TYRES not in warning.notes
    worn = advice_after(limit)
    tyres = the_guard(worn, "tyres")
    assert tyres.message == (f"The tyres have done {limit} runs; on a {surface} track they "
                             f"last about {limit}: fit fresh tyres before changing the setup.")
    assert (tyres.title, tyres.blocks) == ("Tyres first", False)
    assert worn.notes[0] == FRESH_TYRES
    assert texts(worn)[0] == "DF 7000 → 6000 cSt"  # proposals still follow


def test_new_tyres_start_the_count_again():
    # 6 runs on Dry, but the compound changed before run 5: these tyres did runs 5 and 6.
    runs = [run(i) for i in range(1, 7)]
    fitted = change("Compound", "Green", "Blue", run_after="r5")
    assert "tyres" not in guard_keys(advise(situation("push_entry", runs=runs, changes=[fitted])))


def test_a_fresh_set_starts_the_count_again():
    # 6 runs on Dry (the limit), but a fresh set went on after run 4: 2 runs on these.
    runs = [run(i) for i in range(1, 7)]
    fresh = runs[3].started_at.replace(minute=runs[3].started_at.minute + 1)
    advice = advise(situation("push_entry", runs=runs, tyres_since=fresh))
    assert "tyres" not in guard_keys(advice)
    assert FRESH_TYRES not in advice.notes
    # Fitted after the last run: nothing on them yet.
    assert "tyres" not in guard_keys(advise(situation(
        "push_entry", runs=runs, tyres_since=runs[-1].started_at)))


def test_fresh_tyres_come_first_even_when_the_setup_is_blocked():
    runs = [run(i) for i in range(1, 6)] + [run(6, 2)]
    advice = advise(situation("push_entry", runs=runs))
    assert guard_keys(advice) == ["confidence", "tyres"]
    assert advice.notes == [FRESH_TYRES]


# --- §3.3 one change at a time ----------------------------------------------------------------

def test_an_untested_change_blocks():
    untested = change("DF", "7000", "6000", run_after=None)
    advice = advise(situation("push_mid", {"DF": 6000}, changes=[untested]))
    assert advice.proposals == []
    gate = the_guard(advice, "untested")
    assert (gate.title, gate.blocks) == ("One change at a time", True)
    assert gate.message == ("Test the last change first: Front diff oil 7000 → 6000 cSt has no "
                            "run after it yet. Run the car, then ask again.")


def test_insisting_gets_proposals_with_a_warning():
    untested = change("DF", "7000", "6000", run_after=None)
    advice = advise(situation("push_entry", {"DF": 6000}, changes=[untested], insist=True))
    gate = the_guard(advice, "untested")
    assert not gate.blocks
    assert "Front diff oil 7000 → 6000 cSt" in gate.message
    # DF -1000 again would repeat the untested change: skipped, so SO_F, SB_F, Toe_R.
    assert texts(advice) == ["SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm", "Toe_R 3.0 → 2.5°"]
    assert guard_keys(advice) == ["untested", "repeats"]


def test_a_restore_to_a_tested_setup_counts_as_tested():
    # Version 2 (DF 6000) ran with laps; DF 5000 (v3) was not run; the restore to last known
    # good (v4) put DF back to 6000: the setup is the tested one, nothing waits.
    laps = ("40.1", "40.2", "40.3", "40.4", "40.5")
    tested = run(1, laps=laps)
    tested = tested.__class__(**{**tested.__dict__, "setup_version": 2})
    changes = [change("DF", "7000", "6000", run_after="r1", version=2),
               change("DF", "6000", "5000", run_after=None, version=3),
               change("DF", "5000", "6000", run_after=None, version=4)]
    advice = advise(situation("push_mid", {"DF": 6000}, runs=[tested], changes=changes))
    assert "untested" not in guard_keys(advice)
    assert texts(advice) == ["SB_R 2.5 → 2.7 mm", "SB_F 2.3 → 2.1 mm"]


def test_tested_pending_and_denied_changes_do_not_block():
    changes = [change("DC", "7000", "8000", run_after="r2"),
               change("DR", "5000", "6000", status="pending", run_after=None),
               change("SO_R", "400", "350", status="denied", run_after=None)]
    assert "untested" not in guard_keys(advise(situation("push_mid", changes=changes)))


# --- §3.4 limited changes before a main -----------------------------------------------------

@pytest.mark.parametrize("fields, reason", [
    ({"type": "Main"}, "This is a Main"),
    ({"practice_rounds": 2}, "Only 2 practice rounds are planned (fewer than 3)"),
])
def test_only_quick_params_before_a_main(fields, reason):
    advice = advise(situation("push_entry", event=event(**fields)))
    # DF (a diff) and Toe_R are not quick trackside parameters: SO_F and SB_F are left.
    assert texts(advice) == ["SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm"]
    main = the_guard(advice, "main")
    assert main.message == (
        f"{reason}: only quick trackside changes (Front shock oil, Rear shock oil, Front sway "
        "bar, Rear sway bar, Front ride height, Rear ride height, Front camber, Rear camber), "
        "one step each, at most 2 steps from where the event started. Left out: Front diff "
        f"oil {MINUS}1000 cSt; Rear toe {MINUS}0.5°.")
    assert not main.blocks
    assert advice.notes == []  # no spring advice before a main


@pytest.mark.parametrize("fields", [{"practice_rounds": 3}, {"practice_rounds": None},
                                    {"type": "Qualifying"}])
def test_three_practice_rounds_are_not_limited(fields):
    advice = advise(situation("push_entry", event=event(**fields)))
    assert "main" not in guard_keys(advice)
    assert texts(advice)[0] == "DF 7000 → 6000 cSt"


def test_no_safe_change_before_a_main():
    # push_exit: DF and DC are slow; SB_R 4.0 + 0.2 = 4.2 is over the 4.0 mm maximum.
    advice = advise(situation("push_exit", {"SB_R": "4.0"}, event=event(type="Main")))
    assert advice.proposals == []
    assert advice.notes == [NO_SAFE_CHANGE]
    assert guard_keys(advice) == ["main", "bounds"]
    assert the_guard(advice, "bounds").message == (
        "Skipped to stay in bounds: Rear sway bar 4.0 → 4.2 mm is above the maximum (4.0 mm).")


def test_before_a_main_the_temperature_is_one_step_and_never_rides_on_a_rule():
    # 22 °C hotter (+100) and bottoming (+50) used to give SO_F 450 -> 600 in one step.
    advice = advise(situation("bottoming", event=event(type="Main"), temperature_now=42))
    assert texts(advice) == ["SO_F 450 → 500 cSt + SO_R 400 → 450 cSt",
                             "RH_F 27.0 → 28.0 mm + RH_R 28.0 → 29.0 mm"]
    assert [p.temperature_ref for p in advice.proposals] == [None, None]
    assert the_guard(advice, "temperature").message.endswith(
        "not proposed now: this answer already changes Front shock oil, Rear shock oil; ask "
        "again after testing it.")
    # push_exit changes no shock oil: the temperature gets one step (+50, 10 °C) on its own.
    alone = advise(situation("push_exit", event=event(type="Main"), temperature_now=42))
    assert texts(alone) == ["SB_R 2.5 → 2.7 mm", "SO_F 450 → 500 cSt + SO_R 400 → 450 cSt"]
    assert alone.proposals[-1].temperature_ref == 30
    assert "one step before a main: +50 cSt now, the rest later" in (
        the_guard(alone, "temperature").message)


# --- §3.5 no repeats ------------------------------------------------------------------------

def test_pending_accepted_and_denied_changes_are_not_proposed_again():
    changes = [change("DF", "8000", "7000"),  # accepted and run: DF down
               change("SO_F", "450", "400", status="pending", run_after=None),
               change("SB_F", "2.3", "2.1", status="denied", run_after=None)]
    advice = advise(situation("push_entry", changes=changes))
    # DF -1000, SO_F -50 and SB_F -0.2 are all repeats: Toe_R 3.0 - 0.5 is what is left.
    assert texts(advice) == ["Toe_R 3.0 → 2.5°"]
    repeats = the_guard(advice, "repeats")
    assert (repeats.title, repeats.blocks) == ("No repeats", False)
    assert repeats.message == (
        f"Not proposed again: Front diff oil {MINUS}1000 cSt (already made at this event); "
        f"Front shock oil {MINUS}50 cSt (already proposed, waiting for you); "
        f"Front sway bar {MINUS}0.2 mm (you denied it at this event).")


def test_reverted_and_failed_changes_are_repeats_but_not_the_other_direction():
    # SB_F 2.5 -> 2.3 went between Q1 (40.0 s laps) and Q2 (41.0 s): the laps judge it a
    # failure (TUNING §5), so SB_F thinner is not proposed again.
    before = run(1, 4, ("40.0", "40.1", "39.9", "40.0", "40.1", "39.9"))
    after = replace(run(2, 4, ("41.0", "41.1", "40.9", "41.0", "41.1", "40.9")),
                    setup_version=2)
    changes = [change("DF", "6000", "7000", run_after="r2", run_before="r1"),  # DF went up
               change("SO_F", "450", "400", status="reverted"),  # undone: not again
               change("SB_F", "2.5", "2.3", run_after="r2", run_before="r1")]
    advice = advise(situation("push_entry", changes=changes, runs=[before, after]))
    assert texts(advice) == ["DF 7000 → 6000 cSt", "Toe_R 3.0 → 2.5°"]
    assert the_guard(advice, "repeats").message == (
        f"Not proposed again: Front shock oil {MINUS}50 cSt (undone at this event); "
        f"Front sway bar {MINUS}0.2 mm (judged a failure at this event).")


@pytest.mark.parametrize("reason", ["Undo: back to 8000", "Back to last known good: Q2"])
def test_an_undo_or_a_restore_is_no_repeat(reason):
    # Undoing DF 8000 -> 7000 (or a restore) wrote DF 7000 -> 8000: DF up is still new.
    undo = change("DF", "7000", "8000")
    undo = undo.__class__(**{**undo.__dict__, "reason": reason})
    advice = advise(situation("push_exit", {"DF": 7000}, changes=[undo]))
    assert texts(advice)[0] == "DF 7000 → 8000 cSt"


def test_piston_repeats_compare_hole_sizes():
    changes = [change("P_R", "4x1.6", "4x1.7")]  # bigger holes already made
    assert "P_R" not in [p.param for p in advise(situation("ruts", changes=changes)).proposals]


# --- §3.7 driving before setup ------------------------------------------------------------

FIVE = ("33.500", "33.500", "33.500", "33.500", "33.500")


@pytest.mark.parametrize("lap, warned", [("33.500", True), ("33.400", False)])
def test_driving_gap(lap, warned):
    # This car's best top-5 average here 31.500 s: five 33.500 laps are 2.0 s off (warn),
    # five 33.400 are 1.9 s (quiet).
    runs = [run(1, 4, (lap,) * 5)]
    advice = advise(situation("push_entry", runs=runs, own_best_at_track=31.5))
    assert ("driving" in guard_keys(advice)) is warned
    assert texts(advice)[0] == "DF 7000 → 6000 cSt"
    if warned:
        driving = the_guard(advice, "driving")
        assert (driving.title, driving.blocks) == ("Driving before setup", False)
        assert driving.message == (
            "This car's best top-5 average here today is 33.500, 2.0 s off its best at this "
            "track (31.500): practice gains more than setup.")


def test_short_and_incident_laps_never_count_for_the_driving_guard():
    # R = median 33.500: the 4.200 is short (under .75 R) and 60.0 an incident (over R + 7 %);
    # both left out, the top-5 of the clean laps is 33.500, 2.0 s off 31.500.
    runs = [run(1, 4, ("33.500", "4.200", *FIVE, "60.000"))]
    advice = advise(situation("push_entry", runs=runs, own_best_at_track=31.5))
    assert "best top-5 average here today is 33.500" in the_guard(advice, "driving").message


def test_a_run_under_five_clean_laps_is_no_driving_evidence():
    runs = [run(1, 4, ("40.0", "40.0", "40.0"))]
    assert "driving" not in guard_keys(advise(situation(
        "push_entry", runs=runs, own_best_at_track=31.5)))


def test_no_driving_guard_without_laps_or_a_best():
    assert advise(situation("push_entry", own_best_at_track=60.0)).guards == []
    runs = [run(1, 4, ("70.0",))]
    assert advise(situation("push_entry", runs=runs)).guards == []


# --- §3.8 temperature -----------------------------------------------------------------------

@pytest.mark.parametrize("now, cst, ref", [(32, 50, 30), (30, 50, 30), (0, -100, 0),
                                           (9, -50, 10)])
def test_temperature_alone_is_one_pair_proposal_when_there_is_room(now, cst, ref):
    # push_mid's rules change no shock oil (2 proposals). 20 -> 32 °C: 1 full 10 °C hotter =
    # +50; 20 -> 0 °C: 2 full steps colder = -100; 20 -> 9 °C: 1 full step colder = -50.
    advice = advise(situation("push_mid", temperature_now=now))
    so_f, so_r = 450 + cst, 400 + cst
    assert texts(advice) == ["SB_R 2.5 → 2.7 mm", "SB_F 2.3 → 2.1 mm",
                             f"SO_F 450 → {so_f} cSt + SO_R 400 → {so_r} cSt"]
    assert advice.proposals[-1].temperature_ref == ref  # the setup's, once accepted
    temperature = the_guard(advice, "temperature")
    words, sign = ("hotter", "+") if cst > 0 else ("colder", MINUS)
    assert temperature.message == (
        f"The track is {abs(now - 20)} °C {words} than the shock oils are set for (20 °C then, "
        f"{now} °C now): shock oil {sign}{abs(cst)} cSt: proposed on its own: Front shock oil "
        f"450 → {so_f} cSt + Rear shock oil 400 → {so_r} cSt; once accepted the shock oils are "
        f"set for {ref} °C.")
    assert not temperature.blocks


def test_no_room_for_the_temperature_is_said_and_nothing_announced():
    # push_exit fills the three places: the temperature waits, and says so.
    advice = advise(situation("push_exit", temperature_now=32))
    assert len(advice.proposals) == 3
    assert all(p.param not in ("SO_F", "SO_R") for p in advice.proposals)
    message = the_guard(advice, "temperature").message
    assert message.endswith("not proposed now: 3 proposals already; ask again after testing.")
    assert "proposed on its own" not in message


def test_the_same_degrees_are_never_compensated_twice():
    # Accepting +50 for 30 °C set the setup's reference to 30: at 32 °C nothing is due.
    advice = advise(situation("bumps", {"SO_F": 500, "SO_R": 450}, temperature_now=32,
                              temperature_ref=30))
    assert texts(advice)[0] == "SO_F 500 → 450 cSt + SO_R 450 → 400 cSt"
    assert "temperature" not in guard_keys(advice)


@pytest.mark.parametrize("now", [29, 11, 20, None])
def test_less_than_10_degrees_changes_nothing(now):
    # 20 -> 29 °C is 9 °C: not a full step.
    advice = advise(situation("push_exit", temperature_now=now))
    assert len(advice.proposals) == 3
    assert advice.guards == []


@pytest.mark.parametrize("now, expected, ref", [
    # bottoming wants SO +50; 12 °C hotter adds +50: 450 + 100 = 550, 400 + 100 = 500.
    (32, "SO_F 450 → 550 cSt + SO_R 400 → 500 cSt", 30),
    # 20 °C colder takes 100: 450 + 50 - 100 = 400, 400 + 50 - 100 = 350.
    (0, "SO_F 450 → 400 cSt + SO_R 400 → 350 cSt", 0),
])
def test_temperature_rides_on_the_rules_shock_oil_pair(now, expected, ref):
    advice = advise(situation("bottoming", temperature_now=now))
    assert texts(advice) == [expected, "RH_F 27.0 → 28.0 mm + RH_R 28.0 → 29.0 mm",
                             "P_F 4x1.2 → 4x1.1"]
    assert advice.proposals[0].temperature_ref == ref
    assert the_guard(advice, "temperature").message.endswith(
        f"once accepted the shock oils are set for {ref} °C.")
    assert "Includes" in advice.proposals[0].why


def test_a_single_shock_is_never_compensated_alone():
    # push_entry wants SO_F -50 (front only); 12 °C hotter wants both shocks +50: compensating
    # SO_F alone would leave SO_R behind, so the temperature waits for the next ask.
    advice = advise(situation("push_entry", temperature_now=32))
    assert texts(advice) == ["DF 7000 → 6000 cSt", "SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm"]
    assert advice.proposals[1].temperature_ref is None
    assert the_guard(advice, "temperature").message.endswith(
        "not proposed now: this answer already changes Front shock oil; ask again after "
        "testing it.")


def test_a_shift_that_cancels_the_rule_leaves_the_shocks_alone():
    # bumps wants SO -50 on both; 12 °C hotter wants +50: the pair stays, RH and SB follow.
    advice = advise(situation("bumps", temperature_now=32))
    assert texts(advice)[0] == "RH_F 27.0 → 27.5 mm + RH_R 28.0 → 28.5 mm"
    assert the_guard(advice, "temperature").message.endswith(
        f"Front shock oil {MINUS}50 cSt + Rear shock oil {MINUS}50 cSt and +50 cSt for the "
        "temperature cancel out: the shock oils stay.")


def test_engine_symptoms_get_no_shock_oil_for_the_temperature():
    advice = advise(situation("engine_rich", temperature_now=40))
    assert advice.proposals == [] and advice.guards == []


# --- §3.9 bounds ------------------------------------------------------------------------------

NUMERIC = [p for p in PARAMS if p.is_numeric]


@pytest.mark.parametrize("symptom", [s.key for s in SYMPTOMS])
def test_no_proposal_ever_leaves_the_bounds_or_the_step(symptom):
    for param in NUMERIC:
        for extreme in (param.min, param.max):
            for now in (None, 45, -5):  # no shift, +25 °C (+100), -25 °C (-100)
                advice = advise(situation(symptom, {param.key: extreme}, temperature_now=now))
                for p in advice.proposals:
                    assert p.proposed != p.current
                    spec = BY_KEY[p.param]
                    if spec.is_numeric:
                        value = Decimal(p.proposed)
                        assert spec.min <= value <= spec.max, (symptom, param.key, p.text)
                        assert (value - spec.min) % spec.step == 0, (symptom, param.key, p.text)


@pytest.mark.parametrize("symptom, values, skipped, first", [
    # DF 1000 - 1000 = 0 is under the 1000 cSt minimum.
    ("push_entry", {"DF": 1000}, "Front diff oil 1000 → 0 cSt is below the minimum (1000 cSt)",
     "SO_F 450 → 400 cSt"),
    # SO_F 1500 + 50 = 1550 is over the 1500 cSt maximum: the pair goes as one (§3.10).
    ("bottoming", {"SO_F": 1500},
     "Front shock oil 1500 → 1550 cSt is above the maximum (1500 cSt)",
     "RH_F 27.0 → 28.0 mm + RH_R 28.0 → 29.0 mm"),
    # SB_R 4.0 + 0.2 = 4.2 is over the 4.0 mm maximum.
    ("push_mid", {"SB_R": "4.0"}, "Rear sway bar 4.0 → 4.2 mm is above the maximum (4.0 mm)",
     "SB_F 2.3 → 2.1 mm"),
    ("bumps", {"SO_F": None}, "Front shock oil is not set in the event setup",
     "RH_F 27.0 → 27.5 mm + RH_R 28.0 → 28.5 mm"),
    # 7250 is between two 500 cSt steps: no concrete value on the grid from it.
    ("push_entry", {"DF": 7250}, "Front diff oil 7250 cSt is off the 500 cSt step",
     "SO_F 450 → 400 cSt"),
    # Pistons: 0.8 - 0.1 = 0.7 mm holes is under the 0.8 mm sanity limit; text that is not
    # "holes x mm" cannot be changed.
    ("bottoming", {"P_F": "4x0.8"}, "Front piston 4x0.8 → 4x0.7: holes under 0.8 mm",
     "SO_F 450 → 500 cSt + SO_R 400 → 450 cSt"),
    ("bottoming", {"P_F": "soft"}, "Front piston soft is not written as holes x mm (like 4x1.2)",
     "SO_F 450 → 500 cSt + SO_R 400 → 450 cSt"),
])
def test_a_candidate_outside_the_bounds_is_skipped_and_said(symptom, values, skipped, first):
    advice = advise(situation(symptom, values))
    bounds = the_guard(advice, "bounds")
    assert (bounds.title, bounds.blocks) == ("Stay in bounds", False)
    assert skipped in bounds.message
    assert texts(advice)[0] == first


def test_a_sway_bar_at_none_cannot_get_thinner():
    # SB_F 0 - 0.2 = -0.2 is under 0 (none): push_mid keeps only SB_R 2.5 + 0.2.
    advice = advise(situation("push_mid", {"SB_F": 0}))
    assert texts(advice) == ["SB_R 2.5 → 2.7 mm"]
    assert the_guard(advice, "bounds").message == (
        "Skipped to stay in bounds: Front sway bar 0.0 → -0.2 mm is below the minimum (0.0 mm).")
