"""Comparing two setups package by package (no Flask, no store): expected values by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apex.catalogue import ELECTRIC, GROUPS, PARAM_KEYS, PARAMS, PRESETS, empty_setup, params_in
from apex.compare import MINUS, Change, compare_setups, delta_text, package_changes

NB48 = PRESETS["Tekno NB48 2.2"]
NT48 = PRESETS["Tekno NT48 2.2"]


def by_key(comparison):
    return {p.key: p for package in comparison.packages for row in package.rows
            for p in row.params}


def test_nb48_against_nt48_counts_per_package_and_overall():
    c = compare_setups(NB48, NT48)
    assert [p.group for p in c.packages] == list(GROUPS)
    # The electric fields are blank on both nitro presets: "not set", neither a match nor
    # counted, so the count is over the parameters set on both sides.
    unset = sum(p.power == ELECTRIC for p in PARAMS)
    power = (2, len(params_in("Power")) - unset)
    assert [(p.matches, p.total) for p in c.packages] == [(0, 3), (0, 8), (4, 8), (1, 2), power]
    assert (c.matches, c.total) == (7, len(PARAMS) - unset)
    assert c.summary == f"7 of {len(PARAMS) - unset} set on both match"
    assert c.packages[2].summary == "4 of 8 set on both match"


def test_nb48_against_nt48_which_keys_differ_and_the_deltas():
    cells = by_key(compare_setups(NB48, NT48))
    assert list(cells) == [  # sheet order: front beside rear
        "DF", "DC", "DR", "SO_F", "SO_R", "SP_F", "SP_R", "SB_F", "SB_R", "P_F", "P_R",
        "Toe_F", "Toe_R", "RH_F", "RH_R", "C_F", "C_R", "ST_F", "ST_R",
        "Tread", "Compound", *(p.key for p in params_in("Power"))]
    same = {k for k, p in cells.items() if p.match}
    unset = {p.key for p in PARAMS if p.power == ELECTRIC}  # on neither nitro preset
    assert same == {"Toe_F", "Toe_R", "C_F", "C_R", "Compound", "Pipe", "Bell"}
    assert {k for k, p in cells.items() if p.unset} == unset
    changes = {k: p.change_text for k, p in cells.items() if p.change_text}
    assert changes == {  # labels, not codes
        "DF": "Front diff oil +3000 cSt", "DC": "Centre diff oil +3000 cSt",
        "DR": "Rear diff oil +2000 cSt",
        "SO_F": "Front shock oil +150 cSt", "SO_R": "Rear shock oil +100 cSt",
        "SB_F": "Front sway bar +0.2 mm", "SB_R": "Rear sway bar +0.3 mm",
        "RH_F": "Front ride height +6.0 mm", "RH_R": "Rear ride height +7.0 mm",
        "ST_F": "Front shock length +10.0 mm", "ST_R": "Rear shock length +13.0 mm",
        "Venturi": "Venturi +1.0 mm", "Spur": "Spur gear +2 T",
    }
    # text differs without a delta
    assert not cells["SP_F"].match and cells["SP_F"].delta is None
    assert cells["SP_F"].delta_text == ""
    assert cells["DF"].delta == 3000 and isinstance(cells["DF"].delta, int)
    assert cells["SB_R"].delta == Decimal("0.3")
    assert (cells["DF"].left_text, cells["DF"].right_text) == ("7000 cSt", "10000 cSt")
    assert cells["Toe_F"].left_text == "-1.0°"


def test_rows_keep_front_and_rear_side_by_side():
    suspension = compare_setups(NB48, NT48).packages[1]
    assert [r.label for r in suspension.rows] == ["Shock oil", "Spring", "Sway bar", "Piston"]
    row = suspension.rows[0]
    assert (row.front.key, row.rear.key, row.single) == ("SO_F", "SO_R", None)
    assert (row.front.left, row.front.right) == (450, 600)
    power = compare_setups(NB48, NT48).packages[4]
    assert [r.single.key for r in power.rows] == [p.key for p in params_in("Power")]


def test_a_decrease_uses_the_real_minus_sign():
    right = {**NB48, "Toe_F": Decimal("-1.5"), "SO_F": 400, "DR": 4500}
    cells = by_key(compare_setups(NB48, right))
    assert cells["Toe_F"].change_text == "Front toe \u22120.5°"
    assert cells["SO_F"].delta_text == f"{MINUS}50 cSt"
    assert cells["DR"].delta_text == "\u2212500 cSt"
    assert cells["Toe_F"].delta == Decimal("-0.5")
    assert "-" not in cells["Toe_F"].delta_text


def test_values_compare_as_typed_and_unset_on_both_is_not_set_not_a_match():
    left = {**empty_setup(), "SB_F": Decimal("2.30"), "DF": 7000, "SP_F": "Green"}
    right = {**empty_setup(), "SB_F": "2.3", "DF": Decimal("7000"), "SP_F": " green "}
    c = compare_setups(left, right)
    assert (c.matches, c.total) == (3, 3)
    assert c.summary == "3 of 3 set on both match"
    assert c.differences == []  # blank on both is no difference either (drift lists none)


def test_set_against_unset_differs_without_a_delta_and_missing_keys_are_unset():
    cells = by_key(compare_setups({"DF": 7000}, {}))
    assert not cells["DF"].match and not cells["DF"].unset
    assert cells["DF"].delta is None and cells["DF"].delta_text == ""
    assert not cells["DC"].match and cells["DC"].unset  # blank on both: "not set"
    c = compare_setups({"DF": 7000}, {})
    assert [p.key for p in c.differences] == ["DF"]
    assert (c.matches, c.total) == (0, 0)  # DF is set on one side only
    assert compare_setups({}, {}).summary == "nothing set on both"


def test_package_changes_only_the_keys_of_that_package_that_differ():
    changes = package_changes(NB48, NT48, "Power")
    assert changes == [
        Change("Venturi", Decimal("7.0"), Decimal("8.0")),
        Change("Clutch", "4-shoe medium", "4-shoe heavy"),
        Change("Spur", 48, 50),
    ]
    assert [c.delta_text for c in changes] == ["+1.0 mm", "", "+2 T"]
    assert package_changes(NB48, NT48, "Tires") == [Change("Tread", "Kosmos", "Relapse")]
    assert [c.key for c in package_changes(NB48, NT48, "Geometry")] == [
        "RH_F", "ST_F", "RH_R", "ST_R"]  # catalogue order
    assert package_changes(NB48, dict(NB48), "Diffs") == []


def test_package_changes_copies_an_unset_value_as_a_clear():
    electric = {**NB48, "Venturi": None, "Pipe": None}
    assert package_changes(NB48, electric, "Power") == [
        Change("Venturi", Decimal("7.0"), None), Change("Pipe", "REDS 2143", None)]
    applied = {**NB48, **{c.key: c.after for c in package_changes(NB48, NT48, "Suspension")}}
    assert package_changes(applied, NT48, "Suspension") == []
    assert compare_setups(applied, NT48).packages[1].summary == "8 of 8 set on both match"


def test_package_changes_refuses_an_unknown_package():
    with pytest.raises(ValueError, match="not a package"):
        package_changes(NB48, NT48, "Engine")


def test_delta_text_helper():
    assert delta_text("Toe_R", "3.0", "2.5") == f"{MINUS}0.5°"
    assert delta_text("Bell", 13, 14) == "+1 T"
    assert delta_text("Bell", 13, 13) == ""
    assert delta_text("Pipe", "a", "b") == ""
    assert delta_text("DF", None, 7000) == ""
    assert set(PARAM_KEYS) == set(by_key(compare_setups(NB48, NT48)))
