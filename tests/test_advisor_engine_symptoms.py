"""Every TUNING §4 symptom on the NT48 at Practice, and on the NB48 and NT48 at a Main;
the new symptoms' driving advice first; the safety exception to the confidence gate.

No Flask, no store. The NB48 at Practice is tests/test_advisor_engine_rules.py. Presets
(TUNING §1): NT48 DF 10000, DC 10000, DR 7000 cSt; SO_F 600, SO_R 500 cSt; SB_F 2.5,
SB_R 2.8 mm; P_F and P_R 8x1.3; Toe_R 3.0°; RH_F 33.0, RH_R 35.0 mm; C_F -2.0, C_R -3.0°;
ST_R 135.0 mm. A Main allows only the quick trackside parameters (shock oil, sway bars,
ride height, camber), one step each: diffs, toe, pistons and droop fall out, and advice
lines about springs and compounds are held back; driving advice never is.
"""

from __future__ import annotations

import pytest

from apex.advisor import advise
from tests.advisor_engine_helpers import event, guard_keys, run, situation, texts, the_guard
from tests.conftest import NB48, NT48

NT48_PRACTICE = {
    "push_entry": ["DF 10000 → 9000 cSt", "SO_F 600 → 550 cSt", "SB_F 2.5 → 2.3 mm"],
    "loose_entry": ["DR 7000 → 8000 cSt", "SO_F 600 → 650 cSt", "Toe_R 3.0 → 3.5°"],
    "push_mid": ["SB_R 2.8 → 3.0 mm", "SB_F 2.5 → 2.3 mm"],
    "push_exit": ["DF 10000 → 11000 cSt", "DC 10000 → 11000 cSt", "SB_R 2.8 → 3.0 mm"],
    "loose_exit": ["Toe_R 3.0 → 3.5°", "DC 10000 → 9000 cSt", "SB_R 2.8 → 2.6 mm"],
    "bottoming": [
        "SO_F 600 → 650 cSt + SO_R 500 → 550 cSt",
        "RH_F 33.0 → 34.0 mm + RH_R 35.0 → 36.0 mm",
        "P_F 8x1.3 → 8x1.2",
    ],
    "bumps": [
        "SO_F 600 → 550 cSt + SO_R 500 → 450 cSt",
        "RH_F 33.0 → 33.5 mm + RH_R 35.0 → 35.5 mm",
        "SB_F 2.5 → 2.3 mm + SB_R 2.8 → 2.6 mm",
    ],
    "ruts": ["SO_R 500 → 475 cSt", "P_R 8x1.3 → 8x1.4", "ST_R 135.0 → 136.0 mm"],
    "traction_roll": [
        "SB_F 2.5 → 2.7 mm + SB_R 2.8 → 3.0 mm",
        "RH_F 33.0 → 32.5 mm + RH_R 35.0 → 34.5 mm",
        "C_F -2.0 → -2.5°",
    ],
    "lazy": ["SB_F 2.5 → 2.7 mm + SB_R 2.8 → 3.0 mm"],
    "nose_dive": ["SO_F 600 → 650 cSt", "DC 10000 → 11000 cSt"],
    "lands_rear": ["SO_R 500 → 550 cSt", "DC 10000 → 9000 cSt"],
    "nervous": ["Toe_R 3.0 → 3.5°", "SB_R 2.8 → 2.6 mm", "DC 10000 → 11000 cSt"],
    "low_grip": [
        "SO_F 600 → 550 cSt + SO_R 500 → 450 cSt",
        "RH_F 33.0 → 33.5 mm + RH_R 35.0 → 35.5 mm",
    ],
    "fade": ["C_F -2.0 → -2.5°", "C_R -3.0 → -3.5°"],
    "engine_rich": [],
    "engine_lean": [],
}
NB48_MAIN = {
    "push_entry": ["SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm"],
    "loose_entry": ["SO_F 450 → 500 cSt"],
    "push_mid": ["SB_R 2.5 → 2.7 mm", "SB_F 2.3 → 2.1 mm"],
    "push_exit": ["SB_R 2.5 → 2.7 mm"],
    "loose_exit": ["SB_R 2.5 → 2.3 mm"],
    "bottoming": [
        "SO_F 450 → 500 cSt + SO_R 400 → 450 cSt",
        "RH_F 27.0 → 28.0 mm + RH_R 28.0 → 29.0 mm",
    ],
    "bumps": [
        "SO_F 450 → 400 cSt + SO_R 400 → 350 cSt",
        "RH_F 27.0 → 27.5 mm + RH_R 28.0 → 28.5 mm",
        "SB_F 2.3 → 2.1 mm + SB_R 2.5 → 2.3 mm",
    ],
    "ruts": ["SO_R 400 → 375 cSt"],
    "traction_roll": [
        "SB_F 2.3 → 2.5 mm + SB_R 2.5 → 2.7 mm",
        "RH_F 27.0 → 26.5 mm + RH_R 28.0 → 27.5 mm",
        "C_F -2.0 → -2.5°",
    ],
    "lazy": ["SB_F 2.3 → 2.5 mm + SB_R 2.5 → 2.7 mm"],
    "nose_dive": ["SO_F 450 → 500 cSt"],
    "lands_rear": ["SO_R 400 → 450 cSt"],
    "nervous": ["SB_R 2.5 → 2.3 mm"],
    "low_grip": [
        "SO_F 450 → 400 cSt + SO_R 400 → 350 cSt",
        "RH_F 27.0 → 27.5 mm + RH_R 28.0 → 28.5 mm",
    ],
    "fade": ["C_F -2.0 → -2.5°", "C_R -3.0 → -3.5°"],
    "engine_rich": [],
    "engine_lean": [],
}
NT48_MAIN = {
    "push_entry": ["SO_F 600 → 550 cSt", "SB_F 2.5 → 2.3 mm"],
    "loose_entry": ["SO_F 600 → 650 cSt"],
    "push_mid": ["SB_R 2.8 → 3.0 mm", "SB_F 2.5 → 2.3 mm"],
    "push_exit": ["SB_R 2.8 → 3.0 mm"],
    "loose_exit": ["SB_R 2.8 → 2.6 mm"],
    "bottoming": [
        "SO_F 600 → 650 cSt + SO_R 500 → 550 cSt",
        "RH_F 33.0 → 34.0 mm + RH_R 35.0 → 36.0 mm",
    ],
    "bumps": [
        "SO_F 600 → 550 cSt + SO_R 500 → 450 cSt",
        "RH_F 33.0 → 33.5 mm + RH_R 35.0 → 35.5 mm",
        "SB_F 2.5 → 2.3 mm + SB_R 2.8 → 2.6 mm",
    ],
    "ruts": ["SO_R 500 → 475 cSt"],
    "traction_roll": [
        "SB_F 2.5 → 2.7 mm + SB_R 2.8 → 3.0 mm",
        "RH_F 33.0 → 32.5 mm + RH_R 35.0 → 34.5 mm",
        "C_F -2.0 → -2.5°",
    ],
    "lazy": ["SB_F 2.5 → 2.7 mm + SB_R 2.8 → 3.0 mm"],
    "nose_dive": ["SO_F 600 → 650 cSt"],
    "lands_rear": ["SO_R 500 → 550 cSt"],
    "nervous": ["SB_R 2.8 → 2.6 mm"],
    "low_grip": [
        "SO_F 600 → 550 cSt + SO_R 500 → 450 cSt",
        "RH_F 33.0 → 33.5 mm + RH_R 35.0 → 35.5 mm",
    ],
    "fade": ["C_F -2.0 → -2.5°", "C_R -3.0 → -3.5°"],
    "engine_rich": [],
    "engine_lean": [],
}

