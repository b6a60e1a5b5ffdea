"""Issue 12 finding 3, the store contract: removing a car archives it (nothing of its
history goes); deleting for good is only for an archived car and takes all of it,
notes included, and nothing else; a racer's export and account deletion."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from apex.car_rules import CarRefused, CarRemoval
from apex.store import DuplicateError, Store
from tests.conftest import CAR, EVENT, NB48, NT48, new_user


def _day(store: Store, racer_id: str, car_id: str, *, close: bool = True) -> dict[str, str]:
    """An event of the car with a run of laps, a change, a note and (closed) an audit."""
    event = store.start_event(racer_id, {**EVENT, "car_id": car_id}, NB48)
    run = store.add_run(racer_id, event.id, "Q1")
    store.add_laps(racer_id, run.id, [Decimal("31.5"), Decimal("30.9")])
    store.edit_event_setup(racer_id, event.id, {"DF": 8000}, source="manual")
    store.add_event_log(racer_id, event.id, "note", "grip came up", run_id=run.id)
    if close:
        store.close_event(racer_id, event.id, date(2026, 11, 22), {"rating": 4, "gain": "x"})
    return {"event": event.id, "run": run.id}


def _archived_car(store: Store, racer_id: str, **fields: str):
    car = store.add_car(racer_id, {**CAR, **fields}, NB48)
    ids = _day(store, racer_id, car.id)
    store.add_track_log(racer_id, "change", "Shop Master: DF 8000", car=car.label)
    assert store.archive_car(racer_id, car.id) is not None
    return car, ids


def test_archiving_keeps_the_car_and_its_whole_history(store: Store) -> None:
    rid = new_user(store).racer_id
    keep = store.add_car(rid, {**CAR, "nickname": "Keep"}, NT48)
    car, ids = _archived_car(store, rid)
    assert store.list_cars(rid) == [keep]  # out of the garage and its pickers
    (archived,) = store.list_cars(rid, archived=True)
    assert archived.id == car.id and archived.archived
    assert {c.id for c in store.list_cars(rid, archived=None)} == {car.id, keep.id}
    assert store.get_car(rid, car.id).archived  # still readable by id
    assert store.get_car_config(rid, car.id).values == NB48
    assert store.get_event(rid, ids["event"]) is not None
    assert [lap.seconds for lap in store.get_run(rid, ids["run"]).laps] == [
        Decimal("31.500"), Decimal("30.900")]
    assert len(store.list_changes(rid, ids["event"])) == 1
    assert store.get_audit(rid, ids["event"]).rating == 4
    assert len(store.list_event_logs(rid, ids["event"])) == 1
    assert len(store.list_track_logs(rid)) == 2


def test_an_archived_car_starts_no_event_and_reopens_none(store: Store) -> None:
    rid = new_user(store).racer_id
    car, ids = _archived_car(store, rid)
    with pytest.raises(LookupError):
        store.start_event(rid, {**EVENT, "car_id": car.id}, NB48)
    with pytest.raises(DuplicateError):
        store.reopen_event(rid, ids["event"])
    assert store.restore_car(rid, car.id).archived_at is None
    assert store.reopen_event(rid, ids["event"]).is_active


def test_a_car_with_an_open_event_is_not_archived(store: Store) -> None:
    rid = new_user(store).racer_id
    car = store.add_car(rid, CAR, NB48)
    _day(store, rid, car.id, close=False)
    with pytest.raises(CarRefused):
        store.archive_car(rid, car.id)
    assert not store.get_car(rid, car.id).archived


def test_restore_brings_the_car_back_into_the_garage(store: Store) -> None:
    rid = new_user(store).racer_id
    car, _ids = _archived_car(store, rid)
    restored = store.restore_car(rid, car.id)
    assert restored is not None and not restored.archived
    assert [c.id for c in store.list_cars(rid)] == [car.id]
    assert store.list_cars(rid, archived=True) == []


def test_a_car_in_use_is_not_deleted_for_good(store: Store) -> None:
    rid = new_user(store).racer_id
    car = store.add_car(rid, CAR, NB48)
    ids = _day(store, rid, car.id)
    assert store.delete_car(rid, car.id) is False
    assert store.get_event(rid, ids["event"]) is not None


def test_removal_counts_what_deleting_for_good_takes(store: Store) -> None:
    rid = new_user(store).racer_id
    car, _ids = _archived_car(store, rid)
    # one event: a run of 2 laps, 1 change, 1 audit; its event note and its Shop Master note
    assert store.car_removal(rid, car.id) == CarRemoval(
        events=1, runs=1, laps=2, changes=1, audits=1, notes=2)


def test_delete_for_good_takes_all_of_the_car_and_nothing_else(store: Store) -> None:
    alice, bob = new_user(store).racer_id, new_user(store, "bob").racer_id
    other = store.add_car(alice, {**CAR, "nickname": "Other"}, NT48)
    other_ids = _day(store, alice, other.id)
    store.add_track_log(alice, "note", "about the other car", car=other.label)
    store.add_track_log(alice, "note", "a note of no car")
    bobs = store.add_car(bob, CAR, NB48)  # same name as alice's: bob's own
    bob_ids = _day(store, bob, bobs.id)
    car, ids = _archived_car(store, alice)
    before = store.dump_tables()

    assert store.delete_car(alice, car.id) is True

    assert store.get_car(alice, car.id) is None
    assert store.get_event(alice, ids["event"]) is None
    assert store.get_run(alice, ids["run"]) is None
    after = store.dump_tables()
    notes = [r for r in after["track_logs"] if r["profile_id"] == alice]
    assert not any(r["note"] == "Shop Master: DF 8000" for r in notes)
    assert [r["event_id"] for r in notes if r["note"] == "grip came up"] == [other_ids["event"]]
    # nothing orphaned, and every other row exactly as it was
    gone = {"vehicles": 1, "car_configs": 1, "events": 1, "event_setups": 1, "runs": 1,
            "laps": 2, "setup_changes": 1, "audits": 1, "track_logs": 2}
    for table, rows in before.items():
        assert len(after[table]) == len(rows) - gone.get(table, 0), table
        assert all(r in rows for r in after[table]), table
    assert store.get_event(alice, other_ids["event"]) is not None
    assert store.get_event(bob, bob_ids["event"]) is not None
    assert len(store.list_track_logs(alice)) == 3  # the other car's two, the carless one


def test_deleting_for_good_is_the_racers_only(store: Store) -> None:
    alice, bob = new_user(store).racer_id, new_user(store, "bob").racer_id
    car, ids = _archived_car(store, alice)
    assert store.car_removal(bob, car.id) is None
    assert store.delete_car(bob, car.id) is False
    assert store.archive_car(bob, car.id) is None and store.restore_car(bob, car.id) is None
    assert store.get_event(alice, ids["event"]) is not None


# -- the racer's export ---------------------------------------------------------------


def test_export_holds_the_racers_rows_only_and_no_password(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    car = store.add_car(alice.racer_id, CAR, NB48)
    _day(store, alice.racer_id, car.id)
    store.add_library_baselines(alice.racer_id, [(_BASELINE, NB48)])
    bobs = store.add_car(bob.racer_id, CAR, NB48)
    _day(store, bob.racer_id, bobs.id)
    store.add_library_baselines(bob.racer_id, [({**_BASELINE, "track": "Bob's"}, NB48)])

    rows = store.export_racer(alice.racer_id)

    assert [u["username"] for u in rows["users"]] == ["alice"]
    assert rows["users"][0]["password_hash"] == ""
    assert [p["id"] for p in rows["racer_profiles"]] == [alice.racer_id]
    assert [v["id"] for v in rows["vehicles"]] == [car.id]
    assert [b["track"] for b in rows["master_library"]] == ["Ridge"]
    assert len(rows["laps"]) == 2 and len(rows["audits"]) == 1
    whole = store.dump_tables()
    for table, mine in rows.items():
        theirs = [r for r in whole[table] if r not in mine
                  and {**r, "password_hash": ""} not in mine]
        assert len(mine) + len(theirs) == len(whole[table]), table
    assert "request_keys" not in rows


_BASELINE = {"track": "Ridge", "brand": "Tekno", "vehicle": "NB48 2.2", "condition": "Dry",
             "date": date(2026, 5, 1), "source": "Pro Sheet", "driver_name": "alice",
             "notes": ""}


# -- deleting an account --------------------------------------------------------------


def test_deleting_an_account_takes_everything_of_it_only(store: Store) -> None:
    alice, bob = new_user(store), new_user(store, "bob")
    car = store.add_car(alice.racer_id, CAR, NB48)
    _day(store, alice.racer_id, car.id)
    store.add_sponsor(alice.racer_id, "Fuel Co", "Fuel")
    store.add_library_baselines(alice.racer_id, [
        (_BASELINE, NB48), ({**_BASELINE, "track": "Pro", "driver_name": "R. Maifield"}, NB48)])
    bobs = store.add_car(bob.racer_id, CAR, NB48)
    _day(store, bob.racer_id, bobs.id)
    bob_before = store.export_racer(bob.racer_id)

    assert store.delete_account(alice.id) is True

    assert store.get_user(alice.id) is None and store.find_user("alice") is None
    assert store.get_profile(alice.racer_id) is None
    after = store.dump_tables()
    assert [u["username"] for u in after["users"]] == ["bob"]
    assert store.export_racer(bob.racer_id) == bob_before
    for table in ("sponsors", "vehicles", "events", "runs", "laps", "track_logs", "audits"):
        assert len(after[table]) == len(bob_before[table]), table
    # shared baselines stay, uncredited; the racer's own name as driver is blanked
    shared = {b["track"]: b for b in after["master_library"]}
    assert shared["Ridge"]["submitted_by"] is None and shared["Ridge"]["driver_name"] == ""
    assert shared["Pro"]["driver_name"] == "R. Maifield"
    assert store.delete_account(alice.id) is False


# -- a start or reopen racing an archive (PostgreSQL: the CSV store takes one lock) --------


def _racing_an_archive(store: Store, store_config: dict, car_id: str, call) -> dict:
    """Run ``call`` while another transaction has archived the car but not committed."""
    if store.kind != "postgres":
        pytest.skip("the CSV store runs one method at a time")
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["done"] = call()
        except (LookupError, DuplicateError) as refused:
            outcome["refused"] = type(refused).__name__

    with psycopg.connect(store_config["DATABASE_URL"]) as other:
        other.execute("UPDATE vehicles SET archived_at = now() WHERE id = %s", (car_id,))
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=1)  # a call that does not wait for the archive is done by now
        other.commit()
    thread.join(timeout=30)
    return outcome


def test_an_event_started_while_the_car_is_archived_is_refused(store: Store, store_config):
    rid = new_user(store).racer_id
    car = store.add_car(rid, CAR, NB48)
    outcome = _racing_an_archive(store, store_config, car.id, lambda: store.start_event(
        rid, {**EVENT, "car_id": car.id}, NB48))
    assert outcome == {"refused": "LookupError"}
    assert store.list_events(rid) == []


def test_an_event_reopened_while_the_car_is_archived_is_refused(store: Store, store_config):
    rid = new_user(store).racer_id
    car = store.add_car(rid, CAR, NB48)
    ids = _day(store, rid, car.id)
    outcome = _racing_an_archive(store, store_config, car.id,
                                 lambda: store.reopen_event(rid, ids["event"]))
    assert outcome == {"refused": "DuplicateError"}
    assert not store.get_event(rid, ids["event"]).is_active
