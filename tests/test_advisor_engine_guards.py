"""The Setup Advisor's guards, TUNING §3.1-§3.5 and §3.7-§3.9, one at a time.

No Flask, no store: every expected value by hand, on the NB48 preset and the Practice
described in tests/advisor_engine_helpers.py.
"""

from __future__ import annotations

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
    # Dusty lasts 3 runs: 75 % is 2.25, so 2 runs (67 %) are quiet and 3 is the limit.
    ("Dusty", 2, None, 3),
    # Dry lasts 6: 75 % is 4.5, so 4 runs are quiet, 5 warn, 6 is the limit.
    ("Dry", 4, 5, 6),
    # Wet (and Muddy) last 10: 75 % is 7.5, so 7 quiet, 8 warn, 10 the limit.
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
    assert gate.message == ("Test the last change first: DF 7000 → 6000 cSt has no run after "
                            "it yet. Run the car, then ask again.")


def test_insisting_gets_proposals_with_a_warning():
    untested = change("DF", "7000", "6000", run_after=None)
    advice = advise(situation("push_entry", {"DF": 6000}, changes=[untested], insist=True))
    gate = the_guard(advice, "untested")
    assert not gate.blocks
    assert "DF 7000 → 6000 cSt" in gate.message
    # DF -1000 again would repeat the untested change: skipped, so SO_F, SB_F, Toe_R.
    assert texts(advice) == ["SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm", "Toe_R 3.0 → 2.5°"]
    assert guard_keys(advice) == ["untested", "repeats"]


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
    assert main.message == (f"{reason}: only quick trackside changes (SO_F, SO_R, SB_F, SB_R, "
                            f"RH_F, RH_R, C_F, C_R). Left out: DF {MINUS}1000 cSt; "
                            f"Toe_R {MINUS}0.5°.")
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
        "Skipped to stay in bounds: SB_R 4.0 → 4.2 mm is above the maximum (4.0 mm).")


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
        f"Not proposed again: DF {MINUS}1000 cSt (already made at this event); "
        f"SO_F {MINUS}50 cSt (already proposed, waiting for you); "
        f"SB_F {MINUS}0.2 mm (you denied it at this event).")


def test_the_other_direction_and_reverted_changes_are_not_repeats():
    changes = [change("DF", "6000", "7000"),  # DF went up: down is new
               change("SO_F", "500", "450", status="reverted")]
    advice = advise(situation("push_entry", changes=changes))
    assert texts(advice) == ["DF 7000 → 6000 cSt", "SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm"]
    assert "repeats" not in guard_keys(advice)


def test_piston_repeats_compare_hole_sizes():
    changes = [change("P_R", "4x1.6", "4x1.7")]  # bigger holes already made
    assert "P_R" not in [p.param for p in advise(situation("ruts", changes=changes)).proposals]


# --- §3.7 driving before setup ------------------------------------------------------------

@pytest.mark.parametrize("best, warned", [("33.500", True), ("33.400", False)])
def test_driving_gap(best, warned):
    # Own best here 31.500 s: 33.500 is 2.0 s off (warn), 33.400 is 1.9 s (quiet).
    runs = [run(1, 4, ("34.012", best, "34.501"))]
    advice = advise(situation("push_entry", runs=runs, own_best_at_track=31.5))
    assert ("driving" in guard_keys(advice)) is warned
    assert texts(advice)[0] == "DF 7000 → 6000 cSt"
    if warned:
        driving = the_guard(advice, "driving")
        assert (driving.title, driving.blocks) == ("Driving before setup", False)
        assert driving.message == ("Your best lap here today is 33.500, 2.0 s off your best at "
                                   "this track (31.500): practice gains more than setup.")


def test_a_double_transponder_hit_is_not_the_best_lap_here_today():
    # R = median of 34.012 33.500 34.501 4.200 34.100 = 34.012: the 4.2 is short (under
    # .75 x 34.012 = 25.509) and left out; the best clean lap 33.500 is 2.0 s off 31.500.
    runs = [run(1, 4, ("34.012", "33.500", "34.501", "4.200", "34.100"))]
    advice = advise(situation("push_entry", runs=runs, own_best_at_track=31.5))
    assert "Your best lap here today is 33.500" in the_guard(advice, "driving").message


def test_no_driving_guard_without_laps_or_a_best():
    assert advise(situation("push_entry", own_best_at_track=60.0)).guards == []
    runs = [run(1, 4, ("70.0",))]
    assert advise(situation("push_entry", runs=runs)).guards == []


# --- §3.8 temperature -----------------------------------------------------------------------

