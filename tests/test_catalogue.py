"""The parameter catalogue and the Shop Master schema built from it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from apex.catalogue import (
    BY_KEY,
    ELECTRIC,
    GROUPS,
    NITRO,
    PARAM_KEYS,
    PARAMS,
    POWERS,
    PRESET_POWERS,
    PRESETS,
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
