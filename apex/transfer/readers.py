"""Read a folder of CSV files into ``Rows``: APEX's own CSV-store layout or the old app's.

Why it is built this way:
- ``flask db import-csv`` takes either a folder written by APEX's CSV store (or
  ``export-csv``) or the old Streamlit app's ``Execution/data`` export; the layout
  is detected from the files, never guessed from the folder's name.
- Every file is read in full and every value checked (catalogue bounds through
  ``ParamField``, the same messages a racer sees in the Shop Master form) before
  anything is returned: all bad rows of all files are reported together, with
  file and line, and nothing is half-read.
- Files may carry a UTF-8 BOM and CRLF line ends (spreadsheet exports do).
- The old layout lives in ``apex.transfer.legacy``; it builds on the helpers here.
  ``apex.transfer.folder`` tells the two layouts apart.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from marshmallow import ValidationError

from apex.catalogue import PARAMS, POWERS, Value
from apex.models import (
    CHANGE_SOURCES,
    CHANGE_STATUSES,
    EVENT_TYPES,
    EXPERIENCE_LEVELS,
)
from apex.schemas.setup import ParamField
from apex.spreadsheet import restore
from apex.tables import NOT_EXPORTED, RETIRED, TABLES, column_kind, from_text
from apex.transfer import Row, RowError, Rows

LOG_KINDS = ("note", "symptom", "change", "system")
_FIELDS = {p.key: ParamField(p) for p in PARAMS}
# Columns PostgreSQL CHECKs against a list (sql/0001, sql/0003).
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("track_logs", "kind"): LOG_KINDS,
    ("events", "type"): EVENT_TYPES,
    ("events", "status"): ("active", "closed"),
    ("setup_changes", "source"): CHANGE_SOURCES,
    ("setup_changes", "status"): CHANGE_STATUSES,
    ("vehicles", "power"): POWERS,  # an empty cell (a file from before 0006) reads as nitro
}
# Whole numbers PostgreSQL CHECKs against a range (sql/0003, sql/0004): (low, high or None).
_RANGES: dict[tuple[str, str], tuple[int, int | None]] = {
    ("events", "temperature"): (-30, 70),
    ("events", "practice_rounds"): (0, 50),
    ("events", "qualifying_rounds"): (0, 50),
    ("event_setups", "version"): (1, None),
    ("runs", "confidence"): (1, 5),
    ("laps", "lap_number"): (1, None),
    ("audits", "rating"): (1, 5),
}
# Columns PostgreSQL declares NOT NULL that a CSV cell can leave empty.
_REQUIRED: set[tuple[str, str]] = {
    ("events", "start_date"), ("event_setups", "version"), ("runs", "setup_version"),
    ("runs", "started_at"), ("laps", "lap_number"), ("laps", "seconds"), ("audits", "rating"),
}
_KIND_WORDS = {
    "serial": "a whole number", "int": "a whole number", "timestamp": "a date and time (ISO 8601)",
    "date": "a date (YYYY-MM-DD)", "decimal": "a number",
}


@dataclass(frozen=True)
class Record:
    """One CSV record: the line it starts on (header = line 1) and its cells by column."""

    line: int
    cells: dict[str, str]


@dataclass
class CsvFile:
    name: str
    header: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    readable: bool = True  # False: the file was not UTF-8 (already reported)


def read_csv(path: Path, errors: list[RowError]) -> CsvFile:
    """Every record of a CSV file with the line it starts on; problems go to ``errors``.

    The bytes are decoded as ``utf-8-sig`` (a BOM is dropped) and parsed with
    ``newline=""`` semantics (CRLF is fine, a quoted cell may span lines). Parsing is
    strict: an unclosed quote must not swallow the rest of the file into one cell.
    Blank lines are skipped; a record with more cells than the header is an error.
    """
    data = CsvFile(path.name)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        errors.append(RowError(data.name, line, "not UTF-8 text: save the file as CSV UTF-8"))
        data.readable = False
        return data
    if "\x00" in text:  # binary junk, and PostgreSQL cannot store NUL in text
        line = text[: text.index("\x00")].count("\n") + 1
        errors.append(RowError(data.name, line, "a NUL character: is this really a CSV file?"))
        data.readable = False
        return data
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        data.header = [name.strip() for name in next(reader, [])]
        end = reader.line_num
        if len(set(data.header)) < len(data.header):
            errors.append(RowError(data.name, 1, "a column name appears twice in the header"))
            return data
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(data.header):
                errors.append(RowError(data.name, start, f"{len(cells)} cells, but the header "
                                       f"has {len(data.header)} columns"))
                continue
            data.records.append(Record(start, dict(zip(data.header, cells, strict=False))))
    except csv.Error as e:
        errors.append(RowError(data.name, end + 1, f"not valid CSV ({e}): check the quotes "
                               "of the record that starts here"))
    return data


def check_columns(
    data: CsvFile, known: set[str], required: tuple[str, ...], errors: list[RowError]
) -> bool:
    """Report unknown columns (their values would be lost) and missing required ones."""
    ok = True
    for name in data.header:
        if name not in known:
            errors.append(RowError(data.name, 1, f"unknown column {name!r}: its values "
                                   "would be lost; remove or rename it"))
    for name in required:
        if name not in data.header:
            errors.append(RowError(data.name, 1, f"missing column {name!r}"))
            ok = False
    return ok


def param_value(key: str, text: str | None) -> Value:
    """A catalogue parameter's value from cell text; ValueError with ParamField's message.

    Empty -> None. The message names the limit ("Must be between 0.0 and 4.0 mm.").
    """
    if text is None or not text.strip():
        return None
    try:
        return _FIELDS[key].deserialize(text)
    except ValidationError as e:
        messages = e.messages if isinstance(e.messages, list) else [str(e.messages)]
        raise ValueError(" ".join(str(m) for m in messages)) from None


def lap_time_problem(value: Decimal) -> str:
    """Why a lap time cannot be stored (PostgreSQL: numeric(7,3), > 0), or ""."""
    if not value.is_finite() or value <= 0:
        return "must be a time in seconds greater than 0"
    if value.as_tuple().exponent < -3:  # type: ignore[operator]
        return "at most 3 decimals (thousandths of a second)"
    if value >= 10000:
        return "must be under 10000 seconds"
    return ""


def _value_problem(table: str, column: str, value: object) -> str:
    """Checks the PostgreSQL schema makes (CHECK constraints), as a racer-readable reason."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return "needs a time zone, e.g. 2025-11-02T09:12:00+00:00"
    if column in ("lap_time", "seconds", "best_lap") and isinstance(value, Decimal):
        return lap_time_problem(value)
    if value is None and (table, column) in _REQUIRED:
        return "must not be empty"
    if (limits := _RANGES.get((table, column))) and isinstance(value, int):
        low, high = limits
        if value < low or (high is not None and value > high):
            return f"must be {low} or more" if high is None else f"must be {low} to {high}"
    if (choices := _CHOICES.get((table, column))) and value not in choices:
        return f"must be one of {', '.join(str(c) if c != '' else '(empty)' for c in choices)}"
    if column == "experience_level" and value not in ("", *EXPERIENCE_LEVELS):
        return f"must be empty or one of {', '.join(EXPERIENCE_LEVELS)}"
    return ""


