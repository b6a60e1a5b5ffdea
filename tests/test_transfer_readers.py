"""Reading export folders into Rows: the old app's layout and APEX's own (no database).

The old-app fixtures in tests/fixtures/legacy are copies of the shared exports
(CRLF line ends, quoted cells with commas, accents, quotes and the oil/piston quirks).
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from apex.catalogue import PARAMS, PRESETS, coerce
from apex.models import User
from apex.stores.csv import CsvStore
from apex.stores.csv_tables import CsvTables
from apex.tables import NOT_EXPORTED, TABLES
from apex.transfer import ImportFailed, RowError, legacy, notes
from apex.transfer.folder import read_folder

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
OWNER = User(str(uuid.uuid4()), "alice", "alice@example.com", "hash", False, str(uuid.uuid4()))
RACER = OWNER.racer_id


def setup(*values: object) -> dict:
    """Catalogue values in catalogue order, typed as the catalogue types them; parameters
    after the old app's (the electric ones) unset."""
    given = {p.key: coerce(p, v) for p, v in zip(PARAMS[:len(values)], values, strict=True)}
    return {**{p.key: None for p in PARAMS}, **given}


NB48 = setup(7000, 7000, 5000, 450, "Green", "2.3", "4x1.2", "-1.0", "27.0", "-2.0", "105",
             400, "Yellow", "2.5", "4x1.7", "3.0", "28.0", "-3.0", "122",
             "Kosmos", "Green", "7.0", "REDS 2143", "4-Shoe Med", 13, 48)
NT48 = setup(10000, 10000, 7000, 600, "Pink", "2.5", "8x1.3", "-1.0", "33.0", "-2.0", "115",
             500, "Red", "2.8", "8x1.3", "3.0", "35.0", "-3.0", "135",
             "Relapse", "Green", "8.0", "REDS 2143", "4-Shoe Heavy", 13, 50)
EB48 = {**NB48, "Venturi": None, "Pipe": None, "Clutch": None, "Bell": None, "Spur": 46}


