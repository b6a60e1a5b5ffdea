"""``CsvTables.where``: rows by a column's value through an index kept in step by every
change (a run's laps among a season's 120 000 without reading them all), in this
process and as another process's journal records arrive, and after a rollback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apex.stores.csv import CsvStore
from apex.stores.csv_tables import CsvTables


def sponsor(profile: str, name: str) -> dict:
    now = datetime.now(UTC)
    return {"id": str(uuid.uuid4()), "profile_id": profile, "name": name,
            "category": "", "created_at": now, "updated_at": now}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    CsvStore(tmp_path).upgrade()
    return tmp_path


def by_scan(tables: CsvTables, profile: str) -> list[str]:
    return [r["name"] for r in tables.read("sponsors") if r["profile_id"] == profile]


def by_index(tables: CsvTables, profile: str) -> list[str]:
    return [r["name"] for r in tables.where("sponsors", "profile_id", profile)]


def test_the_index_follows_inserts_updates_moves_and_deletes(folder: Path) -> None:
    tables = CsvTables(folder)
    a, b = "a", "b"
    first, second = sponsor(a, "REDS"), sponsor(a, "Mugen")
    tables.insert("sponsors", first)
    assert by_index(tables, a) == ["REDS"]  # built now, kept in step from here
    tables.insert("sponsors", second)
    tables.insert("sponsors", sponsor(b, "Tekno"))
    tables.replace("sponsors", {**first, "name": "REDS Racing"})
    assert by_index(tables, a) == by_scan(tables, a) == ["REDS Racing", "Mugen"]
    tables.replace("sponsors", {**second, "profile_id": b})
    assert by_index(tables, a) == ["REDS Racing"]
    assert sorted(by_index(tables, b)) == ["Mugen", "Tekno"]
    tables.remove("sponsors", id=first["id"])
    assert by_index(tables, a) == [] and by_index(tables, "nobody") == []


def test_another_view_and_a_rollback_keep_the_index_true(folder: Path) -> None:
    mine, theirs = CsvTables(folder), CsvTables(folder)
    mine.insert("sponsors", sponsor("a", "REDS"))
    assert by_index(theirs, "a") == ["REDS"]
    mine.insert("sponsors", sponsor("a", "Mugen"))  # arrives through the journal
    assert by_index(theirs, "a") == ["REDS", "Mugen"]
    with pytest.raises(RuntimeError), theirs.transaction():
        theirs.insert("sponsors", sponsor("a", "Tekno"))
        assert by_index(theirs, "a") == ["REDS", "Mugen", "Tekno"]
        raise RuntimeError("rolled back")
    assert by_index(theirs, "a") == by_scan(theirs, "a") == ["REDS", "Mugen"]
    mine.compact()
    assert by_index(theirs, "a") == ["REDS", "Mugen"]
