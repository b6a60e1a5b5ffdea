"""The CSV store's journal (apex.stores.csv_journal, csv_tables): one write is one
framed, checksummed record holding every change of its transaction, request key and
all; torn or corrupt tails are ignored and cut off; compaction may crash anywhere.

These poke at the files, which only makes sense for this backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import apex.stores.csv_tables as csv_tables
from apex.stores import csv_journal
from apex.stores.csv import CsvStore
from apex.stores.csv_tables import CsvTables
from tests.store_events_helpers import new_event

ROOT = Path(__file__).resolve().parent.parent


def sponsor(name: str) -> dict:
    now = datetime.now(UTC)
    return {"id": str(uuid.uuid4()), "profile_id": str(uuid.uuid4()), "name": name,
            "category": "", "created_at": now, "updated_at": now}


def names(tables: CsvTables) -> list[str]:
    return [r["name"] for r in tables.read("sponsors")]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    CsvStore(tmp_path).upgrade()
    return tmp_path


def journal_records(folder: Path) -> list[list[csv_journal.Change]]:
    data = (folder / csv_journal.NAME).read_bytes()
    assert csv_journal.is_header(data[:csv_journal.HEADER_SIZE])
    found, used = csv_journal.records(data[csv_journal.HEADER_SIZE:])
    assert used == len(data) - csv_journal.HEADER_SIZE
    return found


def test_a_transaction_is_one_record_of_only_what_changed(folder: Path) -> None:
    tables = CsvTables(folder)
    tables.insert("sponsors", sponsor("REDS"))
    with tables.transaction():
        rows = tables.read("sponsors")
        tables.write("sponsors", [*rows, sponsor("Mugen")])
        tables.insert("sponsors", sponsor("Tekno"))
    records = journal_records(folder)
    assert [[(kind, table, cells["name"]) for kind, table, cells in r] for r in records] == [
        [("put", "sponsors", "REDS")], [("put", "sponsors", "Mugen"), ("put", "sponsors", "Tekno")]]


def test_another_view_of_the_folder_sees_writes_and_compactions(folder: Path) -> None:
    ours, theirs = CsvTables(folder), CsvTables(folder)
    ours.insert("sponsors", sponsor("REDS"))
    assert names(theirs) == ["REDS"]
    ours.compact()
    ours.insert("sponsors", sponsor("Mugen"))
    theirs.remove("sponsors", name="REDS")
    assert names(ours) == names(theirs) == ["Mugen"]
    theirs.compact()
    assert names(ours) == names(CsvTables(folder)) == ["Mugen"]


def test_an_exception_inside_a_transaction_writes_nothing(folder: Path) -> None:
    tables = CsvTables(folder)
    tables.insert("sponsors", sponsor("REDS"))
    before = (folder / csv_journal.NAME).read_bytes()
    with pytest.raises(RuntimeError), tables.transaction():
        tables.insert("sponsors", sponsor("Mugen"))
        tables.remove("sponsors", name="REDS")
        assert names(tables) == ["Mugen"]  # the transaction sees its own changes
        raise RuntimeError("boom")
    assert (folder / csv_journal.NAME).read_bytes() == before
    assert names(tables) == names(CsvTables(folder)) == ["REDS"]


def test_a_record_from_before_an_upgrade_names_its_columns_and_reads_right(
    folder: Path,
) -> None:
    """Written when sponsors had no "category" and its columns in another order."""
    tables = CsvTables(folder)
    tables.insert("sponsors", sponsor("REDS"))
    old = sponsor("Mugen")
    cells = {"name": "Mugen", "id": old["id"], "profile_id": old["profile_id"],
             "created_at": old["created_at"].isoformat(),
             "updated_at": old["updated_at"].isoformat()}
    with open(folder / csv_journal.NAME, "ab") as f:
        f.write(csv_journal.record([("put", "sponsors", cells)]))
    row = CsvTables(folder).first("sponsors", id=old["id"])
    assert row is not None
    assert row == {**old, "category": ""}


def test_a_torn_tail_is_ignored_and_cut_off_by_the_next_writer(folder: Path) -> None:
    CsvTables(folder).insert("sponsors", sponsor("REDS"))
    whole = (folder / csv_journal.NAME).read_bytes()
    torn = csv_journal.record([("put", "sponsors", {"id": "x"})])[:-5]  # a crash mid-append
    with open(folder / csv_journal.NAME, "ab") as f:
        f.write(torn)
    reader = CsvTables(folder)
    assert names(reader) == ["REDS"]
    reader.insert("sponsors", sponsor("Mugen"))
    data = (folder / csv_journal.NAME).read_bytes()
    assert data.startswith(whole) and torn not in data
    assert len(journal_records(folder)) == 2
    assert names(CsvTables(folder)) == ["REDS", "Mugen"]


def test_a_record_failing_its_checksum_ends_the_journal(folder: Path) -> None:
    tables = CsvTables(folder)
    tables.insert("sponsors", sponsor("REDS"))
    tables.insert("sponsors", sponsor("Mugen"))
    data = bytearray((folder / csv_journal.NAME).read_bytes())
    at = data.rindex(b"Mugen")
    data[at:at + 5] = b"Mugan"  # a flipped bit on disk
    (folder / csv_journal.NAME).write_bytes(bytes(data))
    assert names(CsvTables(folder)) == ["REDS"]


def test_a_crash_between_table_rewrite_and_journal_reset_replays_each_row_once(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = CsvTables(folder)
    for name in ("REDS", "Mugen", "Tekno"):
        tables.insert("sponsors", sponsor(name))
    tables.remove("sponsors", name="Mugen")
    real = os.unlink

    def die_at_the_journal(path: str | Path, **kwargs: object) -> None:
        if Path(path).name == csv_journal.NAME:
            raise OSError("killed")
        real(path, **kwargs)

    monkeypatch.setattr(os, "unlink", die_at_the_journal)
    with pytest.raises(OSError, match="killed"):
        tables.compact()
    monkeypatch.undo()
    assert len(journal_records(folder)) == 4  # the journal still holds every write
    after_crash = CsvTables(folder)
    assert names(after_crash) == ["REDS", "Tekno"]
    after_crash.compact()
    assert names(CsvTables(folder)) == ["REDS", "Tekno"]
    assert not (folder / csv_journal.NAME).exists()  # plain CSV tables again


def test_the_first_transaction_sweeps_temp_files_a_crash_left(folder: Path) -> None:
    orphans = [folder / ".sponsors.k2j4.tmp", folder / f".{csv_journal.NAME}.x9.tmp"]
    for path in orphans:
        path.write_text("half a table")
    (folder / "notes.txt").write_text("not ours")
    CsvStore(folder).schema_status()
    assert not any(p.exists() for p in orphans)
    assert (folder / "notes.txt").exists()


def test_compaction_drops_old_request_keys_and_keeps_fresh_ones(folder: Path) -> None:
    tables = CsvTables(folder)
    old = datetime.now(UTC) - timedelta(days=400)
    user = str(uuid.uuid4())
    tables.insert("request_keys", {"key": "old", "user_id": user, "created_at": old})
    tables.insert("request_keys", {"key": "new", "user_id": user,
                                   "created_at": datetime.now(UTC)})
    assert len(tables.read("request_keys")) == 2  # a write does not prune
    tables.compact()
    assert [r["key"] for r in CsvTables(folder).read("request_keys")] == ["new"]


def test_a_journal_past_its_limit_is_compacted_into_the_table_files(folder: Path) -> None:
    tables = CsvTables(folder, compact_bytes=2000)
    for i in range(40):
        tables.insert("sponsors", sponsor(f"s{i}"))
        journal = folder / csv_journal.NAME
        assert not journal.exists() or journal.stat().st_size < 2000 + 500  # + one record
    on_disk = (folder / "sponsors.csv").read_text().count("\n") - 1
    assert 30 <= on_disk <= 40
    assert names(CsvTables(folder)) == [f"s{i}" for i in range(40)]


def test_by_default_a_big_table_waits_for_a_journal_half_its_size(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_tables, "COMPACT_BYTES", 1000)
    tables = CsvTables(folder)
    with tables.transaction():
        for i in range(200):
            tables.insert("sponsors", sponsor(f"old{i}"))
    tables.compact()
    big = (folder / "sponsors.csv").stat()
    for i in range(10):  # about 2 KB of journal: past COMPACT_BYTES, not half the table
        tables.insert("sponsors", sponsor(f"new{i}"))
    assert (folder / "sponsors.csv").stat().st_ino == big.st_ino  # not rewritten
    for i in range(100):
        tables.insert("sponsors", sponsor(f"more{i}"))
    assert (folder / "sponsors.csv").stat().st_ino != big.st_ino  # now it was


# A child process that adds laps with a request key and is killed right after the
# first change it makes lasting (a file renamed into place, or a non-temp file
# synced), then the same request is retried: it must land exactly once.
_KILLED_AFTER_FIRST_LASTING_WRITE = """
import os, sys
from decimal import Decimal
from pathlib import Path
from apex.stores.csv import CsvStore

