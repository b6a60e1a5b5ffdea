"""The parameter catalogue and the Shop Master schema built from it."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from marshmallow import ValidationError

from apex.catalogue import (
    BY_KEY,
    ELECTRIC,
    GROUPS,
    LABELS,
    NITRO,
    PARAM_KEYS,
    PARAMS,
    PISTON_KEYS,
    POWERS,
    PRESET_POWERS,
    PRESETS,
    QUICK_KEYS,
    TYRE_KEYS,
    coerce,
    for_power,
    packages,
    power_of,
    sheet_rows,
    with_unit,
)
from apex.schemas.setup import SetupSchema
from apex.tables import SETUP_TABLES, TABLES

LEGACY_KEYS = tuple(
    "DF DC DR SO_F SP_F SB_F P_F Toe_F RH_F C_F ST_F SO_R SP_R SB_R P_R Toe_R RH_R C_R "
    "ST_R Tread Compound Venturi Pipe Clutch Bell Spur".split())

APEX = Path(__file__).resolve().parent.parent / "apex"


def test_catalogue_starts_with_the_legacy_keys_in_legacy_order():
    """Old CSV files import as they are; later parameters come after them."""
    assert PARAM_KEYS[:len(LEGACY_KEYS)] == LEGACY_KEYS
    assert PARAM_KEYS[len(LEGACY_KEYS):][:4] == ("Pinion", "Motor", "Timing", "Battery")


def test_each_param_belongs_to_both_powers_or_one():
    only = {power: {p.key for p in PARAMS if p.power == power} for power in POWERS}
    assert only == {NITRO: {"Venturi", "Pipe", "Clutch", "Bell"},
                    ELECTRIC: {"Pinion", "Motor", "Timing", "Battery"}}
    assert BY_KEY["Spur"].fits(NITRO) and BY_KEY["Spur"].fits(ELECTRIC)


def test_for_power_empties_the_other_powers_fields():
    values = {**PRESETS["Tekno NB48 2.2"], "Pinion": 16}
    electric = for_power(values, ELECTRIC)
    assert electric["Venturi"] is None and electric["Bell"] is None
    assert electric["Pinion"] == 16 and electric["Spur"] == 48 and electric["DF"] == 7000
    assert for_power(values, NITRO)["Pinion"] is None
    assert set(electric) == set(PARAM_KEYS)


def test_presets_have_a_power_and_only_its_fields():
    assert PRESET_POWERS == {"Tekno NB48 2.2": NITRO, "Tekno NT48 2.2": NITRO,
                             "Tekno EB48 2.2": ELECTRIC}
    for name, values in PRESETS.items():
        assert values == for_power(values, PRESET_POWERS[name]), name
    assert PRESETS["Tekno EB48 2.2"]["Motor"] == "2050kV 4-pole"


def test_packages_of_a_power_hold_only_its_fields():
    def keys(power: str) -> set[str]:
        return {p.key for _, rows in packages(power) for row in rows for p in row.params}

    assert keys("") == set(PARAM_KEYS)
    assert keys(ELECTRIC) == {p.key for p in PARAMS if p.power != NITRO}
    assert "Venturi" in keys(NITRO) and "Pinion" not in keys(NITRO)


def test_a_baseline_without_a_car_shows_the_power_its_values_have():
    assert power_of(PRESETS["Tekno EB48 2.2"]) == ELECTRIC
    assert power_of(PRESETS["Tekno NB48 2.2"]) == NITRO
    assert power_of({"DF": 7000}) == ""
    assert power_of({"Venturi": "7.0", "Pinion": 16}) == ""


def test_every_group_is_a_package_and_sheet_rows_cover_every_param_once():
    assert {p.group for p in PARAMS} == set(GROUPS)
    seen = [p.key for g in GROUPS for row in sheet_rows(g) for p in row.params]
    assert sorted(seen) == sorted(PARAM_KEYS)


def test_front_and_rear_sit_side_by_side():
    rows = {row.label: row for row in sheet_rows("Suspension")}
    assert rows["Shock oil"].front.key == "SO_F" and rows["Shock oil"].rear.key == "SO_R"


def test_presets_are_within_bounds_and_on_step():
    for name, values in PRESETS.items():
        form = {k: "" if v is None else str(v) for k, v in values.items()}
        assert SetupSchema().load(form) == values, name


def test_setup_tables_carry_every_param_as_a_column():
    assert SETUP_TABLES == ("car_configs", "master_library", "event_setups")
    for table in SETUP_TABLES:
        assert set(PARAM_KEYS) <= set(TABLES[table])


@pytest.mark.parametrize("param", [p for p in PARAMS if p.is_numeric], ids=lambda p: p.key)
def test_bounds_are_inclusive_and_outside_is_refused(param):
    schema = SetupSchema()
    assert schema.load({param.key: str(param.min)})[param.key] == coerce(param, param.min)
    assert schema.load({param.key: str(param.max)})[param.key] == coerce(param, param.max)
    for outside in (param.min - param.step, param.max + param.step):
        with pytest.raises(ValidationError) as err:
            schema.load({param.key: str(outside)})
        assert "Must be between" in err.value.messages[param.key][0]


def test_off_step_value_names_the_nearest_valid_ones():
    with pytest.raises(ValidationError) as err:
        SetupSchema().load({"SB_F": "2.35"})
    assert err.value.messages["SB_F"] == ["Must be in steps of 0.1 mm: try 2.3 or 2.4."]


def test_comma_decimal_is_accepted():
    assert SetupSchema().load({"RH_F": "27,5"})["RH_F"] == Decimal("27.5")


def test_empty_fields_are_none_and_text_is_trimmed():
    values = SetupSchema().load({"DF": "", "SP_F": "  Green "})
    assert values["DF"] is None and values["SP_F"] == "Green"
    assert set(values) == set(PARAM_KEYS)


@pytest.mark.parametrize("raw", ["inf", "NaN", "1e999999"])
def test_non_finite_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        SetupSchema().load({"RH_F": raw})


def test_units_are_written_as_racers_write_them():
    by_key = {p.key: p for p in PARAMS}
    assert with_unit(by_key["DF"], 7000) == "7000 cSt"
    assert with_unit(by_key["Toe_F"], Decimal("-1")) == "-1.0°"
    assert with_unit(by_key["SP_F"], "Green") == "Green"


# -- what other modules read about a parameter comes from the catalogue (issue 11) ------------

def test_labels_are_the_catalogue_labels_of_every_key():
    assert LABELS == {p.key: p.label for p in PARAMS}


def test_pistons_tyres_and_quick_parameters_are_the_tuning_ones():
    assert set(PISTON_KEYS) == {"P_F", "P_R"}  # TUNING §1: "holes x mm"
    assert all(BY_KEY[k].kind == "text" for k in PISTON_KEYS)
    assert TYRE_KEYS == ("Tread", "Compound")  # the Tires package
    # TUNING §3.4; one step each, so each is a number with a step.
    assert set(QUICK_KEYS) == {"SO_F", "SO_R", "RH_F", "RH_R", "C_F", "C_R", "SB_F", "SB_R"}
    assert all(BY_KEY[k].is_numeric and BY_KEY[k].step for k in QUICK_KEYS)
    assert QUICK_KEYS.index("SO_F") + 1 == QUICK_KEYS.index("SO_R")  # pairs stay together


def _hand_written_keys(path: Path) -> list[str]:
    """Places in a module that spell out a list of catalogue keys, or map keys to labels."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            keys = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(keys) >= 2 and len(keys) == len(node.elts) and set(keys) <= set(PARAM_KEYS):
                found.append(f"{path.name}:{node.lineno} {keys}")
        if (isinstance(node, ast.DictComp) and isinstance(node.value, ast.Attribute)
                and node.value.attr == "label" and "PARAMS" in ast.unparse(node.generators[0])):
            found.append(f"{path.name}:{node.lineno} a second key -> label map")
    return found


