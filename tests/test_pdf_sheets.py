"""Reading fillable setup-sheet PDFs; the PDFs are built here with pypdf (no binary fixtures)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apex.catalogue import PRESETS
from apex.pdf_sheets import (
    ASSOCIATED,
    MAX_BYTES,
    NO_FIELDS,
    TEKNO,
    SheetError,
    detect_brand,
    parse_date,
    read_setup_sheet,
)
from tests.pdf_helpers import sheet

NB48 = PRESETS["Tekno NB48 2.2"]


TEKNO_SHEET = {
    "Track": "Mac's Track", "Name": "Sam Ortiz", "Date": "2025-10-18", "Event": "Winter Series R2",
    "Ambient Temp": "18", "Traction": "High", "Surface": "Dry", "Condition": "Bumpy",
    "FDO": "7k", "CDO": "7,000 cSt", "RDO": "5000", "FSO": "450 cst", "RSO": "400",
    "FSPRING": "Green", "RSPRING": "Yellow", "FB": "2.3mm", "RSB": "2.5", "FP": "1.2x4",
    "RP": "4x1.7", "FT": "-1°", "RT": "3", "FRH": "27", "RRH": "28 mm", "FC": "-2", "RC": "-3",
    "FUTL": "105", "RUTL": "122", "TBT": "Kosmos", "TC": "Green", "EngineP": "REDS 2143",
    "DriveC": "4-shoe medium", "Glow Plug": "OS P3", "Notes2": "",
}
ASSOCIATED_SHEET = {
    "Track": "Thunder Alley", "Date": "11/16/2025", "Traction": "Medium traction",
    "Condition": "Bumpy",
    "Diff Fluid Front": "7000", "Diff Fluid Center": "10k", "Diff Fluid Rear": "5k",
    "Front Fluid": "450", "Rear Fluid": "35wt", "Front Spring": "Gold", "Rear Spring": "",
    "Front Anti-Roll Bar Size": "2.3", "Rear Anti-Roll Bar Size": "5.0",
    "Front Piston": "1.3x6", "Rear Piston": "6x1.4", "Front Toe": "-1", "Front Ride Height": "27",
    "Rear Ride Height": "28.3", "Rear Camber": "-3°", "Front Tires": "AKA Impact",
    "Bell": "13T", "Spur Gear": "48", "Muffler": "REDS 2143", "Shock Cap": "bleeder",
}


def test_tekno_sheet_maps_every_known_field():
    result = read_setup_sheet(sheet(TEKNO_SHEET))
    assert result.brand == "Tekno"
    assert result.problems == {}
    assert result.values == {key: NB48[key] for key in TEKNO.values()}
    electric = {k for k, v in NB48.items() if v is None}  # not on a nitro sheet
    assert set(result.values) == set(NB48) - {"Venturi", "Bell", "Spur"} - electric
    assert result.fields == {
        "brand": "Tekno", "track": "Mac's Track", "driver_name": "Sam Ortiz",
        "date": date(2025, 10, 18), "condition": "High Traction, Dry, Bumpy",
        "notes": "Event: Winter Series R2; Ambient Temp: 18",
    }
    assert result.unmapped == {"Glow Plug": "OS P3"}  # "Notes2" is empty: not listed
    assert result.raw["SO_F"] == "450 cst" and result.raw["P_F"] == "1.2x4"


def test_associated_sheet_keeps_bad_values_as_problems_with_their_text():
    result = read_setup_sheet(sheet(ASSOCIATED_SHEET))
    assert result.brand == "Team Associated"
    assert result.values == {
        "DF": 7000, "DC": 10000, "DR": 5000, "SO_F": 450, "SP_F": "Gold",
        "SB_F": Decimal("2.3"), "P_F": "6x1.3", "P_R": "6x1.4", "Toe_F": Decimal("-1.0"),
        "RH_F": Decimal("27.0"), "C_R": Decimal("-3.0"), "Tread": "AKA Impact", "Bell": 13,
        "Spur": 48, "Pipe": "REDS 2143",
    }
    assert result.problems == {
        "SO_R": "'35wt': Enter a whole number.",
        "SB_R": "'5.0': Must be between 0.0 and 4.0 mm.",
        "RH_R": "'28.3': Must be in steps of 0.5 mm: try 28.0 or 28.5.",
        "date": "'11/16/2025' is not a date APEX can read: write it as YYYY-MM-DD",
    }
    assert result.raw_problems == {
        "SO_R": "35wt", "SB_R": "5.0", "RH_R": "28.3", "date": "11/16/2025"}
    assert result.raw["SO_F"] == "450" and result.raw["Bell"] == "13T"
    assert result.fields == {"brand": "Associated", "track": "Thunder Alley",
                             "condition": "Medium traction, Bumpy"}
    assert result.unmapped == {"Shock Cap": "bleeder"}
    assert set(ASSOCIATED.values()) >= set(result.values) | {"SO_R", "SB_R", "RH_R"}


def test_a_number_too_big_for_decimal_is_a_problem_not_a_crash():
    result = read_setup_sheet(sheet({"FDO": "1e999999999k", "CDO": "7k", "RDO": "5k"}))
    assert result.problems == {"DF": "'1e999999999k': Enter a whole number."}
    assert result.values == {"DC": 7000, "DR": 5000}


def test_password_without_user_password_still_reads():
    result = read_setup_sheet(sheet(TEKNO_SHEET, encrypt=("", "owner-secret")))
    assert result.brand == "Tekno" and result.values["DF"] == 7000


def test_password_protected_pdf_is_refused():
    with pytest.raises(SheetError, match="password-protected"):
        read_setup_sheet(sheet(TEKNO_SHEET, encrypt=("secret", "owner-secret")))


def test_pdf_without_form_fields():
    with pytest.raises(SheetError) as err:
        read_setup_sheet(sheet({}))
    assert err.value.message == NO_FIELDS
    assert "Mugen and Xray" in str(err.value)


def test_unknown_brand():
    with pytest.raises(SheetError, match=r"not a sheet APEX knows \(Tekno, Team Associated\)"):
        read_setup_sheet(sheet({"Track": "Mac's", "Text1": "7000", "FDO": "7k", "FT": "1"}))


def test_text_file_renamed_pdf_is_refused():
    with pytest.raises(SheetError, match="not a PDF"):
        read_setup_sheet(b"track,brand,vehicle\nMac's,Tekno,NB48\n")
    with pytest.raises(SheetError, match="not a PDF"):
        read_setup_sheet(b"")


def test_file_over_5_mb_is_refused_before_reading():
    big = b"%PDF-1.7\n" + b"0" * MAX_BYTES
    with pytest.raises(SheetError, match="at most 5 MB"):
        read_setup_sheet(big)
    assert len(sheet(TEKNO_SHEET)) < 20_000  # the generated fixtures stay small


def test_damaged_pdf_is_refused_with_a_clear_message():
    with pytest.raises(SheetError, match="cannot be read"):
        read_setup_sheet(b"%PDF-1.4\n1 0 obj << /Type /Catalog\n")
    good = sheet(TEKNO_SHEET)
    with pytest.raises(SheetError, match="cannot be read"):
        read_setup_sheet(good[: len(good) // 3])


def test_detect_brand_by_qualified_names_ignoring_case_and_spaces():
    assert detect_brand(["form1.FDO", "form1.CDO", "form1.RDO"]) == "Tekno"
    assert detect_brand(["front  fluid", "REAR FLUID", "Bell", "FC"]) == "Team Associated"
    with pytest.raises(SheetError):
        detect_brand(["FDO", "CDO"])


def test_parse_date():
    assert parse_date("2025-11-02") == date(2025, 11, 2)
    assert parse_date("2025/11/2") == date(2025, 11, 2)
    assert parse_date("2 Nov 2025") == date(2025, 11, 2)
    assert parse_date("November 2, 2025") == date(2025, 11, 2)
    assert parse_date("02/11/2025") is None
    assert parse_date("2025-02-30") is None


def test_associated_electric_sheet_fills_the_electric_power_fields():
    fields = {"Diff Fluid Front": "7000", "Front Fluid": "450", "Spur Gear": "48",
              "Pinion": "16T", "Motor": "2050kV 4-pole", "Timing": "10°", "Battery": "4S 6500"}
    result = read_setup_sheet(sheet(fields))
    assert result.brand == "Team Associated"
    assert {k: result.values[k] for k in ("Pinion", "Motor", "Timing", "Battery")} == {
        "Pinion": 16, "Motor": "2050kV 4-pole", "Timing": 10, "Battery": "4S 6500"}


def test_a_sheet_value_in_another_parameters_unit_says_so_quoting_it():
    result = read_setup_sheet(sheet({**TEKNO_SHEET, "FSO": "450 mm", "FDO": "7000cst"}))
    assert result.problems == {
        "SO_F": "'450 mm': mm is not a unit of front shock oil: write it in cSt"}
    assert result.values["DF"] == 7000
