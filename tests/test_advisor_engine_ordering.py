"""The Setup Advisor's ordering: history (TUNING §3.6), the track, all guards at once.

No Flask, no store: every expected value by hand, on the NB48 preset and the Practice
described in tests/advisor_engine_helpers.py.
"""

from __future__ import annotations

import pytest

from apex.advisor import advise
from tests.advisor_engine_helpers import (
    change,
    event,
    guard_keys,
    past,
    run,
    situation,
    texts,
    the_guard,
)

# --- §3.6 history ---------------------------------------------------------------------------

def test_a_failure_here_goes_last_and_says_so():
    # SB_R thicker: 2 tries here, both slower, +0.30 % and +0.50 %.
    history = past("SB_R", +1, slower=2, effects=(0.3, 0.5))
    advice = advise(situation("push_mid", history=history))
    assert texts(advice) == ["SB_F 2.3 → 2.1 mm", "SB_R 2.5 → 2.7 mm"]
    assert advice.proposals[1].history == (
        "Slower here 2 of 2 times for this car, +0.40 % on average: tried last.")
    assert advice.proposals[0].history == ""


def test_a_success_here_goes_first_and_says_so():
    # Toe_R down: worked 2 of 3 times (-0.5, -0.3, +0.2 %): mean -0.2 %.
    history = past("Toe_R", -1, faster=2, slower=1, effects=(-0.5, -0.3, 0.2))
    advice = advise(situation("push_entry", history=history))
    assert texts(advice) == ["Toe_R 3.0 → 2.5°", "DF 7000 → 6000 cSt", "SO_F 450 → 400 cSt"]
    assert advice.proposals[0].history == (
        "Worked here 2 of 3 times for this car, \u22120.20 % on average.")


def test_the_model_s_figures_count_and_direction_matters():
    history = {**past("DF", -1, faster=1, slower=2, effects=(-0.3, 0.4, 0.5),
                      whose="your other NB48 2.2s"),
               **past("SO_F", +1, faster=1, effects=(-0.4,))}  # SO_F up: not this rule's way
    advice = advise(situation("push_entry", history=history))
    # DF down was slower more often than faster: to the end, past the first three.
    assert texts(advice) == ["SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm", "Toe_R 3.0 → 2.5°"]
    assert all(p.history == "" for p in advice.proposals)
    even = past("DF", -1, faster=1, slower=1, effects=(-0.3, 0.3))
    assert texts(advise(situation("push_entry", history=even)))[0] == "DF 7000 → 6000 cSt"


# --- track context -----------------------------------------------------------------------

SO_UP = "SO_F 450 → 500 cSt + SO_R 400 → 450 cSt"
RH_UP = "RH_F 27.0 → 28.0 mm + RH_R 28.0 → 29.0 mm"


@pytest.mark.parametrize("fields, expected", [
    # Smooth, Medium traction: the table's order; each front/rear pair is one proposal.
    ({}, [SO_UP, RH_UP, "P_F 4x1.2 → 4x1.1"]),
    # Bumpy / Rutted: the softer ride-height pair moves first.
    ({"condition": "Bumpy"}, [RH_UP, SO_UP, "P_F 4x1.2 → 4x1.1"]),
    ({"condition": "Rutted"}, [RH_UP, SO_UP, "P_F 4x1.2 → 4x1.1"]),
    # High traction: stiffer first, so both smaller piston holes pass the ride height.
    ({"traction": "High"}, [SO_UP, "P_F 4x1.2 → 4x1.1", "P_R 4x1.7 → 4x1.6"]),
    # Both: the bumps win (the first preference in the rules).
    ({"condition": "Bumpy", "traction": "High"}, [RH_UP, SO_UP, "P_F 4x1.2 → 4x1.1"]),
])
def test_track_context_reorders_bottoming(fields, expected):
    assert texts(advise(situation("bottoming", event=event(**fields)))) == expected


def test_bumpy_puts_softer_first_keeping_their_order():
    # loose_exit: Toe_R (neither), DC -1000 (softer), SB_R -0.2 (softer).
    advice = advise(situation("loose_exit", event=event(condition="Bumpy")))
    assert texts(advice) == ["DC 7000 → 6000 cSt", "SB_R 2.5 → 2.3 mm", "Toe_R 3.0 → 3.5°"]


def test_history_has_the_last_word_over_the_track():
    # Bumpy puts RH first, but raising the ride height failed here before: the pair is last.
    advice = advise(situation("bottoming", event=event(condition="Bumpy"),
                              history=past("RH_F", +1, slower=1, effects=(0.4,))))
    assert texts(advice) == [SO_UP, "P_F 4x1.2 → 4x1.1", "P_R 4x1.7 → 4x1.6"]
    assert the_guard(advice, "history").message == (
        "This car at this track and condition: Front ride height +1.0 mm + Rear ride height "
        "+1.0 mm: Slower here 1 of 1 times for this car, +0.40 % on average: tried last.")


# --- everything at once: guards in TUNING §3 order -----------------------------------------

def test_all_ten_guards_come_in_the_order_of_tuning():
    # Traction roll (a safety symptom) after a run rated 2 of 5, in a Main: five runs of five
    # 63.0 laps on Dry (5 of 6: a warning; top-5 63.0 is 3.0 s off this car's 60.0 here).
    runs = [run(i, 4 if i < 5 else 2, ("63.0",) * 5) for i in range(1, 6)]
    changes = [change("SB_R", "2.3", "2.5", run_after=None)]  # untested (insisted); SB up again
    worked = past("C_F", -1, faster=1, effects=(-0.3,))  # camber down worked here
    advice = advise(situation(
        "traction_roll", {"C_R": "-6.0"}, event=event(type="Main"), runs=runs,
        changes=changes, insist=True, own_best_at_track=60.0, temperature_now=31,
        history=worked))
    assert guard_keys(advice) == ["confidence", "tyres", "untested", "main", "repeats",
                                  "history", "driving", "temperature", "bounds", "pairs"]
    assert not advice.blocked
    # SB pair +0.2 repeats SB_R going up; C_F -0.5 worked here (first); RH pair -0.5;
    # C_R -6.0 - 0.5 is under the -6 minimum; the temperature's +50 (one step before a main)
    # is the third proposal, a pair.
    assert texts(advice) == ["C_F -2.0 → -2.5°", "RH_F 27.0 → 26.5 mm + RH_R 28.0 → 27.5 mm",
                             "SO_F 450 → 500 cSt + SO_R 400 → 450 cSt"]
    assert advice.notes == []  # the compound is not quick: held back before a main


def test_both_blocking_guards_are_shown():
    changes = [change("DF", "7000", "6000", run_after=None)]
    advice = advise(situation("push_entry", {"DF": 6000}, runs=[run(1, 1)], changes=changes))
    assert guard_keys(advice) == ["confidence", "untested"]
    assert all(g.blocks for g in advice.guards)
