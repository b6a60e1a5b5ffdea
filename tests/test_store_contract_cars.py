"""The Store contract for cars and their Shop Master baseline (see test_store_contract.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apex.catalogue import BY_KEY, PARAM_KEYS
from apex.models import Car, Setup
from apex.store import DuplicateError, Store
from tests.conftest import CAR, NB48, NT48, new_user

# -- cars ----------------------------------------------------------------------


def test_add_car_returns_it_and_get_car_finds_it(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    assert car == Car(car.id, user.racer_id, **CAR)
    assert store.get_car(user.racer_id, car.id) == car


def test_get_car_with_config_is_get_car_and_get_car_config_in_one_read(store: Store) -> None:
    """What Race Support, the event setup and the library read together: the same car and
    the same Shop Master as the two reads, versions and an archived car included."""
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    store.save_car_config(user.racer_id, car.id, {**NB48, "DF": 9000})
    store.update_car(user.racer_id, car.id, {"nickname": "Spare"})
    store.update_car(user.racer_id, car.id, {"nickname": "Spare 2"})
    archived = store.archive_car(user.racer_id, car.id)
    assert archived is not None and archived.archived
    got = store.get_car_with_config(user.racer_id, car.id)
    assert got == (store.get_car(user.racer_id, car.id),
                   store.get_car_config(user.racer_id, car.id))
    assert got[0].version != got[1].version and got[1].values["DF"] == 9000  # not mixed up
    assert store.get_car_with_config(new_user(store, "bob").racer_id, car.id) is None


def test_add_car_missing_fields_are_empty_text(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, {"brand": "Tekno", "model": "NT48"}, {})
    assert (car.nickname, car.transponder, car.class_name) == ("", "", "")


def test_list_cars_is_sorted_by_brand_model_nickname_case_insensitively(store: Store) -> None:
    user = new_user(store)
    for brand, model, nick in [("tekno", "NB48", "b"), ("Mugen", "MBX8", ""),
                               ("Tekno", "nb48", "A"), ("Tekno", "EB48", "z")]:
        store.add_car(user.racer_id, {"brand": brand, "model": model, "nickname": nick}, {})
    got = [(c.brand, c.model, c.nickname) for c in store.list_cars(user.racer_id)]
    assert got == [("Mugen", "MBX8", ""), ("Tekno", "EB48", "z"), ("Tekno", "nb48", "A"),
                   ("tekno", "NB48", "b")]


def test_update_car_changes_given_fields_and_keeps_the_rest(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    got = store.update_car(user.racer_id, car.id, {"nickname": "Red", "id": "x"})
    assert got == Car(car.id, user.racer_id, **{**CAR, "nickname": "Red"}, version=2)
    assert store.get_car(user.racer_id, car.id) == got


def test_update_car_keeps_its_config(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    before = store.get_car_config(user.racer_id, car.id)
    store.update_car(user.racer_id, car.id, {"model": "NB48 2.1"})
    after = store.get_car_config(user.racer_id, car.id)
    assert after.values == NB48
    assert after.updated_at == before.updated_at  # a rename is not a setup change


def test_update_car_onto_another_car_raises_and_changes_nothing(store: Store) -> None:
    user = new_user(store)
    store.add_car(user.racer_id, CAR, NB48)
    other = store.add_car(user.racer_id, {**CAR, "nickname": "Red"}, NB48)
    with pytest.raises(DuplicateError) as err:
        store.update_car(user.racer_id, other.id, {"nickname": "BLUE"})
    assert err.value.field == "nickname"
    assert store.get_car(user.racer_id, other.id) == other


def test_duplicate_car_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    user = new_user(store)
    first = store.add_car(user.racer_id, CAR, NB48)
    with pytest.raises(DuplicateError) as err:
        store.add_car(user.racer_id, {"brand": "TEKNO", "model": "nb48 2.2",
                                      "nickname": "blue"}, NT48)
    assert err.value.field == "nickname"
    assert store.list_cars(user.racer_id) == [first]


def test_same_car_with_another_nickname_is_fine(store: Store) -> None:
    user = new_user(store)
    store.add_car(user.racer_id, CAR, NB48)
    store.add_car(user.racer_id, {**CAR, "nickname": "Spare"}, NB48)
    assert len(store.list_cars(user.racer_id)) == 2


def test_delete_car_removes_the_car_and_its_config(store: Store) -> None:
    user = new_user(store)
    keep = store.add_car(user.racer_id, {**CAR, "nickname": "Keep"}, NT48)
    car = store.add_car(user.racer_id, CAR, NB48)
    assert store.delete_car(user.racer_id, car.id) is False  # in use: archive it first
    store.archive_car(user.racer_id, car.id)
    assert store.delete_car(user.racer_id, car.id) is True
    assert store.get_car(user.racer_id, car.id) is None
    assert store.get_car_config(user.racer_id, car.id) is None
    assert store.list_cars(user.racer_id) == [keep]
    assert store.get_car_config(user.racer_id, keep.id).values == NT48
    assert store.delete_car(user.racer_id, car.id) is False


# -- Shop Master baseline ------------------------------------------------------


def test_add_car_stores_the_baseline_with_python_types(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    setup = store.get_car_config(user.racer_id, car.id)
    assert isinstance(setup, Setup) and setup.car_id == car.id
    assert setup.values == NB48
    for key, value in setup.values.items():
        assert type(value) is type(NB48[key]), key
        assert str(value) == str(NB48[key]), key  # same precision: "-1.0", not "-1.00"


def test_add_car_with_empty_baseline_has_every_parameter_unset(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, {})
    assert store.get_car_config(user.racer_id, car.id).values == dict.fromkeys(PARAM_KEYS)


def test_save_car_config_round_trips_every_parameter(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    values = {**NT48, "Toe_F": Decimal("-4.5"), "C_R": Decimal("-0.5"), "SP_F": None,
              "DF": None, "Venturi": None}
    saved = store.save_car_config(user.racer_id, car.id, values)
    assert saved is not None and saved.values == values
    again = store.get_car_config(user.racer_id, car.id)
    assert again.values == values
    assert {k: type(v) for k, v in again.values.items()} == {
        k: type(v) for k, v in values.items()}


def test_save_car_config_unsets_parameters_missing_from_values(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    store.save_car_config(user.racer_id, car.id, {"Spur": 50})
    assert store.get_car_config(user.racer_id, car.id).values == {
        **dict.fromkeys(PARAM_KEYS), "Spur": 50}


def test_save_car_config_moves_updated_at_forward(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    before = store.get_car_config(user.racer_id, car.id).updated_at
    after = store.save_car_config(user.racer_id, car.id, NT48).updated_at
    assert before is not None and after is not None and after >= before
    assert after.utcoffset() is not None


def test_decimal_parameters_keep_the_catalogue_precision(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, {"SB_F": Decimal("2"), "Toe_R": -1})
    values = store.get_car_config(user.racer_id, car.id).values
    assert (str(values["SB_F"]), str(values["Toe_R"])) == ("2.0", "-1.0")
    assert BY_KEY["SB_F"].decimals == 1


def test_change_car_config_sets_only_the_given_keys_and_notes_it(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    store.save_car_config(user.racer_id, car.id, {**NB48, "DF": 6000})  # a save just before
    saved = store.change_car_config(user.racer_id, car.id, {"SO_F": 500, "SP_F": "Pink"},
                                    "Copied Suspension", track="Hangtown")
    assert saved.values == {**NB48, "DF": 6000, "SO_F": 500, "SP_F": "Pink"}
    assert store.get_car_config(user.racer_id, car.id) == saved
    log = store.list_track_logs(user.racer_id)[0]
    assert (log.kind, log.note, log.track, log.car) == \
        ("change", "Copied Suspension", "Hangtown", car.label)


def test_change_car_config_of_another_racers_car_changes_nothing(store: Store) -> None:
    alice, bob = new_user(store, "alice"), new_user(store, "bob")
    car = store.add_car(alice.racer_id, CAR, NB48)
    assert store.change_car_config(bob.racer_id, car.id, {"DF": 1000}, "x") is None
    assert store.change_car_config(bob.racer_id, "nope", {"DF": 1000}, "x") is None
    assert store.get_car_config(alice.racer_id, car.id).values == NB48
    assert store.list_track_logs(bob.racer_id) == [] == store.list_track_logs(alice.racer_id)


def test_a_car_is_nitro_unless_told_and_keeps_its_power_when_not_given(store: Store) -> None:
    user = new_user(store)
    nitro = store.add_car(user.racer_id, CAR, NB48)
    assert nitro.power == "nitro"
    electric = store.add_car(user.racer_id, {**CAR, "nickname": "E", "power": "electric"}, {})
    assert store.get_car(user.racer_id, electric.id).power == "electric"
    assert store.update_car(user.racer_id, electric.id, {"nickname": "E2"}).power == "electric"
    assert store.update_car(user.racer_id, electric.id, {"power": "nitro"}).power == "nitro"
    assert [c.power for c in store.list_cars(user.racer_id)] == ["nitro", "nitro"]
