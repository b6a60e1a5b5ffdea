"""The Store contract (apex.store.Store), run on every backend by the ``store`` fixture.

One suite for both stores is what keeps them interchangeable: a behaviour
the app relies on belongs here, not in a backend's own tests. This file holds
users, profiles, sponsors and the schema; the cars and their Shop Master
baseline are in test_store_contract_cars.py, and what one racer may not see or
change of another's is in test_store_contract_isolation.py.
"""

from __future__ import annotations

import pytest

from apex.db import make_store
from apex.models import Profile, Sponsor
from apex.store import DuplicateError, Store
from tests.conftest import CAR, NB48, NT48, new_user

# -- users ---------------------------------------------------------------------


def test_create_user_returns_the_user_with_its_racer_id(store: Store) -> None:
    user = store.create_user("alice", "alice@example.com", "h", is_admin=True)
    assert (user.username, user.email, user.password_hash, user.is_admin) == (
        "alice", "alice@example.com", "h", True)
    assert user.racer_id and user.racer_id != user.id


def test_create_user_is_not_admin_by_default(store: Store) -> None:
    assert new_user(store).is_admin is False


def test_get_user_returns_the_created_user(store: Store) -> None:
    user = new_user(store)
    assert store.get_user(user.id) == user


def test_find_user_by_username_is_case_insensitive(store: Store) -> None:
    user = new_user(store, "Alice")
    assert store.find_user("aLICE") == user


def test_find_user_by_email_is_case_insensitive(store: Store) -> None:
    user = new_user(store)
    assert store.find_user("ALICE@Example.COM") == user


def test_find_user_unknown_login_returns_none(store: Store) -> None:
    new_user(store)
    assert store.find_user("bob") is None


def test_duplicate_username_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    new_user(store, "alice")
    with pytest.raises(DuplicateError) as err:
        store.create_user("ALICE", "other@example.com", "h")
    assert err.value.field == "username"
    assert store.find_user("other@example.com") is None


def test_duplicate_email_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    new_user(store, "alice")
    with pytest.raises(DuplicateError) as err:
        store.create_user("bob", "ALICE@example.com", "h")
    assert err.value.field == "email"
    assert store.find_user("bob") is None


def test_user_can_be_created_after_a_refused_duplicate(store: Store) -> None:
    new_user(store, "alice")
    with pytest.raises(DuplicateError):
        store.create_user("alice", "bob@example.com", "h")
    assert store.find_user(new_user(store, "bob").username) is not None


# -- profile -------------------------------------------------------------------


def test_profile_is_created_with_the_users_name_and_email(store: Store) -> None:
    user = new_user(store)
    assert store.get_profile(user.racer_id) == Profile(
        user.racer_id, user.id, name="alice", email="alice@example.com")


def test_update_profile_changes_given_fields_and_keeps_the_rest(store: Store) -> None:
    user = new_user(store)
    got = store.update_profile(user.racer_id, {"instagram": "@al", "experience_level": "Pro"})
    assert got == Profile(user.racer_id, user.id, name="alice", email="alice@example.com",
                          instagram="@al", experience_level="Pro", version=2)
    assert store.get_profile(user.racer_id) == got


def test_update_profile_ignores_id_and_user_id(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    got = store.update_profile(alice.racer_id, {"id": bob.racer_id, "user_id": bob.id,
                                                "name": "Al"})
    assert got is not None and (got.id, got.user_id, got.name) == (alice.racer_id, alice.id, "Al")
    assert store.get_profile(bob.racer_id).name == "bob"


# -- sponsors ------------------------------------------------------------------


def test_add_sponsor_returns_it_and_lists_it(store: Store) -> None:
    user = new_user(store)
    sponsor = store.add_sponsor(user.racer_id, "Tekno", "Chassis")
    assert sponsor == Sponsor(sponsor.id, user.racer_id, "Tekno", "Chassis")
    assert store.list_sponsors(user.racer_id) == [sponsor]


def test_list_sponsors_is_sorted_by_name_case_insensitively(store: Store) -> None:
    user = new_user(store)
    for name in ("charlie", "Bravo", "alpha", "Delta"):
        store.add_sponsor(user.racer_id, name, "")
    names = [s.name for s in store.list_sponsors(user.racer_id)]
    assert names == ["alpha", "Bravo", "charlie", "Delta"]


def test_delete_sponsor_removes_it_and_returns_true_once(store: Store) -> None:
    user = new_user(store)
    keep = store.add_sponsor(user.racer_id, "Keep", "")
    gone = store.add_sponsor(user.racer_id, "Gone", "")
    assert store.delete_sponsor(user.racer_id, gone.id) is True
    assert store.list_sponsors(user.racer_id) == [keep]
    assert store.delete_sponsor(user.racer_id, gone.id) is False


def test_duplicate_sponsor_in_other_case_raises_and_changes_nothing(store: Store) -> None:
    user = new_user(store)
    first = store.add_sponsor(user.racer_id, "Tekno", "")
    with pytest.raises(DuplicateError) as err:
        store.add_sponsor(user.racer_id, "TEKNO", "other")
    assert err.value.field == "name"
    assert store.list_sponsors(user.racer_id) == [first]


def test_same_sponsor_name_is_fine_for_two_racers(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    store.add_sponsor(alice.racer_id, "Tekno", "")
    assert store.add_sponsor(bob.racer_id, "Tekno", "").name == "Tekno"


# -- schema and persistence ----------------------------------------------------


def test_upgrade_is_idempotent(store: Store) -> None:
    report = store.upgrade()
    assert not report.changed and report.kept == []
    assert report.lines() == ["nothing to do: schema is up to date"]


def test_schema_status_shows_everything_in_place(store: Store) -> None:
    status = store.schema_status()
    assert status and all(applied for _, applied in status)


def test_ping_is_true(store: Store) -> None:
    assert store.ping() is True


def test_a_second_store_on_the_same_config_sees_the_writes(
    store: Store, store_config: dict
) -> None:
    user = new_user(store)
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
