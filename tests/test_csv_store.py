"""What only the CSV store has to prove: locking, atomic files, upgrades, the cache.

The shared behaviour is in test_store_contract.py; these tests poke at the
files directly, which only makes sense for this backend.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

import apex.stores.csv_tables as csv_tables
from apex.models import User
from apex.stores.csv import CsvStore
from apex.stores.csv_tables import CsvTables
from apex.tables import TABLES
from tests.conftest import CAR, NB48, new_user

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def csvs(data_dir: Path) -> CsvStore:
    s = CsvStore(data_dir)
    s.upgrade()
    return s


@pytest.fixture
def owner(csvs: CsvStore) -> User:
    return new_user(csvs)


def read_cells(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def stray_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir()
                  if p.suffix != ".csv" and p.name not in (".lock", "journal.log"))


def run_in_threads(n: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_constructor_creates_nothing_and_upgrade_creates_every_file(data_dir: Path) -> None:
    s = CsvStore(data_dir)
    assert not data_dir.exists() and s.ping() is False
    assert all(not ok for _, ok in s.schema_status())
    assert s.upgrade().created == [f"{t}.csv" for t in TABLES]
    for table, cols in TABLES.items():
        with open(data_dir / f"{table}.csv", newline="", encoding="utf-8") as f:
            assert next(csv.reader(f)) == list(cols)
    assert s.ping() is True


def test_many_threads_adding_sponsors_lose_nothing(csvs: CsvStore, owner: User) -> None:
    run_in_threads(8, lambda i: [csvs.add_sponsor(owner.racer_id, f"s{i}-{j}", "")
                                 for j in range(15)])
    assert len(csvs.list_sponsors(owner.racer_id)) == 8 * 15


def test_two_store_objects_interleaving_writes_lose_nothing(
    csvs: CsvStore, owner: User, data_dir: Path
) -> None:
    stores = [csvs, CsvStore(data_dir)]
    run_in_threads(6, lambda i: [stores[(i + j) % 2].add_sponsor(owner.racer_id, f"s{i}-{j}", "")
                                 for j in range(10)])
    assert len(stores[0].list_sponsors(owner.racer_id)) == 60
    assert stores[1].list_sponsors(owner.racer_id) == stores[0].list_sponsors(owner.racer_id)


def test_two_processes_adding_sponsors_lose_nothing(
    csvs: CsvStore, owner: User, data_dir: Path
) -> None:
    code = ("import sys; from pathlib import Path; from apex.stores.csv import CsvStore\n"
            "s = CsvStore(Path(sys.argv[1]))\n"
            "for j in range(25): s.add_sponsor(sys.argv[2], sys.argv[3] + str(j), '')\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(data_dir), owner.racer_id, p],
                              cwd=ROOT) for p in ("a", "b", "c")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert len(csvs.list_sponsors(owner.racer_id)) == 75


def test_upgrade_adds_a_new_column_and_keeps_every_row(
    csvs: CsvStore, owner: User, data_dir: Path
) -> None:
    car = csvs.add_car(owner.racer_id, CAR, NB48)
    csvs.compact()  # the journal into the table files, read below
    path = data_dir / "car_configs.csv"
    old_cols = [c for c in TABLES["car_configs"] if c != "Spur"]
    rows = read_cells(path)
    with open(path, "w", newline="", encoding="utf-8") as f:  # as before "Spur" existed
        writer = csv.DictWriter(f, old_cols, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    assert ("column car_configs.Spur", False) in csvs.schema_status()
    report = csvs.upgrade()
    assert report.added == [("car_configs", "Spur")]
    assert "added column car_configs.Spur" in report.lines()
    assert all(ok for _, ok in csvs.schema_status())
    assert read_cells(path) == [{**rows[0], "Spur": ""}]
    assert csvs.get_car_config(owner.racer_id, car.id).values == {**NB48, "Spur": None}
    assert csvs.upgrade().lines() == ["nothing to do: schema is up to date"]


def test_upgrade_reports_and_keeps_a_column_the_catalogue_dropped(
    csvs: CsvStore, owner: User, data_dir: Path
) -> None:
    """A parameter gone from the catalogue: its column and values survive every write."""
    car = csvs.add_car(owner.racer_id, CAR, NB48)
    csvs.compact()  # the journal into the table files, read below
    path = data_dir / "car_configs.csv"
    rows = [{**r, "Needle": "3.5"} for r in read_cells(path)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, [*TABLES["car_configs"], "Needle"])
        writer.writeheader()
        writer.writerows(rows)
    report = csvs.upgrade()
    assert not report.changed and report.kept == [("car_configs", "Needle")]
    assert report.lines() == ["column Needle in car_configs is not in the catalogue: kept",
                              "nothing to do: schema is up to date"]
    csvs.save_car_config(owner.racer_id, car.id, {**NB48, "DF": 9000})
    other = csvs.add_car(owner.racer_id, {**CAR, "nickname": "Two"}, NB48)
    csvs.compact()  # the journal into the table files, read below
    cells = {r["vehicle_id"]: r for r in read_cells(path)}
    assert cells[car.id]["Needle"] == "3.5" and cells[car.id]["DF"] == "9000"
    assert cells[other.id]["Needle"] == ""


def test_writes_leave_no_temp_files(csvs: CsvStore, owner: User, data_dir: Path) -> None:
    car = csvs.add_car(owner.racer_id, CAR, NB48)
    csvs.save_car_config(owner.racer_id, car.id, {})
    csvs.add_sponsor(owner.racer_id, "Tekno", "")
    csvs.archive_car(owner.racer_id, car.id)
    assert csvs.delete_car(owner.racer_id, car.id)
    assert stray_files(data_dir) == []


def test_failed_compaction_leaves_the_old_file_intact_and_loses_nothing(
    csvs: CsvStore, owner: User, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = csvs.add_sponsor(owner.racer_id, "Tekno", "")
    csvs.compact()  # the journal into the table files, read below
    before = (data_dir / "sponsors.csv").read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(csv_tables, "COMPACT_BYTES", 0)  # this write compacts at once
    monkeypatch.setattr(os, "replace", crash)
    second = csvs.add_sponsor(owner.racer_id, "Mugen", "")  # in the journal: it stands
    monkeypatch.undo()
    assert (data_dir / "sponsors.csv").read_bytes() == before
    assert stray_files(data_dir) == []
    assert CsvStore(data_dir).list_sponsors(owner.racer_id) == [second, first]
    assert csvs.list_sponsors(owner.racer_id) == [second, first]


def test_invalid_parameter_fails_before_any_file_changes(
    csvs: CsvStore, owner: User, data_dir: Path
) -> None:
    before = {p.name: p.read_bytes() for p in data_dir.glob("*.csv")}
    with pytest.raises(ArithmeticError):  # decimal.InvalidOperation
        csvs.add_car(owner.racer_id, CAR, {"DF": "lots"})
    assert {p.name: p.read_bytes() for p in data_dir.glob("*.csv")} == before


def crash_on_write(monkeypatch: pytest.MonkeyPatch, table: str) -> None:
    """Make writing ``table`` fail, as if the process died just before it."""
    real = CsvTables.insert

    def insert(self: CsvTables, name: str, row: dict) -> None:
        if name == table:
            raise OSError("killed")
        real(self, name, row)

    monkeypatch.setattr(CsvTables, "insert", insert)


def test_crash_between_config_and_car_leaves_no_half_car(
    csvs: CsvStore, owner: User, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_on_write(monkeypatch, "vehicles")
    with pytest.raises(OSError):
        csvs.add_car(owner.racer_id, CAR, NB48)
    monkeypatch.undo()
    csvs.compact()  # the journal into the table files, read below
    assert read_cells(data_dir / "car_configs.csv") == []  # the transaction wrote nothing
    assert csvs.list_cars(owner.racer_id) == []
    car = csvs.add_car(owner.racer_id, CAR, {})
    assert csvs.get_car_config(owner.racer_id, car.id).values == dict.fromkeys(NB48)


def test_crash_between_profile_and_user_leaves_no_half_user(
    csvs: CsvStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_on_write(monkeypatch, "users")
    with pytest.raises(OSError):
        csvs.create_user("bob", "bob@example.com", "h")
    monkeypatch.undo()
    assert csvs.find_user("bob") is None
    user = csvs.create_user("bob", "bob@example.com", "h")
    assert csvs.find_user("bob") == user
    assert csvs.get_profile(user.racer_id).user_id == user.id


def test_unchanged_file_is_not_parsed_again_but_another_stores_write_is_seen(
    csvs: CsvStore, owner: User, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = csv_tables.parse_row
    monkeypatch.setattr(csv_tables, "parse_row", lambda t, raw: calls.append(t) or real(t, raw))
    csvs.add_sponsor(owner.racer_id, "Tekno", "")
    csvs.list_sponsors(owner.racer_id)
    calls.clear()
    csvs.list_sponsors(owner.racer_id)
    assert calls == []
    CsvStore(data_dir).add_sponsor(owner.racer_id, "Mugen", "")
    assert [s.name for s in csvs.list_sponsors(owner.racer_id)] == ["Mugen", "Tekno"]


def test_cells_are_plain_text(csvs: CsvStore, owner: User, data_dir: Path) -> None:
    csvs.add_car(owner.racer_id, CAR, {**NB48, "Venturi": None})
    csvs.compact()  # the journal into the table files, read below
    config = read_cells(data_dir / "car_configs.csv")[0]
    assert (config["DF"], config["SB_F"], config["Toe_F"], config["SP_F"], config["Venturi"]) == (
        "7000", "2.3", "-1.0", "Green", "")
    assert config["car"] == "Tekno NB48 2.2"
    user = read_cells(data_dir / "users.csv")[0]
    assert user["is_admin"] == "false"
    assert datetime.fromisoformat(user["created_at"]).utcoffset() is not None


def test_an_import_that_cannot_write_one_table_writes_none(tmp_path, monkeypatch):
    import errno
    import uuid

    from apex.stores.csv_tables import CsvTables

    store = CsvStore(tmp_path)
    store.upgrade()

    def disk_full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(CsvTables, "_append", disk_full)
    user_id, racer_id = str(uuid.uuid4()), str(uuid.uuid4())
    rows = {"users": [{"id": user_id, "username": "al", "email": "al@example.com",
                       "password_hash": "h"}],
            "racer_profiles": [{"id": racer_id, "user_id": user_id}],
            "sponsors": [{"id": str(uuid.uuid4()), "profile_id": racer_id, "name": "REDS"}]}
    with pytest.raises(OSError):
        store.import_rows(rows)
    assert store.find_user("al") is None
    assert not list(tmp_path.glob(".*.tmp"))
