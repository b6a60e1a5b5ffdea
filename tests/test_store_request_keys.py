"""The Store contract for one-time request keys: a retried create happens once."""

from __future__ import annotations

import threading
import uuid

import pytest

from apex.db import make_store
from apex.store import DuplicateError, Store
from tests.conftest import CAR, NB48, new_user
from tests.store_events_helpers import new_event


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


def test_a_kept_key_is_used_for_its_racer_only(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    key = str(uuid.uuid4())
    assert not store.key_used(alice.racer_id, key)
    with store.keyed_write():
        assert store.keep_key(alice.racer_id, key)
        assert not store.keep_key(alice.racer_id, key)  # a concurrent resend finds it taken
    assert store.key_used(alice.racer_id, key) and not store.key_used(bob.racer_id, key)


def test_a_run_takes_the_phones_id_and_never_another_runs(store: Store) -> None:
    alice, _, event = new_event(store)
    bob, _, bobs_event = new_event(store, "bob")
    run_id = str(uuid.uuid4())
    run = store.add_run(alice.racer_id, event.id, "Q1", run_id=run_id)
    assert run is not None and run.id == run_id
    for racer_id, event_id in ((bob.racer_id, bobs_event.id), (alice.racer_id, event.id)):
        with pytest.raises(DuplicateError) as taken:
            store.add_run(racer_id, event_id, "Q2", run_id=run_id)
        assert taken.value.field == "run_id"
    assert [r.name for r in store.list_runs(bob.racer_id, bobs_event.id)] == []
    assert [r.id for r in store.list_runs(alice.racer_id, event.id)] == [run_id]
