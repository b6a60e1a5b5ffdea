"""Every table described once: its columns, its references, and whether it is exported.

The CSV store writes the columns as headers; import, export and backups walk
``EXPORTED`` (so tables are listed parents first) and remap ``REFERENCES``.
tests/test_table_descriptions.py checks all of it against the PostgreSQL schema
that ``sql/`` builds: a table or a foreign key missing on either side fails.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apex.catalogue import BY_KEY, PARAM_KEYS, coerce, format_value
from apex.spreadsheet import restore, safe_cell

# NOTE: a theory document's text is one CSV cell, and the csv module refuses a cell
# over 131 072 characters unless told otherwise (a process-wide setting). Every CSV
# reader of tables (the CSV store, imports) imports this module. Writes stay far under
# CELL_MAX (apex.theory.MAX_CHARS caps a document at 10 M characters), but a read must
# never fail on a cell an older version let through: a too-long cell would take every
# page that reads its table, and export, down with it. So reading allows any size.
CELL_MAX = 20_000_000
READ_MAX = 2**31 - 1  # the largest the csv module takes on every platform (a C long)
csv.field_size_limit(max(csv.field_size_limit(), READ_MAX))

_STAMPS = ("created_at", "updated_at")

TABLES: dict[str, tuple[str, ...]] = {
    "users": (
        "id", "username", "email", "password_hash", "is_admin", "session_generation", *_STAMPS,
    ),
    "racer_profiles": (
        "id", "user_id", "name", "email", "facebook", "instagram", "transponder",
        "experience_level", "driving_style", "version", *_STAMPS,
    ),
    "sponsors": ("id", "profile_id", "name", "category", *_STAMPS),
    "vehicles": (
        "id", "profile_id", "brand", "model", "nickname", "transponder", "class_name", "power",
        "version", "archived_at", *_STAMPS,
    ),
    "car_configs": ("id", "profile_id", "vehicle_id", "car", *PARAM_KEYS, "version", *_STAMPS),
    "master_library": (
        "id", "track", "brand", "vehicle", "condition", "date", "source", "driver_name",
        "submitted_by", "notes", *PARAM_KEYS, "version", *_STAMPS,
    ),
    "events": (
        "id", "profile_id", "vehicle_id", "name", "type", "start_date", "end_date", "track",
        "track_size", "traction", "surface", "condition", "temperature", "practice_rounds",
        "qualifying_rounds", "status", "baseline", *_STAMPS,
    ),
    "event_setups": (
        "id", "event_id", "version", *PARAM_KEYS, *_STAMPS, "temperature_ref", "tyres_fitted_at",
    ),
    "runs": ("id", "event_id", "name", "started_at", "confidence", "setup_version", *_STAMPS),
    "laps": ("id", "run_id", "lap_number", "seconds", "created_at", "deleted_at", "flag"),
    "setup_changes": (
        "id", "event_id", "parameter", "old_value", "new_value", "source", "reason", "status",
        "version", "run_before", "run_after", *_STAMPS, "ask_id", "pair_id", "temperature_ref",
    ),
    "audits": (
        "id", "event_id", "change_id", "rating", "symptom", "gain", "observation", "best_lap",
        "created_at",
    ),
    "track_logs": (
        "id", "profile_id", "timestamp", "track", "car", "event", "note", "kind", "keywords",
        "lap_time", "event_id", "run_id", "created_at", "deleted_at",
    ),
    "theory_documents": (
        "id", "filename", "title", "category", "content", "file_path", "uploaded_by", "created_at",
    ),
    # Derived (apex.figures): each run's §5 figures and each applied change's outcome,
    # rewritten with every write that changes them; never exported, made again on import.
    "run_figures": (
        "run_id", "event_id", "position", "laps", "clean", "flags", "best", "mean", "median",
        "sd", "cov_pct", "consistency", "top5", "top10", "best3", "fade", "fading",
    ),
    "change_outcomes": (
        "change_id", "event_id", "parameter", "outcome", "effect_pct", "band_pct", "reverted",
        "bundled", "counted", "direction", "position",
    ),
    "request_keys": ("key", "user_id", "created_at"),
    # Failed logins per account, address or device (apex/login_throttle.py), without Redis.
    "login_attempts": ("key", "failures", "last_failed_at"),
}
# child column -> the table its id points at: each one a FOREIGN KEY in sql/, and
# remapped by an import (apex/transfer/plan.py) when the parent row already exists.
REFERENCES: dict[str, dict[str, str]] = {
    "racer_profiles": {"user_id": "users"},
    "sponsors": {"profile_id": "racer_profiles"},
    "vehicles": {"profile_id": "racer_profiles"},
    "car_configs": {"profile_id": "racer_profiles", "vehicle_id": "vehicles"},
    "master_library": {"submitted_by": "racer_profiles"},
    "events": {"profile_id": "racer_profiles", "vehicle_id": "vehicles"},
    "event_setups": {"event_id": "events"},
    "runs": {"event_id": "events"},
    "laps": {"run_id": "runs"},
    "setup_changes": {"event_id": "events", "run_before": "runs", "run_after": "runs"},
    "audits": {"event_id": "events", "change_id": "setup_changes"},
    "track_logs": {"profile_id": "racer_profiles", "event_id": "events", "run_id": "runs"},
    "theory_documents": {"uploaded_by": "users"},
    "run_figures": {"run_id": "runs", "event_id": "events"},
    "change_outcomes": {"change_id": "setup_changes", "event_id": "events"},
    "request_keys": {"user_id": "users"},
}
CASCADE, SET_NULL = "CASCADE", "SET NULL"


def on_delete(table: str, column: str) -> str:
    """What removing the row a link points at does to the linking row: an optional link
    (a ``ref`` column, NULL allowed) is blanked, a required one goes with its parent."""
    return SET_NULL if column_kind(table, column) == "ref" else CASCADE


# The tables that export, import and backups leave out: a request key only stops
# a retried form from saving twice and is forgotten after REQUEST_KEY_DAYS days; a
# login attempt count is forgotten within a day; neither is a racer's data. Stored
# figures and outcomes are derived from the laps and changes: an import makes them again.
# (schema_migrations is the migration runner's, not a table here.)
DERIVED: tuple[str, ...] = ("run_figures", "change_outcomes")
NOT_EXPORTED: tuple[str, ...] = ("request_keys", "login_attempts", *DERIVED)
# Columns earlier versions wrote and this one no longer has (sql/0012 drops them from
# PostgreSQL): an older export's cells in them are read past, and ``db upgrade`` takes
# them out of a CSV store's files. setup_changes.verdict held the closing audit's
# rating copied onto the changes; the audit stays in audits.
RETIRED: dict[str, tuple[str, ...]] = {"setup_changes": ("verdict",)}
# Tables PostgreSQL derives from another table by trigger, in the writing transaction
# (sql/0020: the Setup Library's counts and value counts per car). Not data: never
# exported, imported or written by a store (the CSV store derives the same in memory),
# and rebuilt from their source by the migration that makes them.
PG_DERIVED: tuple[str, ...] = ("library_cars", "library_values")
# What export, import and backups carry, in TABLES' order: parents before children.
EXPORTED: tuple[str, ...] = tuple(t for t in TABLES if t not in NOT_EXPORTED)

# The tables that carry every catalogue parameter as a column: ``db upgrade`` brings
# them up to the catalogue on both stores (apex.schema_sync).
SETUP_TABLES: tuple[str, ...] = tuple(
    t for t, cols in TABLES.items() if set(PARAM_KEYS) <= set(cols))

# What an empty or missing cell reads as (a file written before the column existed).
_DEFAULTS: dict[tuple[str, str], Any] = {
    ("vehicles", "power"): "nitro",
    ("users", "session_generation"): 0,  # SQL: NOT NULL DEFAULT 0
    # Versioned records (apex.versions) existing before sql/0008: version 1.
    **{(t, "version"): 1 for t in ("racer_profiles", "vehicles", "car_configs",
                                   "master_library")},
}

# Columns that are not text, by (table, column) or by column name in any table.
# NOTE: every store hands rows across with these Python types, so rows read from
# PostgreSQL and from CSV files compare equal (import, export, round trips).
_KIND_BY_COLUMN = {
    "created_at": "timestamp", "updated_at": "timestamp", "timestamp": "timestamp",
    "deleted_at": "timestamp",
    "is_admin": "bool", "lap_time": "decimal", "seconds": "decimal", "started_at": "timestamp",
    "start_date": "date", "end_date": "date", "temperature": "int", "practice_rounds": "int",
    "qualifying_rounds": "int", "confidence": "int", "setup_version": "int", "version": "int",
    "lap_number": "int", "rating": "int", "best_lap": "decimal", "archived_at": "timestamp",
    "session_generation": "int", "failures": "int", "last_failed_at": "timestamp",
    "temperature_ref": "int", "tyres_fitted_at": "timestamp",
    # apex.figures: figures in full float precision (not lap times in thousandths).
    "position": "int", "clean": "int", "direction": "int", "fading": "bool",
    "reverted": "bool", "bundled": "bool", "counted": "bool",
    **dict.fromkeys(("best", "mean", "median", "sd", "cov_pct", "consistency", "top5",
                     "top10", "best3", "fade", "effect_pct", "band_pct"), "float"),
}
_KIND_BY_TABLE_COLUMN = {
    ("master_library", "id"): "serial",
    ("master_library", "date"): "date",
    # References that may be empty: None in Python, NULL in SQL, an empty cell in CSV.
    ("master_library", "submitted_by"): "ref",
    ("theory_documents", "uploaded_by"): "ref",
    ("track_logs", "event_id"): "ref",
    ("track_logs", "run_id"): "ref",
    ("setup_changes", "run_before"): "ref",
    ("setup_changes", "run_after"): "ref",
    ("audits", "change_id"): "ref",
    ("run_figures", "laps"): "int",
}


def column_kind(table: str, column: str) -> str:
    """One of param, serial, ref, timestamp, date, bool, int, float, decimal, text."""
    if column in BY_KEY:
        return "param"
    return _KIND_BY_TABLE_COLUMN.get((table, column)) or _KIND_BY_COLUMN.get(column, "text")


def from_text(table: str, column: str, text: str | None) -> Any:
    """A cell's text as its Python value (None for an empty cell of a non-text column).
    Text and parameter cells are ``restore``d: ``to_text`` neutralised their formulas."""
    kind = column_kind(table, column)
    text = text or ""
    if kind == "text":
        return restore(text) or _DEFAULTS.get((table, column), "")
    if kind == "param":
        return coerce(BY_KEY[column], restore(text))
    if not text.strip():
        return False if kind == "bool" else _DEFAULTS.get((table, column))
    if kind == "ref":
        return text.strip()
    if kind in ("serial", "int"):
        return int(text)
    if kind == "timestamp":
        return datetime.fromisoformat(text)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "bool":
        return text.strip().lower() in ("true", "t", "1", "yes")
    if kind == "float":
        return float(text)
    return canonical(table, column, Decimal(text))


_MILLIS = Decimal("0.001")


def canonical(table: str, column: str, value: Any) -> Any:
    """A value as both stores hand it out: parameters in the catalogue's type and
    step, lap times in thousandths (``numeric(7,3)``), so rows compare and export alike."""
    kind = column_kind(table, column)
    if kind == "param":
        return coerce(BY_KEY[column], value)
    if kind == "decimal" and value is not None:
        return Decimal(value).quantize(_MILLIS)
    return value


def to_text(table: str, column: str, value: Any) -> str:
    """A Python value as cell text: the inverse of ``from_text``.

    The table files open in any spreadsheet (and ``db export-csv`` writes them), so a
    text or parameter cell that would run as a formula is neutralised as the racer's
    CSV downloads are (apex.spreadsheet.safe_cell); ``from_text`` restores it exactly.
    Other kinds (numbers, dates, ids, booleans) cannot start a formula but as a number.
    """
    kind = column_kind(table, column)
    if kind == "param":  # coerce first: a bad value fails here, before anything is written
        return safe_cell(format_value(BY_KEY[column], coerce(BY_KEY[column], value)))
    if value is None:
        return ""
    if kind == "text":
        return safe_cell(str(value))
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if kind == "float":
        return repr(float(value))  # every bit: a figure reads back as it was computed
    return str(value)