@pytest.mark.parametrize("now, cst", [(32, 50), (30, 50), (0, -100), (9, -50)])
def test_temperature_alone_adds_shock_oil_after_the_rules(now, cst):
    # push_exit's rules change no shock oil. 20 -> 32 °C: 1 full 10 °C hotter = +50;
    # 20 -> 0 °C: 2 full steps colder = -100; 20 -> 9 °C: 1 full step colder = -50.
    advice = advise(situation("push_exit", temperature_now=now))
    so_f, so_r = 450 + cst, 400 + cst
    assert texts(advice) == ["DF 7000 → 8000 cSt", "DC 7000 → 8000 cSt", "SB_R 2.5 → 2.7 mm",
                             f"SO_F 450 → {so_f} cSt", f"SO_R 400 → {so_r} cSt"]
    temperature = the_guard(advice, "temperature")
    words, sign = ("hotter", "+") if cst > 0 else ("colder", MINUS)
    assert temperature.message == (
        f"The track is {abs(now - 20)} °C {words} than when this setup was made (20 °C then, "
        f"{now} °C now): shock oil {sign}{abs(cst)} cSt: proposed on its own for SO_F, SO_R.")
    assert not temperature.blocks


@pytest.mark.parametrize("now", [29, 11, 20, None])
def test_less_than_10_degrees_changes_nothing(now):
    # 20 -> 29 °C is 9 °C: not a full step.
    advice = advise(situation("push_exit", temperature_now=now))
    assert len(advice.proposals) == 3
    assert advice.guards == []


@pytest.mark.parametrize("now, expected", [
    # bottoming wants SO +50; 12 °C hotter adds +50: 450 + 100 = 550, 400 + 100 = 500.
    (32, ["SO_F 450 → 550 cSt", "SO_R 400 → 500 cSt", "RH_F 27.0 → 28.0 mm"]),
    # 20 °C colder takes 100: 450 + 50 - 100 = 400, 400 + 50 - 100 = 350.
    (0, ["SO_F 450 → 400 cSt", "SO_R 400 → 350 cSt", "RH_F 27.0 → 28.0 mm"]),
])
def test_temperature_rides_on_the_rules_shock_oil(now, expected):
    advice = advise(situation("bottoming", temperature_now=now))
    assert texts(advice) == expected
    assert the_guard(advice, "temperature").message.endswith(
        "added to the proposal for SO_F, SO_R.")
    assert "Includes" in advice.proposals[0].why


def test_a_shift_that_cancels_the_rule_leaves_that_shock_alone():
    # push_entry wants SO_F -50; 12 °C hotter wants +50: SO_F stays. SO_R only follows the
    # temperature: 400 + 50 = 450, after the rule proposals DF, SB_F, Toe_R.
    advice = advise(situation("push_entry", temperature_now=32))
    assert texts(advice) == ["DF 7000 → 6000 cSt", "SB_F 2.3 → 2.1 mm", "Toe_R 3.0 → 2.5°",
                             "SO_R 400 → 450 cSt"]
    assert the_guard(advice, "temperature").message.endswith(
        f"SO_F {MINUS}50 cSt and +50 cSt for the temperature cancel out: SO_F stays; "
        "proposed on its own for SO_R.")


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
    ("push_entry", {"DF": 1000}, "DF 1000 → 0 cSt is below the minimum (1000 cSt)",
     "SO_F 450 → 400 cSt"),
    # SO_F 1500 + 50 = 1550 is over the 1500 cSt maximum.
    ("bottoming", {"SO_F": 1500}, "SO_F 1500 → 1550 cSt is above the maximum (1500 cSt)",
     "SO_R 400 → 450 cSt"),
    # SB_R 4.0 + 0.2 = 4.2 is over the 4.0 mm maximum.
    ("push_mid", {"SB_R": "4.0"}, "SB_R 4.0 → 4.2 mm is above the maximum (4.0 mm)",
     "SB_F 2.3 → 2.1 mm"),
    ("bumps", {"SO_F": None}, "SO_F is not set in the event setup", "SO_R 400 → 350 cSt"),
    # 7250 is between two 500 cSt steps: no concrete value on the grid from it.
    ("push_entry", {"DF": 7250}, "DF 7250 cSt is off the 500 cSt step", "SO_F 450 → 400 cSt"),
    # Pistons: 0.8 - 0.1 = 0.7 mm holes is under the 0.8 mm sanity limit; text that is not
    # "holes x mm" cannot be changed.
    ("jumping", {"P_F": "4x0.8"}, "P_F 4x0.8 → 4x0.7: holes under 0.8 mm", "SO_F 450 → 500 cSt"),
    ("jumping", {"P_F": "soft"}, "P_F soft is not written as holes x mm (like 4x1.2)",
     "SO_F 450 → 500 cSt"),
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
        "Skipped to stay in bounds: SB_F 0.0 → -0.2 mm is below the minimum (0.0 mm).")
