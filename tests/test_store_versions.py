"""The Store contract for versioned records (apex.versions), on both stores: a save from
the version stored moves it on; one from an older version that would change something
raises StaleEditError with the record as stored and writes nothing; one that changes
nothing is no conflict."""

from __future__ import annotations

from datetime import date

import pytest

from apex.store import StaleEditError, Store
from tests.conftest import CAR, NB48, new_user

LIBRARY = {"track": "Hangtown", "brand": "Tekno", "vehicle": "NB48 2.2", "condition": "Bumpy",
           "date": date(2025, 11, 20), "source": "Pro Sheet", "driver_name": "", "notes": ""}


def test_shop_master_versions(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    rid = user.racer_id
    assert store.get_car_config(rid, car.id).version == 1
    saved = store.save_car_config(rid, car.id, {**NB48, "DF": 6000}, version=1)
    assert saved.version == 2 and store.get_car_config(rid, car.id).version == 2
    with pytest.raises(StaleEditError) as err:
        store.save_car_config(rid, car.id, {**NB48, "SO_F": 500}, version=1)
    assert err.value.current.version == 2 and err.value.current.values["DF"] == 6000
    assert store.get_car_config(rid, car.id).values["SO_F"] == NB48["SO_F"]
    # The same save again from the old page: nothing to undo, so no conflict.
    again = store.save_car_config(rid, car.id, {**NB48, "DF": 6000}, version=1)
    assert again.version == 2
    # A merge that is not a form (a push from an event) moves the version on.
    pushed = store.change_car_config(rid, car.id, {"SO_F": 500}, "pushed")
    assert pushed.version == 3 and pushed.values["DF"] == 6000


def test_profile_versions(store: Store) -> None:
    rid = new_user(store).racer_id
    assert store.get_profile(rid).version == 1
    assert store.update_profile(rid, {"name": "Alice O"}, version=1).version == 2
    with pytest.raises(StaleEditError) as err:
        store.update_profile(rid, {"name": "alice", "transponder": "42"}, version=1)
    assert err.value.current.name == "Alice O"
    assert store.get_profile(rid).transponder == ""
    assert store.update_profile(rid, {"name": "Alice O"}, version=1).version == 2
    assert store.update_profile(rid, {"transponder": "42"}).version == 3


def test_car_versions(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    rid = user.racer_id
    assert car.version == 1
    assert store.update_car(rid, car.id, {**CAR, "nickname": "Red"}, version=1).version == 2
    with pytest.raises(StaleEditError) as err:
        store.update_car(rid, car.id, {**CAR, "class_name": "Truggy"}, version=1)
    assert err.value.current.nickname == "Red"
    assert store.get_car(rid, car.id).class_name == CAR["class_name"]
    same = store.update_car(rid, car.id, {**CAR, "nickname": "Red", "power": ""}, version=1)
    assert same.version == 2


def test_library_baseline_versions(store: Store) -> None:
    rid = new_user(store).racer_id
    [row] = store.add_library_baselines(rid, [(LIBRARY, NB48)])
    assert row.version == 1
    assert store.update_library_baseline(rid, row.id, {**LIBRARY, "notes": "Dry"}, NB48,
                                         version=1).version == 2
    with pytest.raises(StaleEditError) as err:
        store.update_library_baseline(rid, row.id, LIBRARY, {**NB48, "DF": 6000}, version=1)
    assert err.value.current.notes == "Dry"
    assert store.get_library_baseline(row.id).values["DF"] == NB48["DF"]
    assert store.update_library_baseline(rid, row.id, {**LIBRARY, "notes": "Dry"}, NB48,
                                         version=1).version == 2


def test_versions_survive_export_and_import(store: Store, tmp_path) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    store.save_car_config(user.racer_id, car.id, {**NB48, "DF": 6000}, version=1)
    rows = store.dump_tables()
    assert rows["car_configs"][0]["version"] == 2
    assert rows["vehicles"][0]["version"] == 1
