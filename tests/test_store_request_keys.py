"""The Store contract for one-time request keys: a retried create happens once."""

from __future__ import annotations

import threading
import uuid

import pytest

from apex.db import make_store
from apex.store import DuplicateError, Store
from tests.conftest import CAR, NB48, new_user


def test_a_retried_car_create_happens_once(store: Store) -> None:
    user = new_user(store)
    key = str(uuid.uuid4())
    first = store.add_car(user.racer_id, CAR, NB48, request_key=key)
    again = store.add_car(user.racer_id, CAR, NB48, request_key=key)
    assert first is not None and again is None
    assert store.list_cars(user.racer_id) == [first]


def test_a_retried_sponsor_create_happens_once(store: Store) -> None:
    user = new_user(store)
    key = str(uuid.uuid4())
    assert store.add_sponsor(user.racer_id, "REDS", "", request_key=key) is not None
    assert store.add_sponsor(user.racer_id, "REDS", "", request_key=key) is None
    assert len(store.list_sponsors(user.racer_id)) == 1


def test_a_refused_create_does_not_use_up_its_key(store: Store) -> None:
    user = new_user(store)
    store.add_car(user.racer_id, CAR, NB48)
    key = str(uuid.uuid4())
    with pytest.raises(DuplicateError):
        store.add_car(user.racer_id, CAR, NB48, request_key=key)  # the same car again
    fixed = store.add_car(user.racer_id, {**CAR, "nickname": "Spare"}, NB48, request_key=key)
    assert fixed is not None and fixed.nickname == "Spare"


def test_keys_are_per_racer(store: Store) -> None:
    alice, bob = new_user(store, "alice"), new_user(store, "bob")
    key = str(uuid.uuid4())
    assert store.add_sponsor(alice.racer_id, "REDS", "", request_key=key) is not None
    assert store.add_sponsor(bob.racer_id, "REDS", "", request_key=key) is not None


def test_concurrent_retries_create_once(store: Store, store_config: dict) -> None:
    user = new_user(store)
    key = str(uuid.uuid4())
    stores = [make_store(store_config) for _ in range(4)]
    results: list[object] = []

    def submit(s: Store) -> None:
        results.append(s.add_sponsor(user.racer_id, "REDS", "", request_key=key))

    threads = [threading.Thread(target=submit, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sum(r is not None for r in results) == 1
    assert len(store.list_sponsors(user.racer_id)) == 1