real_replace, real_fsync = os.replace, os.fsync

def replace(src, dst):
    real_replace(src, dst)
    os._exit(9)

def fsync(fd):
    real_fsync(fd)
    name = os.readlink(f"/proc/self/fd/{fd}")
    if os.path.isfile(name) and not name.endswith(".tmp"):
        os._exit(9)

os.replace, os.fsync = replace, fsync
store = CsvStore(Path(sys.argv[1]))
store.add_laps(sys.argv[2], sys.argv[3], [Decimal("21.5"), Decimal("21.4")],
               request_key=sys.argv[4])
"""


def test_a_write_killed_midway_and_retried_lands_exactly_once(tmp_path: Path) -> None:
    store = CsvStore(tmp_path)
    store.upgrade()
    user, _, event = new_event(store)
    run = store.add_run(user.racer_id, event.id, "Practice 1")
    assert run is not None
    key = str(uuid.uuid4())
    child = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_FIRST_LASTING_WRITE, str(tmp_path),
         user.racer_id, run.id, key], cwd=ROOT, timeout=60, check=False)
    assert child.returncode == 9  # it died after writing something lasting
    retried = CsvStore(tmp_path).add_laps(
        user.racer_id, run.id, [Decimal("21.5"), Decimal("21.4")], request_key=key)
    again = CsvStore(tmp_path).get_run(user.racer_id, run.id)
    assert again is not None and retried is not None
    assert [lap.seconds for lap in again.laps] == [Decimal("21.5"), Decimal("21.4")]



def test_a_table_without_an_id_is_keyed_by_its_primary_key(folder: Path) -> None:
    """login_attempts' key is its first column (as in sql/): rows never merge."""
    now = datetime.now(UTC)
    tables = CsvTables(folder)
    tables.write("login_attempts", [{"key": k, "failures": 1, "last_failed_at": now}
                                    for k in ("account:ada", "address:10.0.0.1")])
    assert len(CsvTables(folder).read("login_attempts")) == 2
    tables.write("login_attempts", [{"key": "account:ada", "failures": 2,
                                     "last_failed_at": now}])
    for view in (tables, CsvTables(folder)):
        assert [(r["key"], r["failures"]) for r in view.read("login_attempts")] == [
            ("account:ada", 2)]