def copy_legacy(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    for name in names or [p.name for p in LEGACY.glob("*.csv")]:
        shutil.copy(LEGACY / name, folder / name)
    return folder


def without_ids(rows: dict) -> dict:
    """Rows with the freshly made uuids left out (they differ on every read)."""
    return {t: [{k: v for k, v in r.items() if k not in ("id", "vehicle_id")} for r in rs]
            for t, rs in rows.items()}


def failure(folder: Path, owner: User | None = OWNER) -> list[RowError]:
    with pytest.raises(ImportFailed) as err:
        read_folder(folder, owner)
    return err.value.errors


# -- the shared old-app export ----------------------------------------------------------------

def test_profile_goes_to_the_owner_with_its_sponsors() -> None:
    rows = read_folder(LEGACY, OWNER)
    assert rows["racer_profiles"] == [{
        "id": RACER, "user_id": OWNER.id, "name": "Default Racer", "email": "racer@example.com",
        "facebook": "", "instagram": "@apex_racer", "transponder": "8421337",
        "experience_level": "Intermediate", "driving_style": "Smooth, late apex, brakes early",
    }]
    sponsors = rows["sponsors"]
    assert [(s["profile_id"], s["name"], s["category"]) for s in sponsors] == [
        (RACER, "JConcepts", ""), (RACER, "REDS Racing", "")]
    assert all(uuid.UUID(s["id"]) for s in sponsors)


def test_cars_become_vehicles_with_their_shop_master() -> None:
    rows = read_folder(LEGACY, OWNER)
    vehicles, configs = rows["vehicles"], rows["car_configs"]
    assert [{k: v for k, v in r.items() if k != "id"} for r in vehicles] == [
        {"profile_id": RACER, "brand": "Tekno", "model": model, "nickname": "",
         "transponder": "", "class_name": "", "power": "nitro"}
        for model in ("NB48 2.2", "NT48 2.2", "EB48 2.2")]
    assert [c["vehicle_id"] for c in configs] == [v["id"] for v in vehicles]
    assert len({c["id"] for c in configs} | {v["id"] for v in vehicles}) == 6
    assert [{k: v for k, v in c.items() if k not in ("id", "vehicle_id")} for c in configs] == [
        {"profile_id": RACER, "car": "Tekno NB48 2.2", **NB48},
        {"profile_id": RACER, "car": "Tekno NT48 2.2", **NT48},
        {"profile_id": RACER, "car": "Tekno EB48 2.2", **EB48},
    ]
    eb48 = configs[2]  # written 7k and "7,000"; an electric car: no venturi, pipe, clutch, bell
    assert (eb48["DF"], eb48["DC"], eb48["Spur"]) == (7000, 7000, 46)
    assert isinstance(eb48["DF"], int) and isinstance(eb48["SB_F"], Decimal)
    assert (configs[0]["P_F"], configs[1]["P_F"]) == ("4x1.2", "8x1.3")
    assert not any(k in c for c in configs for k in ("created_at", "updated_at"))


def test_library_rows_keep_every_value_and_get_new_ids() -> None:
    rows = read_folder(LEGACY, OWNER)["master_library"]

    def lib(track, brand, vehicle, condition, day, source, driver, params):
        return {"id": None, "track": track, "brand": brand, "vehicle": vehicle,
                "condition": condition, "date": day, "source": source, "driver_name": driver,
                "submitted_by": RACER, "notes": "", **params}

    rc8 = setup(5000, 7000, 3000, 400, "Green", "0", "6x1.3", "-1.0", "27.0", "-2.0", "105",
                350, "Yellow", "2.2", "6x1.4", "3.0", "28.0", "-3.0", "122",
                "Kosmos", "Green", "7.0", "REDS 2143", "4-Shoe Med", 13, 48)
    assert rows == [
        lib("Thunder Alley", "Tekno", "NB48 2.2", "High Traction, Smooth", date(2025, 11, 2),
            "Factory Base", "", {**NB48, "DF": 10000, "DC": 15000, "SB_F": Decimal("2.5")}),
        lib("Thunder Alley", "Tekno", "NT48 2.2", "High Traction, Smooth", date(2025, 11, 2),
            "Factory Base", "", NT48),
        lib("Mac's Track", "Associated", "RC8B4", "Bumpy, Dusty", date(2025, 10, 18),
            "Friend/Teammate", "Sam Ortiz", rc8),
        lib("Mac's Track", "Tekno", "NB48 2.2", "Bumpy, Dusty", date(2025, 10, 18),
            "User Upload", "", {**NB48, "RH_F": Decimal("28.5"), "RH_R": Decimal("29.5")}),
        lib("Circuit du Lac — Montréal", "Xray", "XB8", "Wet, Muddy", date(2025, 9, 7),
            "Online Forum", 'Élodie "Lo" Martin',
            {**NB48, "Tread": "Detox, cut", "Compound": "Aqua A1"}),
        lib("Silver Dollar", "Mugen", "MBX8R", "Medium Traction", date(2025, 8, 30), "Other", "",
            {**NT48, "Venturi": Decimal("7.5"), "Spur": 49}),
    ]
    assert rows[2]["SB_F"] == Decimal("0.0") and rows[2]["P_F"] == "6x1.3"


def test_logs_get_kinds_tracks_lap_times_and_keywords() -> None:
    logs = read_folder(LEGACY, OWNER)["track_logs"]
    start = ("SESSION_START: EVENT Winter Series R1 | CLASSES 1/8 Expert Nitro Buggy | "
             "TRACK Thunder Alley (Large/High/Dry/Smooth) | Car Tekno NB48 2.2")
    expected = [  # (day, time, car, note, kind, keywords, lap)
        (2, "09:12:00", "NB48", start, "system", "", None),
        (2, "09:40:10", "NB48", "Pushing on entry in the sweeper, rear feels planted", "note",
         "entry", Decimal("31.842")),
        (2, "10:05:33", "NB48", "DIGITAL_TWIN_UPDATE: DF -> 6000", "change", "", None),
        (2, "10:31:02", "NB48", "Better turn-in, a bit loose on exit over the double, "
         "bottoming on the big landing", "note", "loose, exit, bottoming", Decimal("31.377")),
        (2, "14:02:45", "NB48", "LIVERC_SYNC: 12 Laps / 6:05.2 | Fastest 30.9 | Consistency 92%",
         "system", "", Decimal("30.9")),
        (3, "08:55:00", "NT48", "Track watered overnight, grip is up", "note", "", None),
    ]
    assert [{k: v for k, v in log.items() if k != "id"} for log in logs] == [{
        "profile_id": RACER, "timestamp": (at := datetime.fromisoformat(
            f"2025-11-0{day}T{time}+00:00")), "track": "Thunder Alley",
        "car": f"Tekno {car} 2.2", "event": "Winter Series R1", "note": note, "kind": kind,
        "keywords": keywords, "lap_time": lap, "created_at": at,
    } for day, time, car, note, kind, keywords, lap in expected]
    assert logs[0]["timestamp"].tzinfo is UTC and all(uuid.UUID(log["id"]) for log in logs)


def test_note_prefixes_parse_into_structured_data() -> None:
    logs = read_folder(LEGACY, OWNER)["track_logs"]
    assert notes.parse_session_start(logs[0]["note"]) == notes.SessionStart(
        "Winter Series R1", "1/8 Expert Nitro Buggy", "Thunder Alley",
        ("Large", "High", "Dry", "Smooth"), "Tekno NB48 2.2")
    assert notes.parse_twin_update(logs[2]["note"]) == [("DF", "6000")]
    assert notes.parse_liverc_sync(logs[4]["note"]) == notes.LiveRcSync(
        12, Decimal("365.2"), Decimal("30.9"), Decimal("92"))
    assert notes.parse_session_start(logs[1]["note"]) is None
    assert notes.parse_twin_update(logs[1]["note"]) == [] and notes.parse_liverc_sync("x") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("7k", "7000"), ("7.5k", "7500"), ("7,000", "7000"), (" 12 500 ", "12500"),
    ("10,000", "10000"), ("7000", "7000"), ("7,5", "7,5"), ("k", "k"),
])
def test_oil_quirks(text: str, expected: str) -> None:
    assert legacy.oil_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1.2x4", "4x1.2"), ("1.3x8", "8x1.3"), ("6x1.3", "6x1.3"), ("1.2X4", "4x1.2"),
    ("1.2 × 4", "4x1.2"), ("4x1.2", "4x1.2"), ("6x1.3x2", "6x1.3x2"), ("Emulsion", "Emulsion"),
])
def test_piston_quirks(text: str, expected: str) -> None:
    assert legacy.normalise_piston(text) == expected


