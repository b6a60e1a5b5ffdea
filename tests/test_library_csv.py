"""The library's CSV: export neutralises formulas, upload checks every line, round trips."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from apex.catalogue import PARAM_KEYS, PRESETS, empty_setup
from apex.library_csv import COLUMNS, export_rows, neutralise, parse_upload, restore
from apex.models import LIBRARY_FIELDS, LibraryBaseline
from apex.transfer import RowError

NB48 = PRESETS["Tekno NB48 2.2"]
HEADER = ",".join(COLUMNS)


def baseline(n: int = 1, values: dict | None = None, **fields) -> LibraryBaseline:
    data = {"track": "Mac's Track", "brand": "Tekno", "vehicle": "NB48 2.2",
            "condition": "Bumpy, Dusty", "date": date(2025, 10, 18), "source": "User Upload",
            "driver_name": "Élodie \"Lo\" Martin", "notes": "", **fields}
    return LibraryBaseline(n, submitted_by=None, submitter_name="",
                           values=dict(NB48 if values is None else values), **data)


def item(b: LibraryBaseline) -> tuple[dict, dict]:
    return ({name: getattr(b, name) for name in LIBRARY_FIELDS},
            {key: b.values.get(key) for key in PARAM_KEYS})


def cells(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def upload(*lines: str, header: str = HEADER) -> tuple[list, list[RowError]]:
    return parse_upload("\r\n".join([header, *lines, ""]).encode(), "library.csv")


def line(fields: str, **values: object) -> str:
    """A data line: the eight field cells as given, then NB48's values (some replaced)."""
    setup = {**{k: "" if v is None else str(v) for k, v in NB48.items()},
             **{k: str(v) for k, v in values.items()}}
    return fields + "," + ",".join(setup[k] for k in PARAM_KEYS)


GOOD = "Mac's Track,Tekno,NB48 2.2,Bumpy,2025-10-18,Pro Sheet,,"


# -- export -----------------------------------------------------------------------------

def test_export_header_and_values_as_racers_write_them():
    text = export_rows([baseline()])
    assert text.splitlines()[0] == "\ufeff" + HEADER  # a BOM: spreadsheets read UTF-8 right
    assert text.endswith("\r\n")
    row = cells(text)[0]
    assert row["date"] == "2025-10-18" and row["driver_name"] == 'Élodie "Lo" Martin'
    assert (row["DF"], row["SB_F"], row["Toe_F"], row["ST_F"], row["P_F"]) == (
        "7000", "2.3", "-1.0", "105.0", "4x1.2")
    assert export_rows([]) == "\ufeff" + HEADER + "\r\n"


