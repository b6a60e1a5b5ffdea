"""Parameter cells as racers typed them in old files (and library CSV uploads): units,
"N/A", pistons written either way round. Each shape by hand, no store."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from apex.catalogue import BY_KEY, PRESETS
from apex.models import User
from apex.transfer import RowError
from apex.transfer.folder import read_folder
from apex.transfer.values import Cell, legacy_param, normalise_piston, read_param

UNITS = Path(__file__).parent / "fixtures" / "legacy_units"
OWNER = User(str(uuid.uuid4()), "alice", "alice@example.com", "hash", False, str(uuid.uuid4()))


@pytest.mark.parametrize(("key", "text", "expected"), [
    ("DF", "7000cst", 7000), ("SO_F", "450 cSt", 450), ("DC", "7k cSt", 7000),
    ("DR", "5,000 CST", 5000), ("DF", "7kcst", 7000), ("SO_R", " 400 cst ", 400),
    ("Toe_F", "-2°", Decimal("-2.0")), ("C_R", "-2.5 deg", Decimal("-2.5")),
    ("Toe_R", "3 degrees", Decimal("3.0")), ("Timing", "10°", 10),
    ("SB_F", "3.5mm", Decimal("3.5")), ("RH_F", "27.5 mm", Decimal("27.5")),
    ("Venturi", "7.0MM", Decimal("7.0")), ("Bell", "13T", 13), ("Spur", "48 t", 48),
    ("DF", "7000", 7000), ("DF", "7k", 7000), ("Toe_F", "-1.0", Decimal("-1.0")),
])
def test_a_value_with_the_parameters_unit_is_read_as_its_number(key, text, expected):
    value = legacy_param(key, text)
    assert value == expected and type(value) is type(expected)
    assert read_param(key, text) == Cell(expected, "")


@pytest.mark.parametrize(("key", "text", "unit"), [
    ("DF", "7000mm", "mm"), ("SO_F", "450°", "°"), ("Toe_F", "-2 mm", "mm"),
    ("RH_F", "27 deg", "deg"), ("Bell", "13 cSt", "cSt"), ("SB_F", "2.5T", "T"),
])
def test_a_unit_that_does_not_fit_the_parameter_is_an_error_quoting_the_value(key, text, unit):
    with pytest.raises(ValueError) as err:
        legacy_param(key, text)
    param = BY_KEY[key]
    assert str(err.value) == (f"{text!r}: {unit} is not a unit of {param.label.lower()}: "
                              f"write it in {param.unit}")


@pytest.mark.parametrize(("key", "text", "reason"), [
    ("DF", "7q", "'7q': Enter a whole number."),
    ("DF", "99999999 cSt", "'99999999 cSt': Must be between 1000 and 100000 cSt."),
    ("SB_F", "9mm", "'9mm': Must be between 0.0 and 4.0 mm."),
    ("Toe_F", "-1.2°", "'-1.2°': Must be in steps of 0.5°: try -1.5 or -1.0."),
    ("SO_F", "thick", "'thick': Enter a whole number."),
])
def test_the_error_for_a_bad_value_quotes_the_value(key, text, reason):
    with pytest.raises(ValueError) as err:
        legacy_param(key, text)
    assert str(err.value) == reason


@pytest.mark.parametrize("text", ["N/A", "n/a", "-", " N/A "])
@pytest.mark.parametrize("key", ["DF", "SB_R", "Toe_F", "Bell"])
def test_not_applicable_in_a_number_column_is_blank_with_a_warning(key, text):
    cell = read_param(key, text)
    assert cell == Cell(None, f"{text.strip()!r} read as not set")
    assert legacy_param(key, text) is None
    assert read_param(key, "") == Cell(None, "")  # an empty cell is no news


@pytest.mark.parametrize(("text", "expected"), [
    ("1.2x4.0", "4x1.2"), ("4.0x1.2", "4x1.2"), ("1,2x6", "6x1.2"), ("6x1,2", "6x1.2"),
    ("1.2x4", "4x1.2"), ("1.3x8", "8x1.3"), ("6x1.3", "6x1.3"), ("1.2X4", "4x1.2"),
    ("1.2 × 4", "4x1.2"), ("4x1.2", "4x1.2"), ("8 x 1.30", "8x1.3"),
    ("1.0x4", "4x1.0"), ("6x1", "6x1"), ("4.0x1.0", "4.0x1.0"), ("1.2x1.3", "1.2x1.3"),
    ("6x1.3x2", "6x1.3x2"), ("Emulsion", "Emulsion"),
])
def test_pistons_read_holes_x_diameter_whichever_way_written(text, expected):
    assert normalise_piston(text) == expected
    assert legacy_param("P_F", text) == expected


def test_a_hand_written_export_reads_units_blanks_and_pistons_with_a_warning_per_cell():
    warnings: list[RowError] = []
    rows = read_folder(UNITS, OWNER, warnings)
    nb48, nt48 = ({k: v for k, v in c.items() if k in BY_KEY} for c in rows["car_configs"])
    assert nb48 == {**PRESETS["Tekno NB48 2.2"], "Clutch": "4-Shoe Med"}
    assert (nt48["SB_F"], nt48["SO_R"], nt48["SB_R"], nt48["Bell"]) == (None, None, None, None)
    assert (nt48["P_F"], nt48["P_R"], nt48["SO_F"]) == ("8x1.3", "8x1.3", 600)
    assert [str(w) for w in warnings] == [
        "car_configs.csv, line 3: SB_F: 'N/A' read as not set",
        "car_configs.csv, line 3: SO_R: 'n/a' read as not set",
        "car_configs.csv, line 3: SB_R: '-' read as not set",
        "car_configs.csv, line 3: Bell: '-' read as not set",
    ]
