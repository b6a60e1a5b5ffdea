"""Store contract: the racer's own flag on a lap (issue 13, TUNING.md §5 "Flags"),
kept through deletes, undo, export and import. Every test runs on the CSV store and
on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from apex.lap_stats import run_stats
from apex.models import Run
from apex.store import Store
from apex.stores.csv import CsvStore
from apex.transfer.folder import read_folder
from tests.store_events_helpers import new_event

# R = median 31.2; 45.5 is an incident (over 31.2 + 2.184), 12.0 short (under 23.4)
LAPS = [Decimal(s) for s in ("31.100", "45.500", "31.300", "12.000", "31.200", "30.900")]


def _flags(run: Run) -> list[str]:
    return [lap.flag for lap in run.laps]


def _race(store: Store, name: str = "alice") -> tuple[str, Run]:
    user, _, event = new_event(store, name)
    run = store.add_run(user.racer_id, event.id, "Q1")
    assert run is not None
    stored = store.add_laps(user.racer_id, run.id, LAPS)
    assert stored is not None and _flags(stored) == [""] * 6
    return user.racer_id, stored


def test_a_lap_flagged_and_unflagged_by_hand(store: Store) -> None:
    rid, run = _race(store)
    out = store.set_lap_flag(rid, run.id, 6, "out")  # 30.9 was a cut
    assert out is not None and _flags(out) == ["", "", "", "", "", "out"]
    assert store.get_run(rid, run.id) == out
    counted = store.set_lap_flag(rid, run.id, 2, "in")  # the 45.5 was a real lap
    assert counted is not None and _flags(counted) == ["", "in", "", "", "", "out"]
    s = run_stats(counted.seconds, _flags(counted))
    assert s is not None and s.flags == ("clean", "clean", "clean", "short", "clean", "out")
    assert s.best == 31.1  # never the short 12.0, nor the 30.9 left out
    back = store.set_lap_flag(rid, run.id, 6, "")
    assert back is not None and _flags(back) == ["", "in", "", "", "", ""]
    assert store.list_runs(rid, run.event_id) == [back]


def test_only_the_racers_own_lap_and_only_known_flags(store: Store) -> None:
    rid, run = _race(store)
    bob, _ = _race(store, "bob")
    assert store.set_lap_flag(bob, run.id, 1, "out") is None
    assert store.set_lap_flag(rid, "not-a-uuid", 1, "out") is None
    with pytest.raises(ValueError):
        store.set_lap_flag(rid, run.id, 1, "crash")
    same = store.set_lap_flag(rid, run.id, 99, "out")  # no lap 99: nothing changes
    assert same == run
    assert _flags(store.get_run(rid, run.id)) == [""] * 6


def test_a_flag_moves_with_its_lap_through_a_delete_and_its_undo(store: Store) -> None:
    rid, run = _race(store)
    store.set_lap_flag(rid, run.id, 3, "out")
    after = store.delete_lap(rid, run.id, 1)  # lap 3 becomes lap 2
    assert after is not None and _flags(after) == ["", "out", "", "", ""]
    restored = store.restore_lap(rid, run.id, 1)
    assert restored is not None and _flags(restored) == ["", "", "out", "", "", ""]


def test_flags_survive_export_csv_and_import_csv(store: Store, tmp_path: Path) -> None:
    rid, run = _race(store)
    store.set_lap_flag(rid, run.id, 2, "in")
    store.set_lap_flag(rid, run.id, 5, "out")
    # db export-csv: every table into a new CSV store folder
    folder = tmp_path / "export"
    exported = CsvStore(folder)
    exported.upgrade()
    exported.import_rows(store.dump_tables())
    assert _flags(exported.get_run(rid, run.id)) == ["", "in", "", "", "out", ""]
    # db import-csv of that folder into an empty store
    target = CsvStore(tmp_path / "target")
    target.upgrade()
    target.import_rows(read_folder(folder, None))
    assert _flags(target.get_run(rid, run.id)) == ["", "in", "", "", "out", ""]
    # a flag changed since is updated by the next import, nothing else
    store.set_lap_flag(rid, run.id, 5, "")
    report = target.import_rows(store.dump_tables())
    assert report.counts["laps"].updated == 1
    assert _flags(target.get_run(rid, run.id)) == ["", "in", "", "", "", ""]


def test_an_export_made_before_lap_flags_imports_with_none(store: Store, tmp_path: Path) -> None:
    source = CsvStore(tmp_path / "old")
    source.upgrade()
    rid, run = _race(source)
    source.compact()
    # the laps.csv of an export written before sql/0011: no flag column
    laps = tmp_path / "old" / "laps.csv"
    lines = laps.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("flag")
    laps.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != at)
                              for line in lines) + "\n", encoding="utf-8")
    store.import_rows(read_folder(tmp_path / "old", None))
    assert _flags(store.get_run(rid, run.id)) == [""] * 6
