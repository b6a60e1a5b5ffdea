"""Rows of the CSV store: cell text to values and back (the only places a cell is read
or written), and what identifies a row of each table."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any

from apex.request_keys import key_is_new
from apex.tables import TABLES, from_text, to_text

Row = dict[str, Any]


def parse_row(table: str, raw: Mapping[str, str | None]) -> Row:
    """Cell text -> Python values; the only place that reads a CSV cell."""
    return {col: from_text(table, col, raw.get(col)) for col in TABLES[table]}


def format_row(table: str, row: Mapping[str, Any]) -> dict[str, str]:
    """Python values -> cell text; the only place that writes a CSV cell."""
    return {col: to_text(table, col, row.get(col)) for col in TABLES[table]}


def key_columns(table: str) -> tuple[str, ...]:
    """What identifies a row: its id; a request key by its user and key; a table
    without an id (login_attempts) by its first column, as its primary key in sql/."""
    if table == "request_keys":
        return ("user_id", "key")
    return ("id",) if "id" in TABLES[table] else TABLES[table][:1]


_SINGLE_KEY = {t: key_columns(t)[0] for t in TABLES if len(key_columns(t)) == 1}


def row_key(table: str, row: Mapping[str, Any]) -> Hashable:
    column = _SINGLE_KEY.get(table)
    if column is None:
        return tuple(row.get(c) for c in key_columns(table))
    return row.get(column)


def fresh_request_keys(rows: list[Row], now: datetime) -> list[Row]:
    """The request keys still worth keeping (a retry comes within days, not weeks)."""
    return [r for r in rows if r["created_at"] is not None and not key_is_new(r["created_at"], now)]
