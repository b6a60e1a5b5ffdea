"""`flask db import-csv` / `export-csv` end to end, on both stores, with the old app's export."""

from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from apex.catalogue import PRESETS
from tests.conftest import make_app

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
PASSWORD = "alice-pit-lane-1\n"


def import_csv(runner, folder: Path, *extra: str, owner: str | None = "alice"):
    args = ["db", "import-csv", str(folder), *(["--owner", owner] if owner else []), *extra]
    return runner.invoke(args=[*args, "--password-stdin"], input=PASSWORD)


@pytest.fixture
def imported(runner, app):
    result = import_csv(runner, LEGACY)
    assert result.exit_code == 0, result.output
    return app.extensions["apex.store"]


def test_import_creates_the_owner_and_moves_every_value(imported):
    store = imported
    alice = store.find_user("alice")
    assert alice.email == "racer@example.com"
    profile = store.get_profile(alice.racer_id)
    assert (profile.name, profile.instagram, profile.transponder, profile.experience_level,
            profile.driving_style) == ("Default Racer", "@apex_racer", "8421337", "Intermediate",
                                       "Smooth, late apex, brakes early")
    assert [s.name for s in store.list_sponsors(alice.racer_id)] == ["JConcepts", "REDS Racing"]
    cars = {f"{c.brand} {c.model}": c for c in store.list_cars(alice.racer_id)}
    assert set(cars) == {"Tekno NB48 2.2", "Tekno NT48 2.2", "Tekno EB48 2.2"}
    nb48 = store.get_car_config(alice.racer_id, cars["Tekno NB48 2.2"].id).values
    assert nb48 == {**PRESETS["Tekno NB48 2.2"], "Clutch": "4-Shoe Med"}
    eb48 = store.get_car_config(alice.racer_id, cars["Tekno EB48 2.2"].id).values
    assert (eb48["DF"], eb48["DC"], eb48["P_F"], eb48["P_R"]) == (7000, 7000, "4x1.2", "4x1.7")
    assert (eb48["Venturi"], eb48["Pipe"], eb48["Clutch"], eb48["Bell"], eb48["Spur"]) == \
        (None, None, None, None, 46)


def test_import_fills_the_shared_library_and_the_notes(imported):
    rows = imported.dump_tables()
    library = {(r["track"], r["vehicle"]): r for r in rows["master_library"]}
    assert len(library) == 6
    lac = library[("Circuit du Lac — Montréal", "XB8")]
    assert lac["driver_name"] == 'Élodie "Lo" Martin' and lac["date"] == date(2025, 9, 7)
    assert library[("Mac's Track", "RC8B4")]["SB_F"] == Decimal("0")
    assert library[("Mac's Track", "RC8B4")]["P_F"] == "6x1.3"
    alice = imported.find_user("alice")
    assert {r["submitted_by"] for r in rows["master_library"]} == {alice.racer_id}
    logs = sorted(rows["track_logs"], key=lambda r: r["timestamp"])
    assert len(logs) == 6 and {r["profile_id"] for r in logs} == {alice.racer_id}
    assert [r["kind"] for r in logs] == ["system", "note", "change", "note", "system", "note"]
    assert logs[3]["keywords"] == "loose, exit, bottoming"
    assert logs[1]["lap_time"] == Decimal("31.842") and logs[1]["track"] == "Thunder Alley"
    assert logs[2]["note"] == "DIGITAL_TWIN_UPDATE: DF -> 6000"


def test_second_import_changes_nothing_and_says_so(imported, runner):
    before = imported.dump_tables()
    result = import_csv(runner, LEGACY)
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.output
    assert imported.dump_tables() == before


def test_import_prints_a_summary_per_table(runner):
    result = import_csv(runner, LEGACY)
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()
             if line and line.split()[0] in ("vehicles", "master_library", "track_logs")}
    assert lines["vehicles"] == ["3", "3", "0", "0"]
    assert lines["master_library"] == ["6", "6", "0", "0"]
    assert lines["track_logs"] == ["6", "6", "0", "0"]