@pytest.mark.parametrize("variant", ["lf", "bom", "bom-lf"])
def test_bom_and_line_ends_read_identically(tmp_path: Path, variant: str) -> None:
    folder = tmp_path / variant
    folder.mkdir()
    for path in LEGACY.glob("*.csv"):
        data = path.read_bytes()
        assert b"\r\n" in data  # the shared exports are CRLF already
        if "lf" in variant:
            data = data.replace(b"\r\n", b"\n")
        if "bom" in variant:
            data = b"\xef\xbb\xbf" + data
        (folder / path.name).write_bytes(data)
    assert without_ids(read_folder(folder, OWNER)) == without_ids(read_folder(LEGACY, OWNER))


def test_a_file_may_be_missing(tmp_path: Path) -> None:
    rows = read_folder(copy_legacy(tmp_path, "master_library.csv"), OWNER)
    assert list(rows) == ["master_library"] and len(rows["master_library"]) == 6


# -- bad rows are reported with file, line and reason ----------------------------------------

def replace_cell(folder: Path, name: str, line: int, old: str, new: str) -> None:
    """Change one cell text on a given line (1 = header) of a copied fixture."""
    lines = (folder / name).read_bytes().decode().split("\r\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    (folder / name).write_bytes("\r\n".join(lines).encode())


@pytest.mark.parametrize(("name", "line", "old", "new", "reason"), [
    ("car_configs.csv", 3, "10000,10000", "99999999,10000",
     "DF: '99999999': Must be between 1000 and 100000 cSt."),
    ("master_library.csv", 4, ",0,6x1.3", ",9,6x1.3", "SB_F: '9': Must be between 0.0 and 4.0 mm."),
    ("master_library.csv", 6, "2025-09-07", "2025-13-07",
     "Date: '2025-13-07' is not a date (YYYY-MM-DD)"),
    ("track_logs.csv", 3, "31.842", "-3",
     "Lap_Time: '-3': must be a time in seconds greater than 0"),
    ("car_configs.csv", 4, ",46", ",46.5", "Spur: '46.5': Must be in steps of 1 T: try 46 or 47."),
    ("car_configs.csv", 2, "4-Shoe Med", "x" * 41, f"Clutch: {'x' * 41!r}: At most 40 characters."),
    ("racer_profiles.csv", 2, "Intermediate", "Expert",
     "experience_level: 'Expert' is not one of Sportsman, Intermediate, Pro"),
])
def test_a_bad_value_names_file_line_and_limit(
    tmp_path: Path, name: str, line: int, old: str, new: str, reason: str
) -> None:
    folder = copy_legacy(tmp_path)
    replace_cell(folder, name, line, old, new)
    assert failure(folder) == [RowError(name, line, reason)]


def test_every_bad_row_of_every_file_is_reported(tmp_path: Path) -> None:
    folder = copy_legacy(tmp_path)
    replace_cell(folder, "master_library.csv", 7, ",2.5,1.3x8", ",5,1.3x8")
    replace_cell(folder, "master_library.csv", 2, "10000,15000", "10000,150000")
    replace_cell(folder, "car_configs.csv", 4, "7k", "7q")
    replace_cell(folder, "car_configs.csv", 4, ",46", ",61")
    replace_cell(folder, "track_logs.csv", 2, "2025-11-02 09:12:00", "yesterday")
    assert [str(e) for e in failure(folder)] == [
        "car_configs.csv, line 4: DF: '7q': Enter a whole number.",
        "car_configs.csv, line 4: Spur: '61': Must be between 30 and 60 T.",
        "master_library.csv, line 2: DC: '150000': Must be between 1000 and 100000 cSt.",
        "master_library.csv, line 7: SB_F: '5': Must be between 0.0 and 4.0 mm.",
        "track_logs.csv, line 2: Date: 'yesterday' is not a date and time (YYYY-MM-DD HH:MM:SS)",
    ]


def test_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "track_logs.csv").write_text(
        "Date,Event,Notes,Vehicle,Lap_Time,Keywords\n"
        '2025-11-02 09:00:00,R1,"two\nline note",Tekno NB48 2.2,31.0,\n'
        "\n"
        "2025-11-02 09:10:00,R1,ok,Tekno NB48 2.2,0,\n", encoding="utf-8")
    assert failure(folder) == [RowError(
        "track_logs.csv", 5, "Lap_Time: '0': must be a time in seconds greater than 0")]


