"""Store contract, race day: events, their setup and its changes, runs, laps and notes.

Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from apex.event_setup import values_at
from apex.store import DuplicateError, StaleSetupError, Store
from tests.conftest import CAR, NB48, new_user
from tests.conftest import EVENT as BASE_EVENT

# conftest's event with every field a store keeps.
EVENT = {**BASE_EVENT, "track_size": "Large", "surface": "Dry", "temperature": 18,
         "practice_rounds": 4, "qualifying_rounds": 3, "baseline": "Shop Master"}


def _event(store: Store, name: str = "alice"):
    user = new_user(store, name)
    car = store.add_car(user.racer_id, CAR, NB48)
    event = store.start_event(user.racer_id, {**EVENT, "car_id": car.id}, NB48)
    return user, car, event


def test_start_event_copies_the_setup_at_version_one(store: Store) -> None:
    user, car, event = _event(store)
    assert (event.name, event.type, event.car_id, event.track, event.temperature) == (
        "Winter Cup", "Practice", car.id, "Mac's Track", 18)
    assert event.is_active and event.end_date is None
    assert store.get_event(user.racer_id, event.id) == event
    setup = store.get_event_setup(user.racer_id, event.id)
    assert setup.version == 1
    assert setup.values == NB48
    assert store.list_events(user.racer_id) == [event]


def test_one_active_event_per_car_until_it_is_closed(store: Store) -> None:
    user, car, event = _event(store)
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
    user, _, event = _event(store)
    assert store.close_event(user.racer_id, event.id, date(2026, 1, 1)).end_date == (
        event.start_date)


def test_start_event_needs_the_racers_own_car(store: Store) -> None:
    _, car, _ = _event(store)
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


def test_an_edit_records_one_change_per_changed_parameter(store: Store) -> None:
    user, _, event = _event(store)
    edit = store.edit_event_setup(user.racer_id, event.id,
                                  {"DF": 6000, "SO_F": 450, "SP_F": "green", "RH_F": Decimal("28")},
                                  source="manual", version=1)
    # SO_F and SP_F ("green" is the Green spring) are unchanged.
    assert [(c.parameter, c.old_value, c.new_value) for c in edit.changes] == [
        ("DF", "7000", "6000"), ("RH_F", "27.0", "28.0")]
    assert {c.source for c in edit.changes} == {"manual"}
    assert {c.version for c in edit.changes} == {2}
    assert {c.status for c in edit.changes} == {"accepted"}
    assert edit.setup.version == 2
    stored = store.get_event_setup(user.racer_id, event.id)
    assert stored.values["DF"] == 6000 and stored.values["RH_F"] == Decimal("28.0")
    assert stored.values["SP_F"] == "Green"
    assert store.list_changes(user.racer_id, event.id) == edit.changes


def test_an_edit_that_changes_nothing_keeps_the_version(store: Store) -> None:
    user, _, event = _event(store)
    edit = store.edit_event_setup(user.racer_id, event.id, {"DF": 7000}, source="manual",
                                  version=1)
    assert edit.changes == [] and edit.setup.version == 1
    assert store.list_changes(user.racer_id, event.id) == []


def test_a_save_from_a_stale_page_is_refused_with_the_stored_setup(store: Store) -> None:
    user, _, event = _event(store)
    store.edit_event_setup(user.racer_id, event.id, {"DF": 6000}, source="manual", version=1)
    with pytest.raises(StaleSetupError) as err:
        store.edit_event_setup(user.racer_id, event.id, {"DF": 8000}, source="manual",
                               version=1)
    assert err.value.current.version == 2 and err.value.current.values["DF"] == 6000
    assert store.get_event_setup(user.racer_id, event.id).values["DF"] == 6000
    assert len(store.list_changes(user.racer_id, event.id)) == 1


def test_two_phones_saving_at_once_both_land_one_after_the_other(store: Store) -> None:
    """Without a version each save merges its own parameters: none is lost."""
    user, _, event = _event(store)
    barrier = threading.Barrier(2)

    def save(values: dict) -> None:
        barrier.wait()
        store.edit_event_setup(user.racer_id, event.id, values, source="manual")

    threads = [threading.Thread(target=save, args=(v,)) for v in ({"DF": 6000}, {"DR": 4000})]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    setup = store.get_event_setup(user.racer_id, event.id)
    assert (setup.values["DF"], setup.values["DR"], setup.version) == (6000, 4000, 3)
    assert sorted(c.version for c in store.list_changes(user.racer_id, event.id)) == [2, 3]


def test_revert_sets_the_old_value_back_as_a_new_change(store: Store) -> None:
    user, _, event = _event(store)
    change = store.edit_event_setup(user.racer_id, event.id, {"SO_F": 500},
                                    source="manual").changes[0]
    edit = store.revert_change(user.racer_id, change.id)
    assert [(c.parameter, c.old_value, c.new_value) for c in edit.changes] == [
        ("SO_F", "500", "450")]
    assert store.get_event_setup(user.racer_id, event.id).values["SO_F"] == 450
    statuses = [c.status for c in store.list_changes(user.racer_id, event.id)]
    assert statuses == ["reverted", "accepted"]
    assert store.revert_change(user.racer_id, change.id) is None  # already reverted


def test_runs_record_the_setup_version_and_close_the_changes_before_them(store: Store) -> None:
    user, _, event = _event(store)
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
    user, _, event = _event(store)
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
    user, _, event = _event(store)
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


def test_a_retried_lap_paste_is_stored_once(store: Store) -> None:
    user, _, event = _event(store)
    run = store.add_run(user.racer_id, event.id, "Q1")
    key = "1" * 32
    store.add_laps(user.racer_id, run.id, [Decimal("31.1"), Decimal("31.2")], request_key=key)
    again = store.add_laps(user.racer_id, run.id, [Decimal("31.1"), Decimal("31.2")],
                           request_key=key)
    assert len(again.laps) == 2


def test_confidence_is_set_and_cleared(store: Store) -> None:
    user, _, event = _event(store)
    run = store.add_run(user.racer_id, event.id, "A-Main")
    assert store.set_run_confidence(user.racer_id, run.id, 4).confidence == 4
    assert store.get_run(user.racer_id, run.id).confidence == 4
    assert store.set_run_confidence(user.racer_id, run.id, None).confidence is None


def test_event_notes_carry_track_car_event_and_run(store: Store) -> None:
    user, car, event = _event(store)
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
    user, _, event = _event(store)
    key = "2" * 32
    assert store.add_event_log(user.racer_id, event.id, "note", "Pushes", request_key=key)
    assert store.add_event_log(user.racer_id, event.id, "note", "Pushes",
                               request_key=key) is None
    assert len(store.list_event_logs(user.racer_id, event.id)) == 1


def test_another_racers_race_day_reads_as_missing(store: Store) -> None:
    alice, car, event = _event(store)
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
    user, car, event = _event(store)
    assert store.delete_car(user.racer_id, car.id)
    assert store.get_event(user.racer_id, event.id) is None
    assert store.list_events(user.racer_id) == []


def test_values_at_an_earlier_version_undo_later_changes(store: Store) -> None:
    user, _, event = _event(store)
    store.edit_event_setup(user.racer_id, event.id, {"DF": 6000, "SO_F": 500}, source="manual")
    store.edit_event_setup(user.racer_id, event.id, {"DF": 5000}, source="manual")
    setup = store.get_event_setup(user.racer_id, event.id)
    changes = store.list_changes(user.racer_id, event.id)
    assert values_at(setup.values, changes, 1) == NB48
    at_two = values_at(setup.values, changes, 2)
    assert (at_two["DF"], at_two["SO_F"]) == (6000, 500)


# --- closing with an audit, reopening, history ------------------------------------------------

AUDIT = {"rating": 4, "gain": "Corner exit", "observation": "Drove the rhythm section clean",
         "best_lap": Decimal("31.388")}


def test_closing_with_an_audit_judges_the_changes_without_a_verdict(store: Store) -> None:
    user, _, event = _event(store)
    rid = user.racer_id
    first = store.edit_event_setup(rid, event.id, {"DF": 6000}, source="manual").changes[0]
    reverted = store.edit_event_setup(rid, event.id, {"SO_F": 500}, source="manual").changes[0]
    store.revert_change(rid, reverted.id)
    closed = store.close_event(rid, event.id, date(2026, 11, 21), AUDIT)
    assert closed.status == "closed"
    audit = store.get_audit(rid, event.id)
    assert (audit.rating, audit.gain, audit.symptom, audit.best_lap, audit.verdict) == (
        4, "Corner exit", "", Decimal("31.388"), "success")
    verdicts = {c.id: (c.status, c.verdict) for c in store.list_changes(rid, event.id)}
    assert verdicts[first.id] == ("accepted", "success")
    assert verdicts[reverted.id] == ("reverted", "")
    # Closed already: a second close records no second audit.
    store.close_event(rid, event.id, date(2026, 11, 22), {**AUDIT, "rating": 1})
    assert store.get_audit(rid, event.id).rating == 4


def test_reopen_keeps_the_audit_and_refuses_a_second_active_event(store: Store) -> None:
    user, car, event = _event(store)
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
    user, car, event = _event(store)
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


# --- advisor proposals --------------------------------------------------------------------

def test_a_proposal_waits_then_accepting_applies_it_as_a_change(store: Store) -> None:
    user, _, event = _event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Practice 1")
    proposal = store.propose_change(rid, event.id, "DF", 6000, "Push on entry: thinner front diff")
    assert (proposal.status, proposal.source, proposal.old_value, proposal.new_value,
            proposal.version) == ("pending", "advisor", "7000", "6000", None)
    assert store.get_event_setup(rid, event.id).values["DF"] == 7000  # nothing applied yet
    store.edit_event_setup(rid, event.id, {"SO_F": 500}, source="manual")
    edit = store.accept_proposal(rid, proposal.id)
    assert edit.setup.values["DF"] == 6000 and edit.setup.version == 3
    (accepted,) = edit.changes
    assert (accepted.id, accepted.status, accepted.version, accepted.run_before) == (
        proposal.id, "accepted", 3, run.id)
    changes = store.list_changes(rid, event.id)
    assert [c.parameter for c in changes] == ["SO_F", "DF"]  # in the order they were applied
    assert store.accept_proposal(rid, proposal.id) is None  # not pending any more


def test_deny_marks_it_denied_and_changes_nothing(store: Store) -> None:
    user, _, event = _event(store)
    rid = user.racer_id
    proposal = store.propose_change(rid, event.id, "SO_F", 500, "Loose on entry")
    denied = store.deny_proposal(rid, proposal.id)
    assert (denied.status, denied.verdict) == ("denied", "")
    assert store.get_event_setup(rid, event.id).version == 1
    assert store.accept_proposal(rid, proposal.id) is None
    assert store.deny_proposal(rid, proposal.id) is None


def test_another_racers_proposals_are_out_of_reach(store: Store) -> None:
    alice, _, event = _event(store)
    proposal = store.propose_change(alice.racer_id, event.id, "DF", 6000, "why")
    bob = new_user(store, "bob").racer_id
    assert store.accept_proposal(bob, proposal.id) is None
    assert store.deny_proposal(bob, proposal.id) is None
    with pytest.raises(LookupError):
        store.propose_change(bob, event.id, "DF", 5000, "why")
    assert store.list_changes(alice.racer_id, event.id)[0].status == "pending"


def test_no_undo_of_a_change_that_a_later_one_overtook(store: Store) -> None:
    user, _, event = _event(store)
    rid = user.racer_id
    older = store.edit_event_setup(rid, event.id, {"SO_F": 500}, source="manual").changes[0]
    store.edit_event_setup(rid, event.id, {"SO_F": 550}, source="manual")
    assert store.revert_change(rid, older.id) is None
    assert store.get_event_setup(rid, event.id).values["SO_F"] == 550
    assert store.list_changes(rid, event.id)[0].status == "accepted"


def test_a_proposal_the_setup_moved_away_from_is_not_applied(store: Store) -> None:
    user, _, event = _event(store)
    rid = user.racer_id
    proposal = store.propose_change(rid, event.id, "DF", 6000, "Push on entry")
    store.edit_event_setup(rid, event.id, {"DF": 6500}, source="manual")
    assert store.accept_proposal(rid, proposal.id) is None
    assert store.get_event_setup(rid, event.id).values["DF"] == 6500
    assert store.list_changes(rid, event.id)[0].status == "pending"


def test_deleting_the_car_keeps_its_notes_unlinked_and_exportable(store: Store) -> None:
    user, car, event = _event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Q1")
    store.add_event_log(rid, event.id, "note", "note at event", run_id=run.id)
    store.delete_car(rid, car.id)
    (note,) = store.list_track_logs(rid)
    assert (note.note, note.event_id, note.run_id) == ("note at event", None, None)
    dumped = store.dump_tables()
    assert [r["note"] for r in dumped["track_logs"]] == ["note at event"]
    assert dumped["events"] == [] and dumped["runs"] == []
