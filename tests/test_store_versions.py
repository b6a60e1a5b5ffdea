"""The Store contract for versioned records (apex.versions), on both stores: a save from
the version stored moves it on; one from an older version that would change something
raises StaleEditError with the record as stored and writes nothing; one that changes
nothing is no conflict."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from apex.store import StaleEditError, Store
from apex.stores.csv import CsvStore
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
    store.update_profile(user.racer_id, {"name": "Al"}, version=1)
    rows = store.dump_tables()
    assert rows["car_configs"][0]["version"] == 2 and rows["racer_profiles"][0]["version"] == 2
    assert rows["vehicles"][0]["version"] == 1
    other = CsvStore(tmp_path / "other")
    other.upgrade()
    other.import_rows(rows)
    racer_id = other.dump_tables()["racer_profiles"][0]["id"]
    assert other.get_profile(racer_id).version == 2
    assert other.get_car_config(racer_id, other.list_cars(racer_id)[0].id).version == 2
    # A file from before versions (no such column) reads as version 1.
    del rows["car_configs"][0]["version"]
    fresh = CsvStore(tmp_path / "fresh")
    fresh.upgrade()
    fresh.import_rows(rows)
    assert fresh.dump_tables()["car_configs"][0]["version"] == 1


def _race(store: Store, rid: str, car_id: str, *saves: tuple[str, int]) -> list[str]:
    """Both ``saves`` (key, value) from the page as stored now, released at once: which
    landed (their key) and which were refused ("stale")."""
    seen = store.get_car_config(rid, car_id)
    barrier = threading.Barrier(len(saves))
    outcome: list[str] = []

    def save(key: str, value: int) -> None:
        barrier.wait()
        try:
            store.save_car_config(rid, car_id, {**seen.values, key: value},
                                  version=seen.version)
            outcome.append(key)
        except StaleEditError:
            outcome.append("stale")

    threads = [threading.Thread(target=save, args=s) for s in saves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_two_phones_saving_the_same_page_at_once_never_both_land(store: Store) -> None:
    """The finding's race: both saves start from version v at the same moment. The
    compare-and-set lets exactly one through; the other is refused, whatever the order."""
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    rid = user.racer_id
    for round_ in range(1, 6):
        df, so = NB48["DF"] + 500 * round_, NB48["SO_F"] + 10 * round_
        outcome = _race(store, rid, car.id, ("DF", df), ("SO_F", so))
        assert sorted(outcome) in (["DF", "stale"], ["SO_F", "stale"])
        stored = store.get_car_config(rid, car.id)
        assert stored.version == round_ + 1
        won = next(o for o in outcome if o != "stale")
        assert stored.values[won] == (df if won == "DF" else so)


def test_an_import_that_changes_a_record_moves_its_version_on(store: Store) -> None:
    """A page left open at the stored version must go stale when an import changes the
    record under it: the import moves the version past the stored one, whatever version
    the file carries; an import that changes nothing leaves it."""
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    store.save_car_config(user.racer_id, car.id, {**NB48, "DF": 6000}, version=1)  # v2
    rows = store.dump_tables()
    store.import_rows(rows)  # the same values back: nothing moves
    assert store.get_car_config(user.racer_id, car.id).version == 2
    old = {**rows["car_configs"][0], "DF": 5000, "version": 1}  # an older backup's row
    store.import_rows({**rows, "car_configs": [old]})
    stored = store.get_car_config(user.racer_id, car.id)
    assert stored.values["DF"] == 5000 and stored.version == 3
    with pytest.raises(StaleEditError):  # the page opened at v2 is now stale
        store.save_car_config(user.racer_id, car.id, {**NB48, "DF": 7000}, version=2)


def test_an_import_keeps_an_event_setups_version() -> None:
    """Runs and changes name an event setup's version: only edit-guarding versions move."""
    from apex.tables import TABLES
    from apex.versions import EDIT_VERSIONED
    assert "event_setups" not in EDIT_VERSIONED
    assert all("version" in TABLES[t] for t in EDIT_VERSIONED)
