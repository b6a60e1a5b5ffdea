"""The CSV store's library index is maintained, not rebuilt: after a baseline is saved,
the next search derives (word string, lowercased columns) the saved row only; every
other row keeps what was derived for it (the first search after a write stays cheap at
10 000 rows: scripts/bench_library)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apex.db import make_store
from apex.models import LibraryQuery
from apex.stores import csv_library
from tests.conftest import new_user
from tests.test_store_library import DEMO, item, seed


def test_a_search_after_a_write_derives_only_the_rows_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path)})
    store.upgrade()
    seed(store)
    total = store.search_library(LibraryQuery()).total
    derived: list[str] = []
    real = csv_library._word_string
    monkeypatch.setattr(csv_library, "_word_string",
                        lambda row: derived.append(row["track"]) or real(row))
    user = new_user(store)
    store.add_library_baselines(user.racer_id, [item(DEMO[0], track="Index Park")])
    found = store.search_library(LibraryQuery(text="index park"))
    assert [b.track for b in found.rows] == ["Index Park"]
    assert derived == ["Index Park"]  # before this change: every row, total + 1
    assert store.search_library(LibraryQuery()).total == total + 1


def test_a_summary_after_a_write_reads_the_values_of_the_rows_written_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path)})
    store.upgrade()
    seed(store)
    car = (DEMO[0]["brand"], DEMO[0]["vehicle"])
    rows = store.community_summary(*car).rows
    read: list[str] = []
    real = csv_library.row_cells
    monkeypatch.setattr(csv_library, "row_cells",
                        lambda row: read.append(row["track"]) or real(row))
    user = new_user(store)
    store.add_library_baselines(user.racer_id, [item(DEMO[0], track="Index Park")])
    assert store.community_summary(*car).rows == rows + 1
    assert read == ["Index Park"]  # before: every row of the car
    assert store.community_summary(*car).rows == rows + 1 and read == ["Index Park"]
