"""Store contract: every note reachable a page at a time, and undoable deletes of a
note and of a lap (issue 12). Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from apex.lap_stats import run_stats
from apex.models import TrackLog
from apex.race_rules import UNDO_WINDOW
from apex.store import Store
from apex.stores.csv import CsvStore
from tests.conftest import CAR, NB48
from tests.store_events_helpers import EVENT, new_event


def _all_pages(store: Store, racer_id: str, size: int, **where: str) -> list[list[TrackLog]]:
    pages: list[list[TrackLog]] = []
    before = None
    while True:
        page = store.page_track_logs(racer_id, before=before, limit=size, **where)
        assert page is not None
        if not page:
            return pages
        pages.append(page)
        before = (page[-1].timestamp, page[-1].id)


def test_45_notes_of_an_event_are_all_reachable_newest_first_none_twice(store: Store) -> None:
    user, _, event = new_event(store)
    written = [store.add_event_log(user.racer_id, event.id, "note", f"note {i}")
               for i in range(45)]
    pages = _all_pages(store, user.racer_id, 20, event_id=event.id)
    assert [len(p) for p in pages] == [20, 20, 5]
    seen = [log.id for page in pages for log in page]
    assert seen == [log.id for log in reversed(written)]  # newest first, every one once


def test_the_notes_of_a_car_are_its_events_and_its_notebook_entries(store: Store) -> None:
    user, car, event = new_event(store)
    rid = user.racer_id
    other_car = store.add_car(rid, {**CAR, "nickname": "Red"}, NB48)
    other = store.start_event(rid, {**EVENT, "name": "Elsewhere", "car_id": other_car.id}, NB48)
    store.add_event_log(rid, other.id, "note", "not this car")
    mine = []
    for i in range(45):
        if i % 3:
            mine.append(store.add_event_log(rid, event.id, "note", f"event note {i}"))
        else:  # the Garage notebook writes the car's label, no event
            mine.append(store.add_track_log(rid, "note", f"notebook {i}", car=car.label))
    pages = _all_pages(store, rid, 7, car_id=car.id)
    seen = [log.id for page in pages for log in page]
    assert seen == [log.id for log in reversed(mine)]


def test_another_racers_event_or_car_has_no_pages(store: Store) -> None:
    alice, car, event = new_event(store, "alice")
    bob, _, _ = new_event(store, "bob")
    store.add_event_log(alice.racer_id, event.id, "note", "mine")
    assert store.page_track_logs(bob.racer_id, event_id=event.id) is None
    assert store.page_track_logs(bob.racer_id, car_id=car.id) is None
    assert store.page_track_logs(bob.racer_id, event_id="nope") is None


def test_a_deleted_note_is_gone_everywhere_until_it_is_restored_exactly(store: Store) -> None:
    user, car, event = new_event(store)
    rid = user.racer_id
    keep = store.add_event_log(rid, event.id, "note", "keep")
    typo = store.add_event_log(rid, event.id, "note", "typo, loose exit", keywords="loose exit")
    assert store.delete_track_log(rid, typo.id)
    assert store.list_event_logs(rid, event.id) == [keep]
    assert store.page_track_logs(rid, event_id=event.id) == [keep]
    assert store.page_track_logs(rid, car_id=car.id) == [keep]
    assert typo.id not in {log.id for log in store.list_track_logs(rid)}
    assert typo.id not in {r["id"] for r in store.dump_tables()["track_logs"]}
    assert not store.delete_track_log(rid, typo.id)  # deleted already
    assert store.restore_track_log(rid, typo.id) == typo
    assert store.list_event_logs(rid, event.id) == [typo, keep]
    assert store.restore_track_log(rid, typo.id) is None  # nothing left to undo


def test_another_racer_can_neither_delete_nor_restore_a_note(store: Store) -> None:
    alice, _, event = new_event(store, "alice")
    bob, _, _ = new_event(store, "bob")
    note = store.add_event_log(alice.racer_id, event.id, "note", "mine")
    assert not store.delete_track_log(bob.racer_id, note.id)
    assert store.delete_track_log(alice.racer_id, note.id)
    assert store.restore_track_log(bob.racer_id, note.id) is None
    assert store.restore_track_log(bob.racer_id, "nope") is None
    assert store.list_event_logs(alice.racer_id, event.id) == []


def test_a_deleted_lap_leaves_runs_and_stats_and_comes_back_in_its_place(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Q1")
    laps = [Decimal(s) for s in ("31.100", "45.500", "31.300", "31.200")]
    before = store.add_laps(rid, run.id, laps)
    after = store.delete_lap(rid, run.id, 2)
    assert [(lap.lap_number, lap.seconds) for lap in after.laps] == [
        (1, Decimal("31.100")), (2, Decimal("31.300")), (3, Decimal("31.200"))]
    assert run_stats(after.seconds).laps == 3
    assert store.list_runs(rid, event.id) == [after]
    (record,) = store.event_history(rid)
    assert list(record.runs) == [after]
    assert len([r for r in store.dump_tables()["laps"] if r["run_id"] == run.id]) == 3
    # a lap added meanwhile is numbered after the live ones
    grown = store.add_laps(rid, run.id, [Decimal("30.900")])
    assert [lap.lap_number for lap in grown.laps] == [1, 2, 3, 4]
    restored = store.restore_lap(rid, run.id, 2)
    assert restored.laps[:4] == before.laps
    assert [(lap.lap_number, lap.seconds) for lap in restored.laps][4:] == [
        (5, Decimal("30.900"))]
    assert store.get_run(rid, run.id) == restored
    assert store.restore_lap(rid, run.id, 2) is None  # nothing left to undo


def test_two_deleted_laps_come_back_in_reverse_order_exactly(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Q1")
    before = store.add_laps(rid, run.id, [Decimal(s) for s in ("31.1", "45.5", "50.2", "31.3")])
    store.delete_lap(rid, run.id, 2)
    store.delete_lap(rid, run.id, 2)  # the 50.2 moved up to lap 2
    assert [lap.seconds for lap in store.get_run(rid, run.id).laps] == [
        Decimal("31.100"), Decimal("31.300")]
    store.restore_lap(rid, run.id, 2)
    assert store.restore_lap(rid, run.id, 2) == before


def test_another_racer_cannot_restore_a_lap(store: Store) -> None:
    alice, _, event = new_event(store, "alice")
    bob, _, _ = new_event(store, "bob")
    run = store.add_run(alice.racer_id, event.id, "Q1")
    store.add_laps(alice.racer_id, run.id, [Decimal("31.1"), Decimal("31.2")])
    store.delete_lap(alice.racer_id, run.id, 1)
    assert store.restore_lap(bob.racer_id, run.id, 1) is None
    assert [lap.seconds for lap in store.get_run(alice.racer_id, run.id).laps] == [
        Decimal("31.200")]


# -- the purge, once the undo is over ------------------------------------------------------
# The clock is not mocked: the test moves a deleted row's mark back past the undo window,
# straight in the store's own storage, and reads that storage to see the row go.

def _backdate(store: Store, table: str, row_id: str) -> None:
    past = datetime.now(UTC) - UNDO_WINDOW - timedelta(minutes=1)
    if isinstance(store, CsvStore):
        rows = store._tables.read(table)
        store._tables.write(table, [{**r, "deleted_at": past} if r["id"] == row_id else r
                                    for r in rows])
    else:
        with store._tx() as conn:
            conn.execute(f"UPDATE {table} SET deleted_at = %s WHERE id = %s", (past, row_id))


def _stored_ids(store: Store, table: str) -> set[str]:
    if isinstance(store, CsvStore):
        return {r["id"] for r in store._tables.read(table)}
    with store._tx() as conn:
        return {r["id"] for r in conn.execute(f"SELECT id::text AS id FROM {table}")}


def test_a_note_whose_undo_is_over_cannot_come_back_and_goes_at_the_next_delete(
        store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    old, other = (store.add_event_log(rid, event.id, "note", t) for t in ("old", "other"))
    store.delete_track_log(rid, old.id)
    _backdate(store, "track_logs", old.id)
    assert old.id in _stored_ids(store, "track_logs")
    assert store.restore_track_log(rid, old.id) is None
    store.delete_track_log(rid, other.id)
    assert old.id not in _stored_ids(store, "track_logs")
    assert store.restore_track_log(rid, other.id) == other


def test_a_lap_whose_undo_is_over_cannot_come_back_and_goes_at_the_next_delete(
        store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Q1")
    store.add_laps(rid, run.id, [Decimal("31.1"), Decimal("31.2"), Decimal("31.3")])
    store.delete_lap(rid, run.id, 1)
    (gone,) = (set(_stored_ids(store, "laps"))
               - {r["id"] for r in store.dump_tables()["laps"]})
    _backdate(store, "laps", gone)
    assert store.restore_lap(rid, run.id, 1) is None
    store.delete_lap(rid, run.id, 2)
    assert gone not in _stored_ids(store, "laps")
    assert [lap.seconds for lap in store.restore_lap(rid, run.id, 2).laps] == [
        Decimal("31.200"), Decimal("31.300")]
