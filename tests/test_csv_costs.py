"""What a CSV store write or search costs: what it touches, not the whole folder
(issue 12, finding 6). Counted in bytes written and texts read, never in seconds;
scripts/bench_csv_store prints the times.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from apex import theory
from apex.stores import csv_journal
from apex.stores.csv import CsvStore
from tests.store_events_helpers import new_event


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.csv")}


def journal_size(folder: Path) -> int:
    path = folder / csv_journal.NAME
    return path.stat().st_size if path.exists() else 0


@pytest.mark.parametrize("stored", [10, 400])
def test_a_note_save_writes_the_same_few_bytes_however_many_notes_are_stored(
    tmp_path: Path, stored: int
) -> None:
    store = CsvStore(tmp_path)
    store.upgrade()
    user, _, event = new_event(store)
    for i in range(stored):
        store.add_event_log(user.racer_id, event.id, "note", f"note {i}")
    store.compact()
    tables_before, journal_before = folder_state(tmp_path), journal_size(tmp_path)
    store.add_event_log(user.racer_id, event.id, "note", "rear end loose",
                        request_key=str(uuid.uuid4()))
    assert folder_state(tmp_path) == tables_before  # no table file was rewritten
    assert journal_size(tmp_path) - journal_before < 1000  # one note and its key
    assert [r.note for r in CsvStore(tmp_path).list_event_logs(
        user.racer_id, event.id, limit=1)] == ["rear end loose"]


def test_a_search_after_an_upload_reads_only_the_new_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CsvStore(tmp_path)
    store.upgrade()
    user = store.create_user("ada", "ada@example.com", "hash")
    for i in range(3):
        store.add_theory_document(user.id, f"Manual {i}", "general", f"m{i}.txt",
                                  "front shock oil " * 50)
    store.search_theory("shock")
    counted: list[str] = []
    real = theory.term_counts
    monkeypatch.setattr(theory, "term_counts", lambda text: counted.append(text) or real(text))
    store.add_theory_document(user.id, "Diffs", "diffs", "d.txt", "diff oil 7000")
    assert "Diffs" in [p.title for p in store.search_theory("oil", limit=10)]
    assert counted == ["Diffs", "diff oil 7000"]