def test_no_module_but_the_catalogue_spells_out_a_list_of_parameters():
    modules = [p for p in APEX.rglob("*.py") if p != APEX / "catalogue.py"]
    assert [hit for path in modules for hit in _hand_written_keys(path)] == []


def test_the_scan_finds_a_second_pistons_list_and_labels_map(tmp_path: Path):
    module = tmp_path / "copy.py"
    module.write_text('PISTONS = ("P_F", "P_R")\nLABELS = {p.key: p.label for p in PARAMS}\n',
                      encoding="utf-8")
    assert len(_hand_written_keys(module)) == 2


def test_texts_the_app_wrote_with_codes_read_with_labels():
    """Older notebook entries said "DF 7000 → 6000": shown with the catalogue's labels;
    a key that is a word of a label ("Spur" of "Spur gear") is left as it is."""
    from apex.catalogue import RAW_CODES, label_codes

    assert {"DF", "SO_F", "C_R", "Bell"} <= set(RAW_CODES) and "Spur" not in RAW_CODES
    assert label_codes("Shop Master from event X: DF 7000 → 6000, SO_F 450 → 500, "
                       "Bell 13 → 14, Spur 48 → 50") == (
        "Shop Master from event X: Front diff oil 7000 → 6000, Front shock oil 450 → 500, "
        "Clutch bell 13 → 14, Spur 48 → 50")
    assert label_codes("DFX and a/DF path stay") == "DFX and a/DF path stay"