def test_broken_files_are_reported_not_guessed(tmp_path: Path) -> None:
    folder = copy_legacy(tmp_path, "car_configs.csv", "track_logs.csv", "master_library.csv")
    replace_cell(folder, "car_configs.csv", 1, ",Spur", ",Spur,Colour")
    replace_cell(folder, "car_configs.csv", 3, "Tekno NT48 2.2", "Tekno NB48  2.2")
    (folder / "master_library.csv").write_bytes(
        (folder / "master_library.csv").read_bytes().replace("é".encode(), b"\xe9"))
    replace_cell(folder, "track_logs.csv", 5, "Bottoming", 'Bottoming"')
    assert [str(e) for e in failure(folder)] == [
        "car_configs.csv, line 1: unknown column 'Colour': its values would be lost; "
        "remove or rename it",
        "car_configs.csv, line 3: Car: Tekno NB48 2.2 is already on line 2",
        "master_library.csv, line 6: not UTF-8 text: save the file as CSV UTF-8",
        "track_logs.csv, line 5: not valid CSV (',' expected after '\"'): check the quotes "
        "of the record that starts here",
    ]


def test_a_second_profile_is_reported_not_dropped(tmp_path: Path) -> None:
    folder = copy_legacy(tmp_path, "racer_profiles.csv")
    with open(folder / "racer_profiles.csv", "a", encoding="utf-8", newline="") as f:
        f.write("other_user,Someone,,,,,,,\r\n")
    assert [e.line for e in failure(folder)] == [3]


