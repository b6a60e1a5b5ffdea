"""THE upgrade test: a store as release 826f77d left it, upgraded by today's ``db upgrade``.

It follows README's "Adding a setup parameter": the catalogue gained Pinion, Motor,
Timing and Battery (and sql/ gained 0006_car_power) after these stores were made,
so ``db upgrade`` must add them, on both stores, keep every old row as it was, and
the new fields must then work end to end: Shop Master, sheet, library import,
compare and export. Fixture: tests/fixtures/release_826f77d/README.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql
from psycopg.rows import dict_row

from apex import create_app
from apex.catalogue import ELECTRIC, NITRO, PARAM_KEYS, PARAMS, as_texts
from apex.demo import DEMO_PASSWORD, DEMO_USERNAME
from apex.library_csv import COLUMNS
from apex.migrations import list_migrations
from apex.tables import RETIRED, SETUP_TABLES, TABLES
from tests.conftest import BACKENDS, store_of

FIXTURE = Path(__file__).parent / "fixtures" / "release_826f77d"
POWER_MIGRATION = "0006_car_power.sql"
Snapshot = dict[str, list[dict[str, Any]]]


def _old_keys() -> list[str]:
    """The parameters the release knew: its car_configs header."""
    with open(FIXTURE / "csv" / "car_configs.csv", newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    return [k for k in PARAM_KEYS if k in header]


OLD_KEYS = _old_keys()
NEW_KEYS = [k for k in PARAM_KEYS if k not in OLD_KEYS]


def _load_dump(url: str) -> None:
    """pg_dump's SQL through psycopg: psql's backslash commands (\\restrict) left out."""
    text = (FIXTURE / "postgres.sql").read_text(encoding="utf-8")
    script = "\n".join(line for line in text.splitlines() if not line.startswith("\\"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(script.encode())


@pytest.fixture(params=BACKENDS)
def old_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict]:
    """The release's store, copied: a fresh database loaded from the dump, or the folder."""
    if request.param == "csv":
        shutil.copytree(FIXTURE / "csv", tmp_path / "data")
        yield {"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "data")}
        return
    pg = request.getfixturevalue("pg")
    name = "apex_release_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:10]
    url = pg.create_database(name)
    _load_dump(url)
    yield {"DATABASE_URL": url}
    pg.drop_database(name)


@pytest.fixture
def old_app(old_config: dict) -> Iterator[Flask]:
    """The app on the old store, NOT upgraded (conftest's make_app would upgrade it)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, **old_config})
    try:
        yield app
    finally:
        store_of(app).close()


def snapshot(config: dict) -> Snapshot:
    """Every row of every table as the store holds it, read without the app's schema
    (tables newer than the release are left out until the upgrade makes them; the
    derived ``search`` columns too: sql/0015 folds their words)."""
    if config["DATABASE_URL"]:
        with psycopg.connect(config["DATABASE_URL"], row_factory=dict_row) as conn:
            return {t: [{k: v for k, v in r.items() if k != "search"} for r in conn.execute(
                sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(t))).fetchall()]
                for t in TABLES
                if conn.execute("SELECT to_regclass(%s) AS t", (t,)).fetchone()["t"]}
    folder = Path(config["APEX_DATA_DIR"])
    cells: Snapshot = {}
    for table in TABLES:
        if not (folder / f"{table}.csv").exists():
            continue
        with open(folder / f"{table}.csv", newline="", encoding="utf-8") as f:
            cells[table] = list(csv.DictReader(f))
    return cells


def upgrade_output(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return result.output


def log_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    response = client.post("/auth/login", data={"login": DEMO_USERNAME,
                                                "password": DEMO_PASSWORD})
    assert response.status_code == 303
    return client


def test_the_release_store_upgrades_and_takes_the_new_parameters(
    old_app: Flask, old_config: dict, tmp_path: Path
) -> None:
    postgres = bool(old_config["DATABASE_URL"])
    assert NEW_KEYS and len(OLD_KEYS) + len(NEW_KEYS) == len(PARAMS)
    before = snapshot(old_config)
    runner = old_app.test_cli_runner()

    # db status names what the upgrade will do
    status = runner.invoke(args=["db", "status"]).output
    for table in SETUP_TABLES:
        assert f"pending  column {table}.{NEW_KEYS[0]}" in status
    if postgres:
        assert f"pending  {POWER_MIGRATION}" in status

    # db upgrade: the power migration (PostgreSQL) or column (CSV), every new column
    output = upgrade_output(old_app)
    if postgres:
        assert f"applied  {POWER_MIGRATION}" in output
        assert [m for m in list_migrations() if m in output] == [
            m for m in list_migrations() if m >= POWER_MIGRATION]  # every one since the release
    else:
        assert "added column vehicles.power" in output
        assert "added column car_configs.version" in output
        assert "added column vehicles.archived_at" in output
    for table in SETUP_TABLES:
        for key in NEW_KEYS:
            assert f"added column {table}.{key}" in output
    assert "not in the catalogue" not in output
    assert upgrade_output(old_app).splitlines() == ["nothing to do: schema is up to date"]
    assert "pending" not in runner.invoke(args=["db", "status"]).output

    # every old row is as it was: old columns unchanged (the retired ones gone: sql/0012,
    # apex.tables.RETIRED), new ones empty, cars nitro
    if not postgres:
        assert "dropped retired column setup_changes.verdict" in output
    after = snapshot(old_config)
    for table, rows in before.items():
        kept = [{k: v for k, v in r.items() if k not in RETIRED.get(table, ())} for r in rows]
        assert all(k not in r for r in after[table] for k in RETIRED.get(table, ())), table
        assert [{k: r[k] for k in old} for r, old in zip(after[table], kept, strict=True)] \
            == kept, table
    store = store_of(old_app)
    dump = store.dump_tables()
    assert dump["vehicles"] and {c["power"] for c in dump["vehicles"]} == {NITRO}
    assert {c["archived_at"] for c in dump["vehicles"]} == {None}  # every old car in use
    for table in SETUP_TABLES:
        assert all(r[k] is None for r in dump[table] for k in NEW_KEYS), table
    assert any(r["Venturi"] is not None for r in dump["car_configs"])
    for table in ("racer_profiles", "vehicles", "car_configs", "master_library"):
        assert {r["version"] for r in dump[table]} <= {1}, table  # old rows: version 1
    # old laps carry no flag by hand (sql/0011): each is as its time says
    assert dump["laps"] and {r["flag"] for r in dump["laps"]} == {""}

    client = log_in(old_app)
    racer_id = store.find_user(DEMO_USERNAME).racer_id
    car = next(c for c in store.list_cars(racer_id) if c.model == "NB48 2.2")

    # make the car electric; its Shop Master takes the electric fields, not the nitro ones
    form = {"brand": car.brand, "model": car.model, "nickname": car.nickname,
            "transponder": car.transponder, "class_name": car.class_name, "power": ELECTRIC,
            "confirm_power": "1"}  # its nitro fields go, as the edit page asks first
    assert client.post(f"/garage/cars/{car.id}/edit", data=form).status_code == 303
    assert store.get_car(racer_id, car.id).power == ELECTRIC
    page = client.get(f"/garage/cars/{car.id}/setup").text
    assert 'id="p-Pinion"' in page and 'id="p-Venturi"' not in page
    setup = {**as_texts(store.get_car_config(racer_id, car.id).values),
             "Pinion": "17", "Motor": "1900kV 4-pole", "Timing": "15", "Battery": "4S 6500"}
    assert client.post(f"/garage/cars/{car.id}/setup", data=setup).status_code == 303
    saved = store.get_car_config(racer_id, car.id).values
    assert {k: saved[k] for k in ("Pinion", "Motor", "Timing", "Battery")} == {
        "Pinion": 17, "Motor": "1900kV 4-pole", "Timing": 15, "Battery": "4S 6500"}
    assert saved["Venturi"] is None and saved["Clutch"] is None  # nitro-only: emptied
    assert saved["DF"] == before_value(before, "car_configs", car.id, "DF")

    # the setup sheet shows the electric fields and hides the nitro ones
    sheet = client.get(f"/garage/cars/{car.id}/sheet").text
    assert "Pinion" in sheet and "1900kV 4-pole" in sheet and "4S 6500" in sheet
    assert "Venturi" not in sheet and "Clutch" not in sheet

    # a library CSV with the new fields
    row = {"track": "Glen Helen", "brand": "Tekno", "vehicle": "EB48 2.2", "condition": "Dry",
           "date": "2026-03-14", "source": "Pro Sheet", "DF": "7000", "Spur": "46",
           "Pinion": "16", "Motor": "2050kV 4-pole", "Timing": "0", "Battery": "4S 5000"}
    upload = io.StringIO()
    writer = csv.DictWriter(upload, COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    response = client.post("/library/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(upload.getvalue().encode()), "eb48.csv")})
    assert response.status_code == 303, response.text
    baseline = next(b for b in store.dump_tables()["master_library"]
                    if b["track"] == "Glen Helen")
    assert (baseline["Pinion"], baseline["Motor"], baseline["Timing"]) == (16, "2050kV 4-pole", 0)
    shown = client.get(f"/library/{baseline['id']}").text
    assert "2050kV 4-pole" in shown and "Venturi" not in shown  # its values are electric

    # compare it with the car: the new fields side by side
    compare = client.get(f"/library/compare?a=lib:{baseline['id']}&b=car:{car.id}").text
    cells = re.sub(r"\s+", " ", compare)
    assert '<th scope="row">Pinion</th> <td>16 T</td> <td>17 T ' in cells
    assert '<th scope="row">Timing</th> <td>0°</td> <td>15° ' in cells
    assert '<th scope="row">Motor</th> <td>2050kV 4-pole</td> <td>1900kV 4-pole</td>' in cells

    # db export-csv: the new columns and values are in the files
    result = runner.invoke(args=["db", "export-csv", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    exported = {t: read_cells(tmp_path / "backup" / f"{t}.csv")
                for t in ("vehicles", "car_configs", "master_library")}
    assert next(v for v in exported["vehicles"] if v["id"] == car.id)["power"] == ELECTRIC
    config = next(c for c in exported["car_configs"] if c["vehicle_id"] == car.id)
    assert (config["Pinion"], config["Motor"], config["Venturi"]) == ("17", "1900kV 4-pole", "")
    library = next(b for b in exported["master_library"] if b["track"] == "Glen Helen")
    assert (library["Pinion"], library["Battery"]) == ("16", "4S 5000")

    # and db import-csv takes the export back: every row is already there
    result = runner.invoke(args=["db", "import-csv", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert store.get_car_config(racer_id, car.id).values == saved


def before_value(before: Snapshot, table: str, car_id: str, key: str) -> object:
    """An old row's value, as the store types it now (the CSV snapshot holds text)."""
    row = next(r for r in before[table] if str(r["vehicle_id"]) == car_id)
    value = row[key]
    return int(value) if isinstance(value, str) else value


def read_cells(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
