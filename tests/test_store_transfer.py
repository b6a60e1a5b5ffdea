"""The Store contract for whole-table import and export (both stores)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from apex.catalogue import PARAM_KEYS
from apex.demo import seed_race_day
from apex.store import Store
from apex.stores.csv import CsvStore
from apex.transfer import ImportFailed
from apex.verdicts import judge_event
from tests.conftest import CAR, NB48, NT48, new_user


def library_row(**over: object) -> dict:
    row = {"id": None, "track": "Thunder Alley", "brand": "Tekno", "vehicle": "NB48 2.2",
           "condition": "High Traction, Smooth", "date": date(2025, 11, 2),
           "source": "Factory Base", "driver_name": "", "submitted_by": None, "notes": "",
           **NB48}
    row.update(over)
    return row


def filled(store: Store) -> Store:
    """A racer with a profile, a sponsor, two cars, a library baseline and a race day
    (an event, its setup, changes, runs, laps and notes)."""
    user = new_user(store, "alice")
    store.update_profile(user.racer_id, {"name": "Alice Ortiz", "experience_level": "Pro"})
    store.add_sponsor(user.racer_id, "JConcepts", "Tyres")
    car = store.add_car(user.racer_id, CAR, NB48)
    store.add_car(user.racer_id, {**CAR, "nickname": "Truggy", "model": "NT48 2.2"}, NT48)
    store.import_rows({"master_library": [library_row(submitted_by=user.racer_id)]})
    seed_race_day(store, user.racer_id, car.id, runs=2, laps_per_run=8)
    return store


def sort_rows(rows: dict) -> dict:
    return {t: sorted(rs, key=lambda r: str(r["id"])) for t, rs in rows.items()}


def test_dump_has_every_table_with_catalogue_types(store: Store) -> None:
    rows = filled(store).dump_tables()
    config = rows["car_configs"][0]
    assert set(config) >= set(PARAM_KEYS)
    assert isinstance(rows["master_library"][0]["id"], int)
    assert rows["master_library"][0]["date"] == date(2025, 11, 2)
    assert isinstance(rows["master_library"][0]["SB_F"], Decimal)
    assert rows["users"][0]["is_admin"] is False


def test_copying_a_store_reproduces_the_same_rows(store: Store, tmp_path) -> None:
    source = CsvStore(tmp_path / "source")
    source.upgrade()
    filled(source)
    source_rows = source.dump_tables()
    report = store.import_rows(source_rows)
    assert report.counts["vehicles"].created == 2
    # The demo's change between the 2 runs: front and rear shock oil (tests/test_demo.py).
    assert [report.counts[t].created for t in ("events", "runs", "laps", "setup_changes")] == [
        1, 2, 16, 2]
    assert sort_rows(store.dump_tables()) == sort_rows(source_rows)


def test_second_import_changes_nothing(store: Store, tmp_path) -> None:
    source = CsvStore(tmp_path / "source")
    source.upgrade()
    source = filled(source).dump_tables()
    store.import_rows(source)
    before = store.dump_tables()
    report = store.import_rows(source)
    assert not report.changed
    assert all(c.unchanged == c.read for c in report.counts.values())
    assert store.dump_tables() == before


def test_dry_run_writes_nothing_but_reports(store: Store, tmp_path) -> None:
    source = CsvStore(tmp_path / "source")
    source.upgrade()
    source = filled(source).dump_tables()
    report = store.import_rows(source, dry_run=True)
    assert report.dry_run and report.counts["users"].created == 1
    assert store.dump_tables()["users"] == []


def test_rows_match_on_natural_keys_and_children_follow(store: Store) -> None:
    user = new_user(store)
    car = store.add_car(user.racer_id, CAR, NB48)
    other_id = str(uuid.uuid4())
    incoming = {
        "vehicles": [{"id": other_id, "profile_id": user.racer_id, **CAR, "brand": "TEKNO"}],
        "car_configs": [{"id": str(uuid.uuid4()), "profile_id": user.racer_id,
                         "vehicle_id": other_id, "car": "Tekno NB48 2.2", **NT48}],
    }
    report = store.import_rows(incoming)
    assert report.counts["vehicles"].created == 0
    assert report.counts["car_configs"].updated == 1
    assert [c.id for c in store.list_cars(user.racer_id)] == [car.id]
    assert store.get_car(user.racer_id, car.id).brand == "TEKNO"
    assert store.get_car_config(user.racer_id, car.id).values == NT48


def test_library_rows_match_on_track_brand_vehicle_condition_date(store: Store) -> None:
    store.import_rows({"master_library": [library_row(), library_row(track="Mac's Track")]})
    report = store.import_rows({"master_library": [library_row(driver_name="Sam")]})
    assert (report.counts["master_library"].updated, report.counts["master_library"].created) \
        == (1, 0)
    rows = store.dump_tables()["master_library"]
    assert sorted(r["id"] for r in rows) == [1, 2]
    assert {r["driver_name"] for r in rows} == {"Sam", ""}


def test_library_ids_continue_after_imported_ones(store: Store) -> None:
    store.import_rows({"master_library": [library_row(id=41)]})
    store.import_rows({"master_library": [library_row(track="Other")]})
    assert sorted(r["id"] for r in store.dump_tables()["master_library"]) == [41, 42]


def test_a_row_pointing_nowhere_fails_and_nothing_is_written(store: Store) -> None:
    user = new_user(store)
    incoming = {
        "sponsors": [{"id": str(uuid.uuid4()), "profile_id": user.racer_id, "name": "Ok"}],
        "vehicles": [{"id": str(uuid.uuid4()), "profile_id": str(uuid.uuid4()), **CAR}],
    }
    with pytest.raises(ImportFailed) as err:
        store.import_rows(incoming)
    assert "points at no racer_profiles row" in str(err.value)
    assert store.list_sponsors(user.racer_id) == []


def test_new_user_with_a_taken_email_fails(store: Store) -> None:
    new_user(store, "alice")
    row = {"id": str(uuid.uuid4()), "username": "alice2", "email": "ALICE@example.com",
           "password_hash": "h"}
    with pytest.raises(ImportFailed, match="belongs to another user"):
        store.import_rows({"users": [row]})


def test_set_admin_and_password(store: Store) -> None:
    user = new_user(store)
    assert store.set_admin(user.id, True) and store.get_user(user.id).is_admin
    assert store.set_password(user.id, "new-hash")
    assert store.get_user(user.id).password_hash == "new-hash"
    assert not store.set_admin(str(uuid.uuid4()), True)
    assert not store.set_password("nope", "x")


def test_an_import_matching_a_shared_row_keeps_who_added_it(store: Store) -> None:
    bob = new_user(store, "bob")
    store.import_rows({"master_library": [library_row(submitted_by=bob.racer_id)]})
    alice = new_user(store, "alice")
    report = store.import_rows({"master_library": [
        library_row(submitted_by=alice.racer_id, driver_name="Sam")]})
    assert report.counts["master_library"].updated == 1
    row = store.dump_tables()["master_library"][0]
    assert (row["submitted_by"], row["driver_name"]) == (bob.racer_id, "Sam")


def test_an_import_cannot_give_a_user_another_users_email(store: Store) -> None:
    alice, bob = new_user(store, "alice"), new_user(store, "bob")
    row = {"id": alice.id, "username": "alice", "email": "BOB@example.com", "password_hash": "h"}
    with pytest.raises(ImportFailed, match="belongs to another user"):
        store.import_rows({"users": [row]})
    assert store.find_user("bob@example.com").id == bob.id


def test_csv_export_skips_rows_orphaned_by_a_crash(tmp_path) -> None:
    source = CsvStore(tmp_path / "source")
    source.upgrade()
    user = new_user(source)
    car = source.add_car(user.racer_id, CAR, NB48)
    from apex.stores.csv_tables import CsvTables

    tables = CsvTables(tmp_path / "source")  # a crash inside delete_car: config left behind
    tables.write("vehicles", [r for r in tables.read("vehicles") if r["id"] != car.id])
    rows = source.dump_tables()
    assert rows["car_configs"] == []
    target = CsvStore(tmp_path / "target")
    target.upgrade()
    assert target.import_rows(rows).counts["users"].created == 1


def test_verdicts_and_every_audit_come_through_a_copy_unchanged(store: Store,
                                                                 tmp_path) -> None:
    # Verdicts are worked out from laps, flags, changes and audits (apex.verdicts): the
    # copy judges every change as the source does, and keeps one audit per close.
    source = CsvStore(tmp_path / "source")
    source.upgrade()
    user = new_user(source, "alice")
    car = source.add_car(user.racer_id, CAR, NB48)
    event_id = seed_race_day(source, user.racer_id, car.id, runs=3, laps_per_run=8)
    source.close_event(user.racer_id, event_id, date(2026, 11, 21),
                       {"rating": 2, "symptom": "Rear loose"})
    source.reopen_event(user.racer_id, event_id)
    source.close_event(user.racer_id, event_id, date(2026, 11, 22),
                       {"rating": 5, "gain": "Corner exit"})
    store.import_rows(source.dump_tables())

    def judged(s: Store) -> list[tuple[str, str, str, str]]:
        racer = s.find_user("alice").racer_id
        (record,) = s.event_history(racer)
        return [(v.change.parameter, v.outcome, v.sentence, v.opinion_words)
                for v in judge_event(record.runs, record.changes, record.audit).changes]

    assert judged(store) == judged(source) and judged(source)
    assert len(store.dump_tables()["audits"]) == 2
