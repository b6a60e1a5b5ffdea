"""Store contract, race day: runs, their laps and confidence, and notes.

Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal

from apex.store import Store
from tests.store_events_helpers import new_event


def test_runs_record_the_setup_version_and_close_the_changes_before_them(store: Store) -> None:
    user, _, event = new_event(store)
    p1 = store.add_run(user.racer_id, event.id, "Practice 1")
    assert (p1.name, p1.setup_version, p1.laps, p1.confidence) == ("Practice 1", 1, (), None)
    change = store.edit_event_setup(user.racer_id, event.id, {"DF": 6000},
                                    source="manual").changes[0]
    assert (change.run_before, change.run_after) == (p1.id, None)
    p2 = store.add_run(user.racer_id, event.id, "Practice 2")
    assert p2.setup_version == 2
    # Started is not tested: a run's first laps make it the change's "run after".
    assert store.list_changes(user.racer_id, event.id)[0].run_after is None
    store.add_laps(user.racer_id, p2.id, [Decimal("31.0")])
    (stored,) = store.list_changes(user.racer_id, event.id)
    assert (stored.run_before, stored.run_after) == (p1.id, p2.id)


def test_laps_of_a_run_started_before_a_change_do_not_test_it(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    p1 = store.add_run(rid, event.id, "Practice 1")
    store.edit_event_setup(rid, event.id, {"DF": 6000}, source="manual")
    store.add_laps(rid, p1.id, [Decimal("31.0")])  # typed in after the change was made
    assert store.list_changes(rid, event.id)[0].run_after is None
    p2 = store.add_run(rid, event.id, "Practice 2")
    store.add_laps(rid, p2.id, [Decimal("30.8")])
    assert store.list_changes(rid, event.id)[0].run_after == p2.id
    assert [r.name for r in store.list_runs(user.racer_id, event.id)] == [
        "Practice 1", "Practice 2"]


def test_laps_append_in_order_and_a_deleted_lap_closes_the_gap(store: Store) -> None:
    user, _, event = new_event(store)
    run = store.add_run(user.racer_id, event.id, "Q1")
    store.add_laps(user.racer_id, run.id, [Decimal("31.842"), Decimal("62.417")])
    run = store.add_laps(user.racer_id, run.id, [Decimal("30.5")])
    assert [(lap.lap_number, lap.seconds) for lap in run.laps] == [
        (1, Decimal("31.842")), (2, Decimal("62.417")), (3, Decimal("30.500"))]
    run = store.delete_lap(user.racer_id, run.id, 2)
    assert [(lap.lap_number, lap.seconds) for lap in run.laps] == [
        (1, Decimal("31.842")), (2, Decimal("30.500"))]
    assert store.get_run(user.racer_id, run.id) == run
    assert store.list_runs(user.racer_id, event.id) == [run]


def test_runs_listed_without_laps_count_their_live_laps(store: Store) -> None:
    """``list_runs(laps=False)`` (Race Support: one run's laps are read, the others'
    counted): the same runs, no lap read, each with its live lap count."""
    user, _, event = new_event(store)
    bob, _, bobs = new_event(store, "bob")
    q1 = store.add_run(user.racer_id, event.id, "Q1")
    store.add_laps(user.racer_id, q1.id, [Decimal("31.8"), Decimal("32.4"), Decimal("30.5")])
    store.delete_lap(user.racer_id, q1.id, 2)  # deleted, waiting for its undo: not counted
    q2 = store.add_run(user.racer_id, event.id, "Q2")
    full = store.list_runs(user.racer_id, event.id)
    brief = store.list_runs(user.racer_id, event.id, laps=False)
    assert [(r.id, r.name, r.setup_version, r.laps, r.lap_count) for r in brief] == [
        (q1.id, "Q1", q1.setup_version, (), 2), (q2.id, "Q2", q2.setup_version, (), 0)]
    assert [r.lap_count for r in full] == [2, 0]
    assert [len(r.laps) for r in full] == [2, 0]
    assert store.list_runs(bob.racer_id, event.id, laps=False) == []  # not bob's event
    assert store.list_runs(user.racer_id, bobs.id, laps=False) == []


def test_a_retried_lap_paste_is_stored_once(store: Store) -> None:
    user, _, event = new_event(store)
    run = store.add_run(user.racer_id, event.id, "Q1")
    key = "1" * 32
    store.add_laps(user.racer_id, run.id, [Decimal("31.1"), Decimal("31.2")], request_key=key)
    again = store.add_laps(user.racer_id, run.id, [Decimal("31.1"), Decimal("31.2")],
                           request_key=key)
    assert len(again.laps) == 2


def test_confidence_is_set_and_cleared(store: Store) -> None:
    user, _, event = new_event(store)
    run = store.add_run(user.racer_id, event.id, "A-Main")
    assert store.set_run_confidence(user.racer_id, run.id, 4).confidence == 4
    assert store.get_run(user.racer_id, run.id).confidence == 4
    assert store.set_run_confidence(user.racer_id, run.id, None).confidence is None


def test_event_notes_carry_track_car_event_and_run(store: Store) -> None:
    user, car, event = new_event(store)
    run = store.add_run(user.racer_id, event.id, "Practice 1")
    note = store.add_event_log(user.racer_id, event.id, "note", "Loose on entry",
                               keywords="loose entry")
    symptom = store.add_event_log(user.racer_id, event.id, "symptom", "Bottoming",
                                  run_id=run.id)
    assert (note.track, note.car, note.event, note.event_id, note.keywords) == (
        "Mac's Track", car.label, "Winter Cup", event.id, "loose entry")
    assert (symptom.kind, symptom.run_id) == ("symptom", run.id)
    assert store.list_event_logs(user.racer_id, event.id) == [symptom, note]
    assert store.delete_track_log(user.racer_id, note.id)
    assert store.list_event_logs(user.racer_id, event.id) == [symptom]


def test_a_retried_note_is_stored_once(store: Store) -> None:
    user, _, event = new_event(store)
    key = "2" * 32
    assert store.add_event_log(user.racer_id, event.id, "note", "Pushes", request_key=key)
    assert store.add_event_log(user.racer_id, event.id, "note", "Pushes",
                               request_key=key) is None
    assert len(store.list_event_logs(user.racer_id, event.id)) == 1