@pytest.mark.parametrize("values, kind, table", [
    (NT48, "Practice", NT48_PRACTICE), (NB48, "Main", NB48_MAIN), (NT48, "Main", NT48_MAIN)])
def test_every_symptom(values, kind, table):
    for symptom, expected in table.items():
        advice = advise(situation(symptom, values, event=event(type=kind)))
        assert texts(advice) == expected, symptom
        assert not advice.blocked


DRIVING = {
    "nose_dive": "Stay on the throttle up the face and in the air: throttle lifts the nose. "
                 "Most nose-dives come from lifting off on the jump face.",
    "lands_rear": "Tap the brake in the air: braking drops the nose. Most back-flips come "
                  "from too much throttle off the face.",
    "nervous": "Drive a steadier line for a few laps: smooth inputs first, then judge the car. "
               "A steadier line wins more than a setup change on a car that feels nervous.",
}


@pytest.mark.parametrize("symptom", list(DRIVING))
@pytest.mark.parametrize("kind", ["Practice", "Main"])
def test_driving_advice_comes_first(symptom, kind):
    advice = advise(situation(symptom, event=event(type=kind)))
    assert advice.notes[0] == DRIVING[symptom]
    # ... before fresh tyres too, and it stays when the setup is held back (confidence 1;
    # landing on the rear is a safety symptom, answered anyway).
    worn = advise(situation(symptom, runs=[run(i) for i in range(1, 7)] + [run(7, 1)]))
    assert worn.blocked is (symptom != "lands_rear")
    assert worn.notes[:2] == [DRIVING[symptom], "Fit fresh tyres first"]


def test_low_grip_everywhere_advises_a_softer_compound():
    assert advise(situation("low_grip")).notes == [
        "Tyre compound one step softer. A softer compound grips more on a slick track."]
    assert advise(situation("low_grip", event=event(type="Main"))).notes == []


@pytest.mark.parametrize("symptom, label", [("traction_roll", "Traction roll"),
                                            ("lands_rear", "Lands rear")])
def test_safety_symptoms_are_answered_at_any_confidence(symptom, label):
    advice = advise(situation(symptom, runs=[run(1, 2)]))
    assert not advice.blocked and advice.proposals
    gate = the_guard(advice, "confidence")
    assert not gate.blocks
    assert gate.message == (f"Your confidence in Q1 was 2 of 5, but “{label}” makes the car "
                            "unsafe to drive: answered anyway (safety first).")


def test_other_symptoms_still_wait_for_confidence():
    for symptom in ("nose_dive", "nervous", "low_grip", "bottoming"):
        advice = advise(situation(symptom, runs=[run(1, 2)]))
        assert advice.blocked and advice.proposals == [], symptom
        assert guard_keys(advice) == ["confidence"]
