"""The Store contract (apex.db.Store), run on every backend by the ``store`` fixture.

One suite for both stores is what keeps them interchangeable: a behaviour
the app relies on belongs here, not in a backend's own tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from apex.catalogue import BY_KEY, PARAM_KEYS, PRESETS
from apex.db import DuplicateError, Store, make_store
from apex.models import Car, Profile, Setup, Sponsor, User

NB48 = PRESETS["Tekno NB48 2.2"]
NT48 = PRESETS["Tekno NT48 2.2"]
CAR = {"brand": "Tekno", "model": "NB48 2.2", "nickname": "Blue", "transponder": "123",
       "class_name": "1/8 Buggy"}


def racer(store: Store, name: str = "alice") -> User:
    return store.create_user(name, f"{name}@example.com", "hash-" + name)


def everything_of(store: Store, user: User) -> tuple:
    """All a racer owns, to show that a call changed none of it."""
    cars = store.list_cars(user.racer_id)
    configs = [store.get_car_config(user.racer_id, c.id) for c in cars]
    return store.get_profile(user.racer_id), store.list_sponsors(user.racer_id), cars, configs


# -- users ---------------------------------------------------------------------


def test_create_user_returns_the_user_with_its_racer_id(store: Store) -> None:
    user = store.create_user("alice", "alice@example.com", "h", is_admin=True)
    assert (user.username, user.email, user.password_hash, user.is_admin) == (
        "alice", "alice@example.com", "h", True)
    assert user.racer_id and user.racer_id != user.id


def test_create_user_is_not_admin_by_default(store: Store) -> None:
    assert racer(store).is_admin is False


def test_get_user_returns_the_created_user(store: Store) -> None:
    user = racer(store)
    assert store.get_user(user.id) == user


def test_find_user_by_username_is_case_insensitive(store: Store) -> None:
    user = racer(store, "Alice")
    assert store.find_user("aLICE") == user


def test_find_user_by_email_is_case_insensitive(store: Store) -> None:
    user = racer(store)
    assert store.find_user("ALICE@Example.COM") == user


def test_find_user_unknown_login_returns_none(store: Store) -> None:
    racer(store)
    assert store.find_user("bob") is None


def test_duplicate_username_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    racer(store, "alice")
    with pytest.raises(DuplicateError) as err:
        store.create_user("ALICE", "other@example.com", "h")
    assert err.value.field == "username"
    assert store.find_user("other@example.com") is None


def test_duplicate_email_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    racer(store, "alice")
    with pytest.raises(DuplicateError) as err:
        store.create_user("bob", "ALICE@example.com", "h")
    assert err.value.field == "email"
    assert store.find_user("bob") is None


def test_user_can_be_created_after_a_refused_duplicate(store: Store) -> None:
    racer(store, "alice")
    with pytest.raises(DuplicateError):
        store.create_user("alice", "bob@example.com", "h")
    assert store.find_user(racer(store, "bob").username) is not None


# -- profile -------------------------------------------------------------------


def test_profile_is_created_with_the_users_name_and_email(store: Store) -> None:
    user = racer(store)
    assert store.get_profile(user.racer_id) == Profile(
        user.racer_id, user.id, name="alice", email="alice@example.com")


def test_update_profile_changes_given_fields_and_keeps_the_rest(store: Store) -> None:
    user = racer(store)
    got = store.update_profile(user.racer_id, {"instagram": "@al", "experience_level": "Pro"})
    assert got == Profile(user.racer_id, user.id, name="alice", email="alice@example.com",
                          instagram="@al", experience_level="Pro")
    assert store.get_profile(user.racer_id) == got


def test_update_profile_ignores_id_and_user_id(store: Store) -> None:
    alice, bob = racer(store), racer(store, "bob")
    got = store.update_profile(alice.racer_id, {"id": bob.racer_id, "user_id": bob.id,
                                                "name": "Al"})
    assert got is not None and (got.id, got.user_id, got.name) == (alice.racer_id, alice.id, "Al")
    assert store.get_profile(bob.racer_id).name == "bob"


# -- sponsors ------------------------------------------------------------------


def test_add_sponsor_returns_it_and_lists_it(store: Store) -> None:
    user = racer(store)
    sponsor = store.add_sponsor(user.racer_id, "Tekno", "Chassis")
    assert sponsor == Sponsor(sponsor.id, user.racer_id, "Tekno", "Chassis")
    assert store.list_sponsors(user.racer_id) == [sponsor]


def test_list_sponsors_is_sorted_by_name_case_insensitively(store: Store) -> None:
    user = racer(store)
    for name in ("charlie", "Bravo", "alpha", "Delta"):
        store.add_sponsor(user.racer_id, name, "")
    names = [s.name for s in store.list_sponsors(user.racer_id)]
    assert names == ["alpha", "Bravo", "charlie", "Delta"]


def test_delete_sponsor_removes_it_and_returns_true_once(store: Store) -> None:
    user = racer(store)
    keep = store.add_sponsor(user.racer_id, "Keep", "")
    gone = store.add_sponsor(user.racer_id, "Gone", "")
    assert store.delete_sponsor(user.racer_id, gone.id) is True
    assert store.list_sponsors(user.racer_id) == [keep]
    assert store.delete_sponsor(user.racer_id, gone.id) is False


def test_duplicate_sponsor_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    user = racer(store)
    first = store.add_sponsor(user.racer_id, "Tekno", "")
    with pytest.raises(DuplicateError) as err:
        store.add_sponsor(user.racer_id, "TEKNO", "other")
    assert err.value.field == "name"
    assert store.list_sponsors(user.racer_id) == [first]


def test_same_sponsor_name_is_fine_for_two_racers(store: Store) -> None:
    alice, bob = racer(store), racer(store, "bob")
    store.add_sponsor(alice.racer_id, "Tekno", "")
    assert store.add_sponsor(bob.racer_id, "Tekno", "").name == "Tekno"


# -- cars ----------------------------------------------------------------------


def test_add_car_returns_it_and_get_car_finds_it(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    assert car == Car(car.id, user.racer_id, **CAR)
    assert store.get_car(user.racer_id, car.id) == car


def test_add_car_missing_fields_are_empty_text(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, {"brand": "Tekno", "model": "NT48"}, {})
    assert (car.nickname, car.transponder, car.class_name) == ("", "", "")


def test_list_cars_is_sorted_by_brand_model_nickname_case_insensitively(store: Store) -> None:
    user = racer(store)
    for brand, model, nick in [("tekno", "NB48", "b"), ("Mugen", "MBX8", ""),
                               ("Tekno", "nb48", "A"), ("Tekno", "EB48", "z")]:
        store.add_car(user.racer_id, {"brand": brand, "model": model, "nickname": nick}, {})
    got = [(c.brand, c.model, c.nickname) for c in store.list_cars(user.racer_id)]
    assert got == [("Mugen", "MBX8", ""), ("Tekno", "EB48", "z"), ("Tekno", "nb48", "A"),
                   ("tekno", "NB48", "b")]


def test_update_car_changes_given_fields_and_keeps_the_rest(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    got = store.update_car(user.racer_id, car.id, {"nickname": "Red", "id": "x"})
    assert got == Car(car.id, user.racer_id, **{**CAR, "nickname": "Red"})
    assert store.get_car(user.racer_id, car.id) == got


def test_update_car_keeps_its_config(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    store.update_car(user.racer_id, car.id, {"model": "NB48 2.1"})
    assert store.get_car_config(user.racer_id, car.id).values == NB48


def test_update_car_onto_another_car_raises_and_changes_nothing(store: Store) -> None:
    user = racer(store)
    store.add_car(user.racer_id, CAR, NB48)
    other = store.add_car(user.racer_id, {**CAR, "nickname": "Red"}, NB48)
    with pytest.raises(DuplicateError) as err:
        store.update_car(user.racer_id, other.id, {"nickname": "BLUE"})
    assert err.value.field == "nickname"
    assert store.get_car(user.racer_id, other.id) == other


def test_duplicate_car_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    user = racer(store)
    first = store.add_car(user.racer_id, CAR, NB48)
    with pytest.raises(DuplicateError) as err:
        store.add_car(user.racer_id, {"brand": "TEKNO", "model": "nb48 2.2",
                                      "nickname": "blue"}, NT48)
    assert err.value.field == "nickname"
    assert store.list_cars(user.racer_id) == [first]


def test_same_car_with_another_nickname_is_fine(store: Store) -> None:
    user = racer(store)
    store.add_car(user.racer_id, CAR, NB48)
    store.add_car(user.racer_id, {**CAR, "nickname": "Spare"}, NB48)
    assert len(store.list_cars(user.racer_id)) == 2


def test_delete_car_removes_the_car_and_its_config(store: Store) -> None:
    user = racer(store)
    keep = store.add_car(user.racer_id, {**CAR, "nickname": "Keep"}, NT48)
    car = store.add_car(user.racer_id, CAR, NB48)
    assert store.delete_car(user.racer_id, car.id) is True
    assert store.get_car(user.racer_id, car.id) is None
    assert store.get_car_config(user.racer_id, car.id) is None
    assert store.list_cars(user.racer_id) == [keep]
    assert store.get_car_config(user.racer_id, keep.id).values == NT48
    assert store.delete_car(user.racer_id, car.id) is False


# -- Shop Master baseline ------------------------------------------------------


def test_add_car_stores_the_baseline_with_python_types(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    setup = store.get_car_config(user.racer_id, car.id)
    assert isinstance(setup, Setup) and setup.car_id == car.id
    assert setup.values == NB48
    for key, value in setup.values.items():
        assert type(value) is type(NB48[key]), key
        assert str(value) == str(NB48[key]), key  # same precision: "-1.0", not "-1.00"


def test_add_car_with_empty_baseline_has_every_parameter_unset(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, {})
    assert store.get_car_config(user.racer_id, car.id).values == dict.fromkeys(PARAM_KEYS)


def test_save_car_config_round_trips_every_parameter(store: Store) -> None:
    user = racer(store)
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
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    store.save_car_config(user.racer_id, car.id, {"Spur": 50})
    assert store.get_car_config(user.racer_id, car.id).values == {
        **dict.fromkeys(PARAM_KEYS), "Spur": 50}


def test_save_car_config_moves_updated_at_forward(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    before = store.get_car_config(user.racer_id, car.id).updated_at
    after = store.save_car_config(user.racer_id, car.id, NT48).updated_at
    assert before is not None and after is not None and after >= before
    assert after.utcoffset() is not None


def test_decimal_parameters_keep_the_catalogue_precision(store: Store) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, {"SB_F": Decimal("2"), "Toe_R": -1})
    values = store.get_car_config(user.racer_id, car.id).values
    assert (str(values["SB_F"]), str(values["Toe_R"])) == ("2.0", "-1.0")
    assert BY_KEY["SB_F"].decimals == 1


# -- isolation: racer B with racer A's ids gets "missing" and changes nothing ----

IsolationCall = Callable[[Store, User, User, dict[str, Any]], Any]
ISOLATION: dict[str, tuple[IsolationCall, Any]] = {
    "get_profile_with_a_user_id": (lambda s, a, b, ids: s.get_profile(a.id), None),
    "update_profile_with_a_user_id": (
        lambda s, a, b, ids: s.update_profile(a.id, {"name": "hacked"}), None),
    "update_own_profile": (
        lambda s, a, b, ids: s.update_profile(b.racer_id, {"name": "bobby"}).name, "bobby"),
    "list_sponsors": (lambda s, a, b, ids: s.list_sponsors(b.racer_id), []),
    "add_same_sponsor": (
        lambda s, a, b, ids: s.add_sponsor(b.racer_id, "Tekno", "x").racer_id, "B"),
    "delete_sponsor": (lambda s, a, b, ids: s.delete_sponsor(b.racer_id, ids["sponsor"]), False),
    "list_cars": (lambda s, a, b, ids: s.list_cars(b.racer_id), []),
    "add_same_car": (lambda s, a, b, ids: s.add_car(b.racer_id, CAR, {}).racer_id, "B"),
    "get_car": (lambda s, a, b, ids: s.get_car(b.racer_id, ids["car"]), None),
    "update_car": (
        lambda s, a, b, ids: s.update_car(b.racer_id, ids["car"], {"nickname": "x"}), None),
    "delete_car": (lambda s, a, b, ids: s.delete_car(b.racer_id, ids["car"]), False),
    "get_car_config": (lambda s, a, b, ids: s.get_car_config(b.racer_id, ids["car"]), None),
    "save_car_config": (
        lambda s, a, b, ids: s.save_car_config(b.racer_id, ids["car"], NT48), None),
}


@pytest.mark.parametrize("name", ISOLATION)
def test_isolation_racer_b_cannot_see_or_change_racer_a(store: Store, name: str) -> None:
    alice, bob = racer(store), racer(store, "bob")
    ids = {"sponsor": store.add_sponsor(alice.racer_id, "Tekno", "Chassis").id,
           "car": store.add_car(alice.racer_id, CAR, NB48).id}
    before = everything_of(store, alice)
    call, expected = ISOLATION[name]
    got = call(store, alice, bob, ids)
    assert got == (bob.racer_id if expected == "B" else expected)
    assert everything_of(store, alice) == before


GARBAGE = ("nope", "", str(uuid.uuid4()))
GARBAGE_CALLS: dict[str, tuple[Callable[[Store, User, str], Any], Any]] = {
    "get_user": (lambda s, u, g: s.get_user(g), None),
    "get_profile": (lambda s, u, g: s.get_profile(g), None),
    "update_profile": (lambda s, u, g: s.update_profile(g, {"name": "x"}), None),
    "list_sponsors": (lambda s, u, g: s.list_sponsors(g), []),
    "delete_sponsor": (lambda s, u, g: s.delete_sponsor(u.racer_id, g), False),
    "list_cars": (lambda s, u, g: s.list_cars(g), []),
    "get_car": (lambda s, u, g: s.get_car(u.racer_id, g), None),
    "update_car": (lambda s, u, g: s.update_car(u.racer_id, g, {"nickname": "x"}), None),
    "delete_car": (lambda s, u, g: s.delete_car(u.racer_id, g), False),
    "get_car_config": (lambda s, u, g: s.get_car_config(u.racer_id, g), None),
    "save_car_config": (lambda s, u, g: s.save_car_config(u.racer_id, g, NB48), None),
}


@pytest.mark.parametrize("garbage", GARBAGE, ids=("word", "empty", "unknown_uuid"))
@pytest.mark.parametrize("name", GARBAGE_CALLS)
def test_garbage_id_reads_as_missing(store: Store, name: str, garbage: str) -> None:
    user = racer(store)
    store.add_sponsor(user.racer_id, "Tekno", "")
    store.add_car(user.racer_id, CAR, NB48)
    before = everything_of(store, user)
    call, expected = GARBAGE_CALLS[name]
    assert call(store, user, garbage) == expected
    assert everything_of(store, user) == before


@pytest.mark.parametrize("racer_id", GARBAGE, ids=("word", "empty", "unknown_uuid"))
@pytest.mark.parametrize("method", ("add_sponsor", "add_car"))
def test_adding_for_an_unknown_racer_raises_lookup_error(
    store: Store, method: str, racer_id: str
) -> None:
    with pytest.raises(LookupError):
        if method == "add_sponsor":
            store.add_sponsor(racer_id, "Tekno", "")
        else:
            store.add_car(racer_id, CAR, NB48)


# -- schema and persistence ----------------------------------------------------


def test_upgrade_is_idempotent(store: Store) -> None:
    assert store.upgrade() == []


def test_schema_status_shows_everything_in_place(store: Store) -> None:
    status = store.schema_status()
    assert status and all(applied for _, applied in status)


def test_ping_is_true(store: Store) -> None:
    assert store.ping() is True


def test_a_second_store_on_the_same_config_sees_the_writes(
    store: Store, store_config: dict
) -> None:
    user = racer(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    other = make_store(store_config)
    try:
        assert other.find_user("alice") == user
        assert other.get_car_config(user.racer_id, car.id).values == NB48
        sponsor = other.add_sponsor(user.racer_id, "Tekno", "")
        other.save_car_config(user.racer_id, car.id, NT48)
    finally:
        other.close()
    assert store.list_sponsors(user.racer_id) == [sponsor]
    assert store.get_car_config(user.racer_id, car.id).values == NT48
