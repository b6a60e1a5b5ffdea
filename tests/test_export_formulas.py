"""Issue 9: `flask db export-csv` (and the CSV store's own files, which are the same
format: an export is a CSV store folder) never write a live spreadsheet formula, yet
import-csv reads an export back to exactly the same data.

Decision: the table files use the racer-facing downloads' rule (apex.spreadsheet:
``neutralise`` a cell starting with = + - @ tab or CR, plain numbers left as numbers)
on write, and its exact inverse ``restore`` on every read of a table cell."""

from __future__ import annotations

import csv
from pathlib import Path

from apex.spreadsheet import FORMULA_STARTS, PLAIN_NUMBER
from tests.conftest import CAR, NB48, make_app, store_of

HOSTILE = {
    "brand": "=HYPERLINK(\"http://evil.example\",\"Tekno\")",
    "model": "+cmd|' /C calc'!A0",
    "nickname": "@SUM(1+1)",
    "transponder": "-2+3",
    "class_name": "'=already quoted",
}
NOTE = "\t=1+1 tab first"


def seeded(folder: Path):
    app = make_app({"DATABASE_URL": None, "APEX_DATA_DIR": str(folder)},
                   WTF_CSRF_ENABLED=False)
    store = store_of(app)
    user = store.create_user("alice", "alice@example.com", "hash")
    store.update_profile(user.racer_id, {"name": "=Alice", "instagram": "-@alice"})
    store.add_car(user.racer_id, {**CAR, **HOSTILE}, {**NB48, "Tread": "=Kosmos"})
    store.add_track_log(user.racer_id, "note", NOTE)
    return app


def live_formulas(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                found += [f"{path.name}: {c!r}" for c in row
                          if c[:1] in FORMULA_STARTS and not PLAIN_NUMBER.fullmatch(c)]
    return found


def test_export_writes_no_live_formula_and_imports_back_the_same(app, runner, tmp_path) -> None:
    source = seeded(tmp_path / "source")
    assert live_formulas(tmp_path / "source") == []  # the CSV store's own files too
    assert runner.invoke(args=["db", "import-csv", str(tmp_path / "source")]).exit_code == 0
    result = runner.invoke(args=["db", "export-csv", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert live_formulas(tmp_path / "out") == []
    with open(tmp_path / "out" / "vehicles.csv", newline="", encoding="utf-8") as f:
        (car,) = csv.DictReader(f)
    assert car["brand"].startswith("'=HYPERLINK") and car["class_name"] == "''=already quoted"
    back = make_app({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "out")})
    original, returned = store_of(source).dump_tables(), store_of(back).dump_tables()
    for table, rows in original.items():
        assert sorted(returned[table], key=lambda r: str(r["id"])) == \
            sorted(rows, key=lambda r: str(r["id"])), table
    (vehicle,) = returned["vehicles"]
    assert {k: vehicle[k] for k in HOSTILE} == HOSTILE
    assert [r["note"] for r in returned["track_logs"]] == [NOTE]