def test_export_neutralises_formulas_in_text_columns_and_text_parameters():
    b = baseline(track='=HYPERLINK("http://evil.example","Click")', condition="+1",
                 driver_name="@SUM(A1:A9)", notes="-2+3",
                 values={**NB48, "SP_F": "=1+1", "Clutch": "@x", "Pipe": "-3"})
    row = cells(export_rows([b]))[0]
    assert row["track"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["condition"] == "'+1"
    assert row["driver_name"] == "'@SUM(A1:A9)"
    assert row["notes"] == "'-2+3"
    assert (row["SP_F"], row["Clutch"], row["Pipe"]) == ("'=1+1", "'@x", "'-3")
    # numeric parameters are validated numbers: a negative one stays a number
    assert (row["Toe_F"], row["C_F"], row["C_R"]) == ("-1.0", "-2.0", "-3.0")


def test_neutralise_tab_cr_and_quotes():
    assert neutralise("\tcmd") == "'\tcmd" and neutralise("\rcmd") == "'\rcmd"
    assert neutralise("Kosmos") == "Kosmos" and neutralise("") == ""
    assert neutralise("'Kosmos'") == "'Kosmos'"  # a quote before harmless text stays
    assert neutralise("'=x") == "''=x"  # so that restore gives "'=x" back
    for text in ("=x", "'=x", "''-1", "'Kosmos'", "a=b", "", "'", "\t", "@"):
        assert restore(neutralise(text)) == text
    assert restore("'Kosmos'") == "'Kosmos'"


def test_round_trip_gives_the_same_items():
    rows = [
        baseline(1),
        baseline(2, values={**NB48, "Toe_F": Decimal("-1.5"), "SP_F": "=1+1", "SB_F": None},
                 track="=HYPERLINK(\"x\")", notes="line one\nline two, with a comma",
                 driver_name="'Kosmos'", condition=""),
        baseline(3, values=empty_setup(), source="Other", date=date(2024, 2, 29)),
        baseline(4, values=PRESETS["Tekno NT48 2.2"], vehicle="NT48 2.2", notes="-2+3"),
    ]
    text = export_rows(rows)
    for encoded in (text.encode(), text.encode("utf-8-sig"), text[1:].encode()):
        items, errors = parse_upload(encoded, "library.csv")
        assert errors == []
        assert items == [item(b) for b in rows]
    assert items[1][0]["track"] == "=HYPERLINK(\"x\")"  # the added quote is gone again
    assert items[1][1]["Toe_F"] == Decimal("-1.5")


# -- upload -----------------------------------------------------------------------------

def test_upload_reads_old_quirks_and_optional_columns():
    header = "track,brand,vehicle,condition,date,source,DF,P_F,SO_R"
    items, errors = upload("Pit Lane,Tekno,EB48 2.2,,2025-07-13,Other,7k,1.2x4,\"1,000\"",
                           header=header)
    assert errors == []
    fields, values = items[0]
    assert fields == {"track": "Pit Lane", "brand": "Tekno", "vehicle": "EB48 2.2",
                      "condition": "", "date": date(2025, 7, 13), "source": "Other",
                      "driver_name": "", "notes": ""}
    assert (values["DF"], values["P_F"], values["SO_R"]) == (7000, "4x1.2", 1000)
    assert values["Toe_F"] is None and set(values) == set(PARAM_KEYS)


def test_per_line_errors():
    items, errors = upload(
        line(GOOD),
        line("Mac's Track,Tekno,NB48 2.2,Bumpy,18/10/2025,Pro Sheet,,"),
        line("Mac's Track,Tekno,NB48 2.2,Dusty,2025-10-18,Magazine,,"),
        line("Mac's Track,Tekno,NT48 2.2,Bumpy,2025-10-18,Pro Sheet,,", DF="200000"),
        line("Mac's Track,Tekno,NB48 2.2,Wet,2025-02-30,,,", Toe_F="-1.2"),
        line("Mac's Track,Tekno,NB48 2.2,Dry,2025-10-18,Other,,", DC="1e999999999k"),
    )
    assert [(e.line, e.reason) for e in errors] == [
        (3, "date: '18/10/2025' is not a date: write it as YYYY-MM-DD"),
        (4, "source: 'Magazine' is not one of Factory Base, Pro Sheet, Friend/Teammate, "
            "Online Forum, User Upload, Other"),
        (5, "DF: '200000': Must be between 1000 and 100000 cSt."),
        (6, "date: '2025-02-30' is not a date: write it as YYYY-MM-DD"),
        (6, "source: empty: one of Factory Base, Pro Sheet, Friend/Teammate, Online Forum, "
            "User Upload, Other"),
        (6, "Toe_F: '-1.2': Must be in steps of 0.5°: try -1.5 or -1.0."),
        (7, "DC: '1e999999999k': Enter a whole number."),
    ]
    assert all(e.file == "library.csv" for e in errors)
    assert str(errors[0]) == ("library.csv, line 3: date: '18/10/2025' is not a date: write it "
                              "as YYYY-MM-DD")
    assert len(items) == 1 and items[0][0]["condition"] == "Bumpy"  # the good line


def test_empty_required_fields_and_too_long_text():
    _, errors = upload(line(",Tekno,NB48 2.2,Bumpy,20251018,Pro Sheet,,"),
                       line("T,Tekno,NB48 2.2,Bumpy,2025-10-18,Other,," + "x" * 501))
    assert [(e.line, e.reason) for e in errors] == [
        (2, "date: '20251018' is not a date: write it as YYYY-MM-DD"),
        (2, "track: Enter the track."),
        (3, "notes: At most 500 characters."),
    ]


def test_duplicate_keys_within_the_file_and_line_numbers_after_a_multiline_cell():
    items, errors = upload(
        line("Mac's Track,Tekno,NB48 2.2,Bumpy,2025-10-18,Pro Sheet,,\"two\nlines\""),
        line("Mac's Track,Tekno,NB48 2.2,Dusty,2025-10-18,Pro Sheet,,"),
        line(" Mac's Track ,Tekno,NB48 2.2,Bumpy,2025-10-18,Other,Sam,"),
    )
    assert [(e.line, e.reason) for e in errors] == [
        (5, "the same track, brand, vehicle, condition and date as line 2")]
    assert len(items) == 2


def test_header_problems():
    _, errors = upload(line(GOOD), header=HEADER.replace("source", "Source") + ",Extra")
    assert [(e.line, e.reason) for e in errors] == [
        (1, "unknown column 'Source': its values would be lost; remove or rename it"),
        (1, "unknown column 'Extra': its values would be lost; remove or rename it"),
        (1, "missing column 'source'"),
    ]
    _, errors = upload("x", header="track,brand,vehicle,condition,date,source,Shocks")
    assert [e.reason for e in errors] == [
        "unknown column 'Shocks': its values would be lost; remove or rename it"]
    assert parse_upload(b"", "empty.csv") == ([], [RowError(
        "empty.csv", 1, "the file is empty: the first line must be the header (track, brand, "
        "vehicle, condition, date, source, …)")])


def test_not_utf8_and_bad_quotes_are_reported_with_the_line():
    items, errors = parse_upload(HEADER.encode() + b"\nMac\xe9,Tekno", r"C:\fakepath\lib.csv")
    assert items == [] and errors == [
        RowError("lib.csv", 2, "not UTF-8 text: save the file as CSV UTF-8")]
    _, errors = upload(line(GOOD), line(GOOD.replace("Bumpy", "Wet")) + ',"open')
    assert [e.line for e in errors] == [3]
    assert errors[0].reason.startswith("not valid CSV")


def test_upload_reads_units_and_pistons_and_warns_of_cells_read_as_not_set():
    header = "track,brand,vehicle,condition,date,source,DF,SO_F,Toe_F,P_F,Bell"
    text = "\r\n".join([header, 'Pit Lane,Tekno,NB48 2.2,,2025-07-13,Other,7000cst,N/A,-2°,'
                                '"1,2x6",-', ""])
    warnings: list[RowError] = []
    items, errors = parse_upload(text.encode(), "library.csv", warnings)
    assert errors == []
    values = items[0][1]
    assert (values["DF"], values["SO_F"], values["Toe_F"], values["P_F"], values["Bell"]) == (
        7000, None, Decimal("-2.0"), "6x1.2", None)
    assert [str(w) for w in warnings] == [
        "library.csv, line 2: SO_F: 'N/A' read as not set",
        "library.csv, line 2: Bell: '-' read as not set"]
    _, errors = upload(line("Mac's Track,Tekno,NB48 2.2,Bumpy,2025-10-18,Other,,", DF="7000mm"))
    assert [(e.line, e.reason) for e in errors] == [
        (2, "DF: '7000mm': mm is not a unit of front diff oil: write it in cSt")]