def test_dry_run_touches_nothing(runner, app):
    store = app.extensions["apex.store"]
    before = store.dump_tables()
    result = import_csv(runner, LEGACY, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output and "nothing was written" in result.output
    assert store.dump_tables() == before
    assert store.find_user("alice") is None


def test_a_bad_row_names_file_and_line_and_leaves_the_store_as_it_was(runner, app, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(LEGACY, folder)
    lines = (folder / "master_library.csv").read_bytes().split(b"\r\n")
    lines[4] = lines[4].replace(b",7000,7000,5000,", b",7000,7000,500000,", 1)
    (folder / "master_library.csv").write_bytes(b"\r\n".join(lines))
    store = app.extensions["apex.store"]
    before = store.dump_tables()
    result = import_csv(runner, folder)
    assert result.exit_code != 0
    assert "master_library.csv, line 5: DR: '500000': Must be between 1000 and 100000 cSt." \
        in result.output
    assert "nothing was imported" in result.output
    assert store.dump_tables() == before


def test_a_bom_and_lf_export_imports_the_same(runner, app, tmp_path):
    folder = tmp_path / "bom"
    folder.mkdir()
    for f in LEGACY.glob("*.csv"):
        (folder / f.name).write_bytes(b"\xef\xbb\xbf" + f.read_bytes().replace(b"\r\n", b"\n"))
    assert import_csv(runner, folder).exit_code == 0
    reference = make_app({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "ref")},
                         WTF_CSRF_ENABLED=False)
    assert import_csv(reference.test_cli_runner(), LEGACY).exit_code == 0
    ours = app.extensions["apex.store"].dump_tables()
    theirs = reference.extensions["apex.store"].dump_tables()
    for table in ("vehicles", "master_library", "track_logs", "sponsors"):
        strip = lambda rows: sorted(  # noqa: E731
            tuple(sorted((k, str(v)) for k, v in r.items() if not k.endswith(("id", "_at",
                                                                               "submitted_by"))))
            for r in rows)
        assert strip(ours[table]) == strip(theirs[table]), table


def test_existing_owner_gets_the_data_without_a_password(runner, app, auth):
    auth.signup("alice")
    result = runner.invoke(args=["db", "import-csv", str(LEGACY), "--owner", "alice"])
    assert result.exit_code == 0, result.output
    store = app.extensions["apex.store"]
    alice = store.find_user("alice")
    assert alice.email == "alice@example.com"  # the account keeps its own email
    assert len(store.list_cars(alice.racer_id)) == 3


def test_old_export_without_owner_is_refused(runner):
    result = runner.invoke(args=["db", "import-csv", str(LEGACY)])
    assert result.exit_code != 0 and "--owner" in result.output


def page_text(client, url: str) -> str:
    html = client.get(url).text
    html = re.sub(r'(csrf_token" value=|X-CSRFToken": )"[^"]+"', r"\1x", html)
    return re.sub(r'name="request_key" value="[^"]+"', "", html)


def test_export_then_csv_store_renders_the_same_pages(imported, runner, client, tmp_path):
    assert client.post("/auth/login", data={"login": "alice",
                                            "password": PASSWORD.strip()}).status_code == 303
    alice = imported.find_user("alice")
    urls = ["/garage/", "/garage/profile"] + [
        f"/garage/cars/{c.id}/{page}" for c in imported.list_cars(alice.racer_id)
        for page in ("setup", "sheet")]
    before = {url: page_text(client, url) for url in urls}
    result = runner.invoke(args=["db", "export-csv", str(tmp_path / "rollback")])
    assert result.exit_code == 0, result.output
    on_files = make_app({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "rollback")},
                        WTF_CSRF_ENABLED=False)
    files_client = on_files.test_client()
    files_client.post("/auth/login", data={"login": "alice", "password": PASSWORD.strip()})
    for url in urls:
        assert page_text(files_client, url) == before[url], url


def test_round_trip_csv_store_to_store_to_csv_gives_the_same_rows(runner, app, tmp_path):
    source = make_app({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "source")},
                      WTF_CSRF_ENABLED=False)
    assert import_csv(source.test_cli_runner(), LEGACY).exit_code == 0
    source.test_cli_runner().invoke(args=["db", "seed-demo"])
    result = runner.invoke(args=["db", "import-csv", str(tmp_path / "source")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["db", "export-csv", str(tmp_path / "back")]).exit_code == 0
    copy = make_app({"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "back")})
    original = source.extensions["apex.store"].dump_tables()
    returned = copy.extensions["apex.store"].dump_tables()
    for table, rows in original.items():
        assert sorted(returned[table], key=lambda r: str(r["id"])) == \
            sorted(rows, key=lambda r: str(r["id"])), table


def test_imported_notes_show_in_the_garage_notebook(imported, client):
    client.post("/auth/login", data={"login": "alice", "password": PASSWORD.strip()})
    text = client.get("/garage/").text
    assert "Notebook" in text and "Track watered overnight, grip is up" in text
    # The old app's own change line, its code read as the catalogue's label (issue 18).
    assert "DIGITAL_TWIN_UPDATE: Front diff oil -&gt; 6000" in text


UNITS = Path(__file__).parent / "fixtures" / "legacy_units"


def test_import_reads_units_and_pistons_and_warns_per_blanked_cell(runner, app):
    result = import_csv(runner, UNITS, "--email", "alice@example.com")
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("warning:")] == [
        "warning: car_configs.csv, line 3: SB_F: 'N/A' read as not set",
        "warning: car_configs.csv, line 3: SO_R: 'n/a' read as not set",
        "warning: car_configs.csv, line 3: SB_R: '-' read as not set",
        "warning: car_configs.csv, line 3: Bell: '-' read as not set",
    ]
    store = app.extensions["apex.store"]
    alice = store.find_user("alice")
    cars = {c.model: c for c in store.list_cars(alice.racer_id)}
    nb48 = store.get_car_config(alice.racer_id, cars["NB48 2.2"].id).values
    assert nb48 == {**PRESETS["Tekno NB48 2.2"], "Clutch": "4-Shoe Med"}  # 7000cst, -1°, 13T…
    nt48 = store.get_car_config(alice.racer_id, cars["NT48 2.2"].id).values
    assert (nt48["SB_F"], nt48["SO_R"], nt48["SB_R"], nt48["Bell"]) == (None,) * 4
    assert (nt48["P_F"], nt48["P_R"]) == ("8x1.3", "8x1.3")  # written "1,3x8", 1.3x8.0


def test_a_value_in_another_parameters_unit_is_refused_quoting_it(runner, app, tmp_path):
    folder = tmp_path / "units"
    shutil.copytree(UNITS, folder)
    data = (folder / "car_configs.csv").read_bytes().replace(b"7000cst", b"7000mm", 1)
    (folder / "car_configs.csv").write_bytes(data)
    store = app.extensions["apex.store"]
    before = store.dump_tables()
    result = import_csv(runner, folder, "--email", "alice@example.com")
    assert result.exit_code != 0
    assert ("car_configs.csv, line 2: DF: '7000mm': mm is not a unit of front diff oil: "
            "write it in cSt") in result.output
    assert store.dump_tables() == before