# -- layouts -------------------------------------------------------------------------------------

def test_an_old_export_needs_an_owner() -> None:
    errors = failure(LEGACY, owner=None)
    assert len(errors) == 1 and errors[0].line == 0 and "--owner" in errors[0].reason


@pytest.mark.parametrize("files", [{}, {"notes.txt": "hello\n"}, {"car_configs.csv": "car,DF\n"},
                                   {"users.csv": "id,login\n"}])
def test_an_unknown_folder_is_not_an_export(tmp_path: Path, files: dict) -> None:
    folder = tmp_path / "stuff"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    errors = failure(folder)
    assert [(e.file, e.line) for e in errors] == [("stuff", 0)]
    assert errors[0].reason.startswith("not an APEX or old-app export: ")
    assert failure(tmp_path / "missing")[0].reason.endswith("is not a folder")


def apex_folder(tmp_path: Path) -> Path:
    """A folder written by the real CSV store: a user, a car with the NB48 preset, a sponsor."""
    store = CsvStore(tmp_path / "apex")
    store.upgrade()
    user = store.create_user("Élodie", "elodie@example.com", "hash")
    store.update_profile(user.racer_id, {"name": 'Élodie "Lo" Martin', "experience_level": "Pro"})
    store.add_car(user.racer_id, {"brand": "Tekno", "model": "NB48 2.2", "nickname": "Bleu, 2"},
                  PRESETS["Tekno NB48 2.2"], request_key=str(uuid.uuid4()))
    store.add_sponsor(user.racer_id, "Circuit du Lac — Montréal", "Track")
    store.compact()  # the writes into the table files, which the tests edit
    return store.data_dir


def test_an_apex_folder_reads_back_what_the_store_holds(tmp_path: Path) -> None:
    folder = apex_folder(tmp_path)
    rows = read_folder(folder, None)
    tables = CsvTables(folder)
    assert rows == {t: tables.read(t) for t in TABLES if t not in NOT_EXPORTED}
    assert rows["car_configs"][0]["SB_F"] == Decimal("2.3")
    assert read_folder(folder, OWNER) == rows  # the owner is ignored for this layout
    (folder / "track_logs.csv").unlink()
    assert "track_logs" not in read_folder(folder, None)


def test_bad_values_in_an_apex_folder_are_reported(tmp_path: Path) -> None:
    folder = apex_folder(tmp_path)
    text = (folder / "car_configs.csv").read_text(encoding="utf-8")
    (folder / "car_configs.csv").write_text(text.replace(",2.3,", ",9,"), encoding="utf-8")
    with open(folder / "master_library.csv", "a", encoding="utf-8", newline="") as f:
        f.write("x,Track,,,,2025-02-30,,,,," + "," * len(PARAMS) + ",\r\n")
    assert [str(e) for e in failure(folder, None)] == [
        "car_configs.csv, line 2: SB_F: Must be between 0.0 and 4.0 mm.",
        "master_library.csv, line 2: id: not a whole number: 'x'",
        "master_library.csv, line 2: date: not a date (YYYY-MM-DD): '2025-02-30'",
    ]


