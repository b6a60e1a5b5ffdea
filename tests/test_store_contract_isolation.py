"""The Store contract on isolation: another racer's ids, or garbage ids, read as missing.

See test_store_contract.py for the rest of the contract.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from apex.models import User
from apex.store import Store
from tests.conftest import CAR, NB48, NT48, new_user

# -- isolation: racer B with racer A's ids gets "missing" and changes nothing ----


def everything_of(store: Store, user: User) -> tuple:
    """All a racer owns, to show that a call changed none of it."""
    cars = store.list_cars(user.racer_id)
    configs = [store.get_car_config(user.racer_id, c.id) for c in cars]
    return store.get_profile(user.racer_id), store.list_sponsors(user.racer_id), cars, configs


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
    "archive_car": (lambda s, a, b, ids: s.archive_car(b.racer_id, ids["car"]), None),
    "restore_car": (lambda s, a, b, ids: s.restore_car(b.racer_id, ids["car"]), None),
    "car_removal": (lambda s, a, b, ids: s.car_removal(b.racer_id, ids["car"]), None),
    "list_archived_cars": (lambda s, a, b, ids: s.list_cars(b.racer_id, archived=None), []),
    "export_racer_cars": (lambda s, a, b, ids: s.export_racer(b.racer_id)["vehicles"], []),
    "get_car_config": (lambda s, a, b, ids: s.get_car_config(b.racer_id, ids["car"]), None),
    "get_car_with_config": (
        lambda s, a, b, ids: s.get_car_with_config(b.racer_id, ids["car"]), None),
    "save_car_config": (
        lambda s, a, b, ids: s.save_car_config(b.racer_id, ids["car"], NT48), None),
}


@pytest.mark.parametrize("name", ISOLATION)
def test_isolation_racer_b_cannot_see_or_change_racer_a(store: Store, name: str) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
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
    "archive_car": (lambda s, u, g: s.archive_car(u.racer_id, g), None),
    "restore_car": (lambda s, u, g: s.restore_car(u.racer_id, g), None),
    "car_removal": (lambda s, u, g: s.car_removal(u.racer_id, g), None),
    "export_racer": (lambda s, u, g: sum(map(len, s.export_racer(g).values())), 0),
    "delete_account": (lambda s, u, g: s.delete_account(g), False),
    "get_car_config": (lambda s, u, g: s.get_car_config(u.racer_id, g), None),
    "get_car_with_config": (lambda s, u, g: s.get_car_with_config(u.racer_id, g), None),
    "save_car_config": (lambda s, u, g: s.save_car_config(u.racer_id, g, NB48), None),
}


@pytest.mark.parametrize("garbage", GARBAGE, ids=("word", "empty", "unknown_uuid"))
@pytest.mark.parametrize("name", GARBAGE_CALLS)
def test_garbage_id_reads_as_missing(store: Store, name: str, garbage: str) -> None:
    user = new_user(store)
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

