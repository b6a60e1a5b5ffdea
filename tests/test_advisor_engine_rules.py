"""The Setup Advisor's rules file, and each symptom's proposals and notes.

No Flask, no store: every expected value by hand, on the NB48 preset and the Practice
described in tests/advisor_engine_helpers.py.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from apex.advisor import RULES, Proposal, RulesError, advise, load_rules
from apex.advisor.rules import RULES_FILE, parse_rules
from apex.catalogue import QUICK_KEYS
from apex.compare import MINUS
from apex.symptoms import SYMPTOMS
from tests.advisor_engine_helpers import situation, texts

# --- the rules file -----------------------------------------------------------------------

def test_the_shipped_rules_file_is_valid_and_every_symptom_has_rules():
    rules = load_rules()
    assert set(rules.symptoms) == {s.key for s in SYMPTOMS}
    for key, symptom in rules.symptoms.items():
        assert symptom.candidates or symptom.advice, key
    assert rules == RULES


def test_the_rules_hold_the_guards_numbers():
    assert RULES.max_proposals == 3
    assert RULES.confidence_below == 3
    assert RULES.tyre_warning_share == Decimal("0.75")
    # TUNING §2: Loam, Wet, Muddy 10; Dry, Hard-packed, Dusty 6; Clay, Astroturf, Carpet 3.
    assert RULES.tyre_wear_limit == {"Loam": 10, "Wet": 10, "Muddy": 10, "Dry": 6,
                                     "Hard-packed": 6, "Dusty": 6, "Clay": 3, "Astroturf": 3,
                                     "Carpet": 3}
    assert RULES.safety_symptoms == ("traction_roll", "lands_rear")
    assert RULES.pairs == (("SO_F", "SO_R"), ("RH_F", "RH_R"), ("SB_F", "SB_R"))
    assert RULES.main_steps_from_start == 2
    assert RULES.quick_params == QUICK_KEYS  # marked in the catalogue, not in rules.toml
    assert RULES.driving_gap == Decimal("2.0")
    assert (RULES.temperature_per_degrees, RULES.temperature_shock_oil) == (10, 50)


def test_a_pair_is_one_candidate_and_other_lists_are_one_each():
    bottoming = RULES.symptoms["bottoming"].candidates
    assert [(c.params, c.change) for c in bottoming[:2]] == [
        (("SO_F", "SO_R"), 50), (("RH_F", "RH_R"), 1)]
    # Pistons and diffs are no pair in the rules (§3.10 names SO, RH and SB): one each.
    assert [c.params for c in bottoming[2:]] == [("P_F",), ("P_R",)]
    assert [c.kind for c in bottoming[2:]] == ["piston", "piston"]
    bumps = [c.param for c in RULES.symptoms["bumps"].candidates]
    assert bumps[-3:] == ["DF", "DC", "DR"]


def test_driving_advice_is_marked_and_names_no_parameter():
    for key in ("nose_dive", "lands_rear", "nervous"):
        first = RULES.symptoms[key].advice[0]
        assert first.driving and first.params == (), key


def shipped() -> dict:
    return tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["symptoms"]["push_entry"][0].update(param="DFF"), "unknown parameter 'DFF'"),
    (lambda d: d["symptoms"].update(push_early=d["symptoms"]["push_entry"]), "unknown symptom"),
    (lambda d: d["symptoms"]["push_entry"][0].update(change=-750), "not on DF's step"),
    (lambda d: d["symptoms"]["push_entry"][1].update(chnage=5), "unknown field(s) chnage"),
    (lambda d: d["symptoms"]["push_entry"][1].update(feel="soft"), "symptoms.push_entry #2.feel"),
    (lambda d: d["symptoms"]["push_entry"][1].update(speed="fast"), "speed"),
    (lambda d: d["symptoms"]["push_entry"][0].update(param="SP_F"), "'SP_F' is not a number"),
    (lambda d: d["symptoms"]["push_entry"][0].update(change=0), "a change of 0"),
    (lambda d: d["tyre_wear_limit"].update(Icy=2), "unknown surface 'Icy'"),
    (lambda d: d["guards"].update(quick_params=["SO_F"]), "guards.quick_params: quick "
                                                           "trackside parameters are marked in"),
    (lambda d: d["prefer"][0].update(**{"is": ["Bumpy", "Lumpy"]}), "prefer #1.is"),
    (lambda d: d["guards"].pop("confidence_below"), "missing 'confidence_below'"),
    (lambda d: d["guards"].update(safety_symptoms=["wobble"]), "guards.safety_symptoms"),
    (lambda d: d["pairs"].update(together=["SO_F/SO_R/DF"]), "pairs.together: 'SO_F/SO_R/DF'"),
    (lambda d: d["symptoms"]["nervous"][0].update(param="SB_R"), "a driving line names no"),
])
def test_a_bad_rules_file_says_where(edit, message):
    data = shipped()
    edit(data)
    with pytest.raises(RulesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rules(data)


def test_a_rules_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[guards\n", encoding="utf-8")
    with pytest.raises(RulesError, match="rules.toml: not valid TOML"):
        load_rules(path)


def test_an_unknown_symptom_is_refused():
    with pytest.raises(ValueError, match="no advisor rules for symptom 'wobble'"):
        advise(situation("wobble"))


# --- every symptom on the NB48 --------------------------------------------------------------

@pytest.mark.parametrize("symptom, expected", [
    # DF 7000 - 1000 = 6000; SO_F 450 - 50 = 400; SB_F 2.3 - 0.2 = 2.1 (Toe_R is 4th).
    ("push_entry", ["DF 7000 → 6000 cSt", "SO_F 450 → 400 cSt", "SB_F 2.3 → 2.1 mm"]),
    # DR 5000 + 1000; SO_F 450 + 50; Toe_R 3.0 + 0.5.
    ("loose_entry", ["DR 5000 → 6000 cSt", "SO_F 450 → 500 cSt", "Toe_R 3.0 → 3.5°"]),
    # SB_R 2.5 + 0.2; SB_F 2.3 - 0.2 (the spring is advice only).
    ("push_mid", ["SB_R 2.5 → 2.7 mm", "SB_F 2.3 → 2.1 mm"]),
    # DF 7000 + 1000; DC 7000 + 1000; SB_R 2.5 + 0.2.
    ("push_exit", ["DF 7000 → 8000 cSt", "DC 7000 → 8000 cSt", "SB_R 2.5 → 2.7 mm"]),
    # Toe_R 3.0 + 0.5; DC 7000 - 1000; SB_R 2.5 - 0.2.
    ("loose_exit", ["Toe_R 3.0 → 3.5°", "DC 7000 → 6000 cSt", "SB_R 2.5 → 2.3 mm"]),
    # SO pair + 50 and RH pair + 1.0 (each one proposal); P_F 4 holes of 1.2 - 0.1 mm.
    ("bottoming", ["SO_F 450 → 500 cSt + SO_R 400 → 450 cSt",
                   "RH_F 27.0 → 28.0 mm + RH_R 28.0 → 29.0 mm", "P_F 4x1.2 → 4x1.1"]),
    # SO pair - 50; RH pair + 0.5; SB pair - 0.2.
    ("bumps", ["SO_F 450 → 400 cSt + SO_R 400 → 350 cSt",
               "RH_F 27.0 → 27.5 mm + RH_R 28.0 → 28.5 mm",
               "SB_F 2.3 → 2.1 mm + SB_R 2.5 → 2.3 mm"]),
    # SO_R 400 - 25; P_R 4 holes of 1.7 + 0.1 mm; ST_R 122.0 + 1.0.
    ("ruts", ["SO_R 400 → 375 cSt", "P_R 4x1.7 → 4x1.8", "ST_R 122.0 → 123.0 mm"]),
    # SB pair + 0.2; RH pair - 0.5; C_F -2.0 - 0.5.
    ("traction_roll", ["SB_F 2.3 → 2.5 mm + SB_R 2.5 → 2.7 mm",
                       "RH_F 27.0 → 26.5 mm + RH_R 28.0 → 27.5 mm", "C_F -2.0 → -2.5°"]),
    # SB pair + 0.2 (springs are advice only).
    ("lazy", ["SB_F 2.3 → 2.5 mm + SB_R 2.5 → 2.7 mm"]),
    # Driving first (a note); SO_F 450 + 50; DC 7000 + 1000 (the spring is advice).
    ("nose_dive", ["SO_F 450 → 500 cSt", "DC 7000 → 8000 cSt"]),
    # Driving first; SO_R 400 + 50; DC 7000 - 1000.
    ("lands_rear", ["SO_R 400 → 450 cSt", "DC 7000 → 6000 cSt"]),
    # Driving first; Toe_R 3.0 + 0.5; SB_R 2.5 - 0.2; DC 7000 + 1000.
    ("nervous", ["Toe_R 3.0 → 3.5°", "SB_R 2.5 → 2.3 mm", "DC 7000 → 8000 cSt"]),
    # Compound softer (advice); SO pair - 50; RH pair + 0.5.
    ("low_grip", ["SO_F 450 → 400 cSt + SO_R 400 → 350 cSt",
                  "RH_F 27.0 → 27.5 mm + RH_R 28.0 → 28.5 mm"]),
    # C_F -2.0 - 0.5; C_R -3.0 - 0.5 (camber is no pair in the rules; tyres are advice).
    ("fade", ["C_F -2.0 → -2.5°", "C_R -3.0 → -3.5°"]),
    ("engine_rich", []),
    ("engine_lean", []),
])
def test_each_symptom_on_the_nb48(symptom, expected):
    advice = advise(situation(symptom))
    assert texts(advice) == expected
    assert [g.key for g in advice.guards] == (
        ["pairs"] if any(" + " in t for t in expected) else [])


def test_proposals_carry_why_speed_and_feel():
    first = advise(situation("push_entry")).proposals[0]
    assert (first.param, first.current, first.proposed) == ("DF", 7000, 6000)
    assert first.text == "DF 7000 → 6000 cSt"
    assert first.delta == f"{MINUS}1000 cSt"
    assert (first.speed, first.feel, first.history) == ("slow", "softer", "")
    assert first.why == "A thinner front diff lets the front bite at turn-in."
    assert first.label == "Front diff oil"


def test_advice_only_lines_become_notes():
    assert advise(situation("push_entry")).notes == [
        "Front spring one step softer. A softer front spring lets the front bite at "
        "turn-in."]
    assert advise(situation("engine_rich")).notes == [
        "Low-speed needle (LSN) 1/8 turn leaner. A rich engine bogs, smokes and runs cool; "
        "needles are set by hand, not in the setup."]
    assert advise(situation("engine_lean")).notes[0].startswith(
        "High-speed needle (HSN) 1/8 turn richer.")
    assert advise(situation("fade")).notes[0].startswith("Check how many runs the tyres")


def test_proposal_text_for_a_piston_has_no_delta():
    p = Proposal("P_F", "4x1.2", "4x1.1", "why", "medium", "stiffer")
    assert (p.text, p.delta) == ("P_F 4x1.2 → 4x1.1", "")