def test_a_nul_character_is_reported_with_its_line(tmp_path) -> None:
    folder = tmp_path / "nul"
    folder.mkdir()
    (folder / "car_configs.csv").write_bytes(b"Car,DF\r\nTekno NB48,7000\r\nBad\x00Car,7000\r\n")
    with pytest.raises(ImportFailed) as err:
        read_folder(folder, OWNER)
    assert err.value.errors == [RowError("car_configs.csv", 3,
                                         "a NUL character: is this really a CSV file?")]


def test_race_day_values_are_checked_as_postgresql_would(tmp_path: Path) -> None:
    """An export edited by hand: the CHECKs of sql/0003 and 0004 are reported by line,
    before anything is written (PostgreSQL would otherwise refuse them mid-import)."""
    from apex.demo import seed_race_day

    store = CsvStore(tmp_path / "apex")
    store.upgrade()
    user = store.create_user("ada", "ada@example.com", "hash")
    car = store.add_car(user.racer_id, {"brand": "Tekno", "model": "NB48 2.2"},
                        PRESETS["Tekno NB48 2.2"])
    seed_race_day(store, user.racer_id, car.id, runs=1, laps_per_run=3)
    store.compact()  # the writes into the table files, which the test edits
    folder = store.data_dir
    events = CsvTables(folder).read("events")
    start = events[0]["start_date"].isoformat()
    text = (folder / "events.csv").read_text(encoding="utf-8")
    (folder / "events.csv").write_text(
        text.replace(",24,4,3,", ",200,4,3,").replace(f",{start},,", f",{start},2000-01-01,"),
        encoding="utf-8")
    text = (folder / "runs.csv").read_text(encoding="utf-8").splitlines()
    header, row = text[0].split(","), text[1].split(",")
    row[header.index("confidence")] = "9"
    (folder / "runs.csv").write_text("\n".join([text[0], ",".join(row)]) + "\n",
                                     encoding="utf-8")
    assert [str(e) for e in failure(folder, None)] == [
        "events.csv, line 2: temperature: must be -30 to 70",
        "runs.csv, line 2: confidence: must be 1 to 5",
    ]
    text = (folder / "events.csv").read_text(encoding="utf-8")
    (folder / "events.csv").write_text(text.replace(",200,4,3,", ",24,4,3,"), encoding="utf-8")
    assert "events.csv, line 2: end_date: must not be before start_date" in [
        str(e) for e in failure(folder, None)]


def test_a_lap_time_written_n_a_is_no_time_with_a_warning(tmp_path: Path) -> None:
    folder = copy_legacy(tmp_path, "track_logs.csv")
    replace_cell(folder, "track_logs.csv", 3, "31.842", "N/A")
    warnings: list[RowError] = []
    logs = read_folder(folder, OWNER, warnings)["track_logs"]
    assert len(logs) == 6 and logs[1]["lap_time"] is None
    assert warnings == [RowError("track_logs.csv", 3, "Lap_Time: 'N/A' read as not set")]


def test_an_older_export_with_a_retired_column_imports(tmp_path: Path) -> None:
    # Before sql/0012 setup_changes had a verdict column (the audit's rating copied onto
    # the changes): its cells are read past, the rest of the row is read as ever.
    header = ",".join([*TABLES["setup_changes"], "verdict"])
    row = ",".join({"id": "1", "event_id": "2", "parameter": "DF", "old_value": "7000",
                    "new_value": "6000", "source": "manual", "status": "accepted",
                    "version": "2", "verdict": "failure"}.get(c, "")
                   for c in [*TABLES["setup_changes"], "verdict"])
    (tmp_path / "setup_changes.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    (tmp_path / "users.csv").write_text(",".join(TABLES["users"]) + "\n", encoding="utf-8")
    rows = read_folder(tmp_path, None)
    (change,) = rows["setup_changes"]
    assert (change["parameter"], change["new_value"]) == ("DF", "6000")
    assert "verdict" not in change
