"""Store contract, race day: starting an event, closing it with an audit, reopening it,
the history; another racer's ids; the car going.

Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apex.store import DuplicateError, Store
from tests.conftest import CAR, NB48, new_user
from tests.store_events_helpers import EVENT, new_event


def test_start_event_copies_the_setup_at_version_one(store: Store) -> None:
    user, car, event = new_event(store)
    assert (event.name, event.type, event.car_id, event.track, event.temperature) == (
        "Winter Cup", "Practice", car.id, "Mac's Track", 18)
    assert event.is_active and event.end_date is None
    assert store.get_event(user.racer_id, event.id) == event
    setup = store.get_event_setup(user.racer_id, event.id)
    assert setup.version == 1
    assert setup.values == NB48
    assert store.list_events(user.racer_id) == [event]


def test_one_active_event_per_car_until_it_is_closed(store: Store) -> None:
    user, car, event = new_event(store)
    with pytest.raises(DuplicateError) as err:
        store.start_event(user.racer_id, {**EVENT, "car_id": car.id}, NB48)
    assert err.value.field == "car_id"
    assert len(store.list_events(user.racer_id)) == 1
    closed = store.close_event(user.racer_id, event.id, date(2026, 11, 22))
    assert (closed.status, closed.end_date) == ("closed", date(2026, 11, 22))
    second = store.start_event(user.racer_id, {**EVENT, "name": "Day 2", "car_id": car.id}, NB48)
    assert [e.name for e in store.list_events(user.racer_id)] == ["Day 2", "Winter Cup"]
    assert second.is_active


def test_an_end_date_is_never_before_the_start(store: Store) -> None:
    user, _, event = new_event(store)
    assert store.close_event(user.racer_id, event.id, date(2026, 1, 1)).end_date == (
        event.start_date)


def test_start_event_needs_the_racers_own_car(store: Store) -> None:
    _, car, _ = new_event(store)
    bob = new_user(store, "bob")
    with pytest.raises(LookupError):
        store.start_event(bob.racer_id, {**EVENT, "car_id": car.id}, NB48)
    with pytest.raises(LookupError):
        store.start_event(bob.racer_id, {**EVENT, "car_id": "nope"}, NB48)
    assert store.list_events(bob.racer_id) == []


def test_a_retried_start_with_the_same_key_creates_one_event(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    key = "0" * 32
    first = store.start_event(user.racer_id, {**EVENT, "car_id": car.id}, NB48, request_key=key)
    assert first is not None
    assert store.start_event(user.racer_id, {**EVENT, "car_id": car.id}, NB48,
                             request_key=key) is None
    assert len(store.list_events(user.racer_id)) == 1


# --- another racer, a deleted car ---------------------------------------------------------

def test_another_racers_race_day_reads_as_missing(store: Store) -> None:
    alice, car, event = new_event(store)
    run = store.add_run(alice.racer_id, event.id, "Q1")
    store.add_laps(alice.racer_id, run.id, [Decimal("30")])
    change = store.edit_event_setup(alice.racer_id, event.id, {"DF": 6000},
                                    source="manual").changes[0]
    note = store.add_event_log(alice.racer_id, event.id, "note", "mine")
    bob = new_user(store, "bob").racer_id
    assert store.get_event(bob, event.id) is None
    assert store.list_events(bob) == []
    assert store.get_event_setup(bob, event.id) is None
    assert store.edit_event_setup(bob, event.id, {"DF": 1000}, source="manual") is None
    assert store.close_event(bob, event.id, date(2026, 11, 22)) is None
    assert store.list_changes(bob, event.id) == []
    assert store.revert_change(bob, change.id) is None
    assert store.list_runs(bob, event.id) == []
    assert store.get_run(bob, run.id) is None
    assert store.add_laps(bob, run.id, [Decimal("1")]) is None
    assert store.delete_lap(bob, run.id, 1) is None
    assert store.set_run_confidence(bob, run.id, 1) is None
    assert store.list_event_logs(bob, event.id) == []
    assert store.delete_track_log(bob, note.id) is False
    for call in (lambda: store.add_run(bob, event.id, "x"),
                 lambda: store.add_event_log(bob, event.id, "note", "x"),
                 lambda: store.add_event_log(alice.racer_id, event.id, "note", "x",
                                             run_id="nope")):
        with pytest.raises(LookupError):
            call()
    # alice's day is untouched
    assert store.get_event_setup(alice.racer_id, event.id).values["DF"] == 6000
    assert len(store.get_run(alice.racer_id, run.id).laps) == 1
    assert len(store.list_event_logs(alice.racer_id, event.id)) == 1
    assert store.get_event(alice.racer_id, "not-a-uuid") is None


def test_deleting_the_car_takes_its_events_out_of_sight(store: Store) -> None:
    user, car, event = new_event(store)
    store.close_event(user.racer_id, event.id, event.start_date)
    store.archive_car(user.racer_id, car.id)
    assert store.delete_car(user.racer_id, car.id)
    assert store.get_event(user.racer_id, event.id) is None
    assert store.list_events(user.racer_id) == []


def test_deleting_the_car_for_good_takes_its_notes_none_left_orphaned(store: Store) -> None:
    user, car, event = new_event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Q1")
    store.add_event_log(rid, event.id, "note", "note at event", run_id=run.id)
    store.add_track_log(rid, "note", "no car's note")
    store.close_event(rid, event.id, event.start_date)
    store.archive_car(rid, car.id)
    store.delete_car(rid, car.id)
    assert [n.note for n in store.list_track_logs(rid)] == ["no car's note"]
    dumped = store.dump_tables()
    assert [r["note"] for r in dumped["track_logs"]] == ["no car's note"]
    assert dumped["events"] == [] and dumped["runs"] == []


# --- closing with an audit, reopening, history ------------------------------------------------

AUDIT = {"rating": 4, "gain": "Corner exit", "observation": "Drove the rhythm section clean",
         "best_lap": Decimal("31.388")}


def test_closing_with_an_audit_stores_it_and_judges_no_change(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    store.edit_event_setup(rid, event.id, {"DF": 6000}, source="manual")
    before = store.list_changes(rid, event.id)
    closed = store.close_event(rid, event.id, date(2026, 11, 21), AUDIT)
    assert closed.status == "closed"
    audit = store.get_audit(rid, event.id)
    assert (audit.rating, audit.gain, audit.symptom, audit.best_lap, audit.verdict) == (
        4, "Corner exit", "", Decimal("31.388"), "success")
    # The changes are as they were: a verdict is the laps' (apex.verdicts), not the audit's.
    assert store.list_changes(rid, event.id) == before
    # Closed already: a second close records no second audit.
    store.close_event(rid, event.id, date(2026, 11, 22), {**AUDIT, "rating": 1})
    assert store.get_audit(rid, event.id).rating == 4


def test_a_reclosed_event_keeps_one_audit_per_close_and_shows_the_latest(
        store: Store) -> None:
    user, car, event = new_event(store)
    rid = user.racer_id
    store.close_event(rid, event.id, date(2026, 11, 21), {**AUDIT, "rating": 2,
                                                          "symptom": "Rear loose", "gain": ""})
    store.reopen_event(rid, event.id)
    store.close_event(rid, event.id, date(2026, 11, 22), AUDIT)
    assert store.get_audit(rid, event.id).rating == 4
    (record,) = [r for r in store.event_history(rid) if r.event.id == event.id]
    assert record.audit is not None and record.audit.rating == 4
    assert store.car_removal(rid, car.id).audits == 2


def test_reopen_keeps_the_audit_and_refuses_a_second_active_event(store: Store) -> None:
    user, car, event = new_event(store)
    rid = user.racer_id
    store.close_event(rid, event.id, date(2026, 11, 21), AUDIT)
    other = store.start_event(rid, {**EVENT, "name": "Next", "car_id": car.id}, NB48)
    with pytest.raises(DuplicateError):
        store.reopen_event(rid, event.id)
    store.close_event(rid, other.id, date(2026, 11, 22))
    reopened = store.reopen_event(rid, event.id)
    assert (reopened.status, reopened.end_date) == ("active", None)
    assert store.get_audit(rid, event.id).rating == 4


def test_history_holds_every_event_with_its_runs_changes_and_audit(store: Store) -> None:
    user, car, event = new_event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Q1")
    store.add_laps(rid, run.id, [Decimal("31.5"), Decimal("31.2")])
    store.edit_event_setup(rid, event.id, {"DF": 6000}, source="manual")
    store.close_event(rid, event.id, date(2026, 11, 21), AUDIT)
    later = store.start_event(rid, {**EVENT, "name": "Later", "start_date": date(2026, 12, 5),
                                    "car_id": car.id}, NB48)
    history = store.event_history(rid)
    assert [r.event.name for r in history] == ["Later", "Winter Cup"]
    newest, older = history
    assert (newest.runs, newest.changes, newest.audit) == ([], [], None)
    assert [len(r.laps) for r in older.runs] == [2]
    assert [c.parameter for c in older.changes] == ["DF"]
    assert older.audit.rating == 4
    assert newest.event == later
    bob = new_user(store, "bob").racer_id
    assert store.event_history(bob) == []
    assert store.get_audit(bob, event.id) is None
    assert store.reopen_event(bob, event.id) is None