def read_apex(folder: Path, errors: list[RowError]) -> Rows:
    """Each table file of APEX's CSV store that exists; one-time request keys are skipped."""
    rows: Rows = {}
    for table, columns in TABLES.items():
        path = folder / f"{table}.csv"
        if table in NOT_EXPORTED or not path.is_file():
            continue
        data = read_csv(path, errors)
        check_columns(data, {*columns, *RETIRED.get(table, ())}, (), errors)
        rows[table] = []
        for record in data.records:
            row = _apex_row(table, data.name, record, errors)
            if row is not None:
                rows[table].append(row)
    return rows


def _apex_row(table: str, file: str, record: Record, errors: list[RowError]) -> Row | None:
    """Cell text -> the store's Python values (``from_text``), every value checked."""
    row: Row = {}
    bad = False
    for column in TABLES[table]:
        text = record.cells.get(column, "")
        kind = column_kind(table, column)
        try:
            if kind == "param":
                param_value(column, restore(text))  # bounds and step, before coerce
            row[column] = from_text(table, column, text)
            problem = _value_problem(table, column, row[column])
        except ValueError as e:
            problem = str(e) if kind == "param" else f"not {_KIND_WORDS[kind]}: {text!r}"
        except InvalidOperation:
            problem = f"not {_KIND_WORDS.get(kind, 'a number')}: {text!r}"
        if problem:
            errors.append(RowError(file, record.line, f"{column}: {problem}"))
            bad = True
    if table == "events" and not bad and row["end_date"] and row["end_date"] < row["start_date"]:
        errors.append(RowError(file, record.line, "end_date: must not be before start_date"))
        bad = True
    return None if bad else row
