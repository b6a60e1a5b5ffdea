"""The PostgreSQL migration runner behind ``flask db init|upgrade|status``.

Migrations are the ``sql/NNNN_*.sql`` files, applied in name order and recorded
in ``schema_migrations``. Parameter columns are not written in those files (the
catalogue is the only place a parameter is named): the ``SETUP_COLUMNS``
placeholder comment is replaced by column DDL generated from
``apex.catalogue.PARAMS`` when a file is applied. A parameter added to the
catalogue later becomes a column of every setup table (``apex.tables.SETUP_TABLES``)
at the next upgrade, in the same transaction as the pending migrations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row, tuple_row

from apex.catalogue import BY_KEY, PARAMS, Param
from apex.schema_sync import SchemaReport, column_changes
from apex.tables import SETUP_TABLES

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "sql"
PLACEHOLDER = "/*SETUP_COLUMNS*/"
_NAME = re.compile(r"^\d{4}_[\w-]+\.sql$")
# Any fixed number works, as long as every process upgrading uses the same one.
_LOCK_KEY = 0x41504558  # "APEX"

_SQL_TYPES = {"int": "integer", "decimal": "numeric(8,2)", "text": "varchar(40)"}

_CREATE_LEDGER = sql.SQL(
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY, applied_at timestamptz DEFAULT now())"
)
_LOCK = sql.SQL("SELECT pg_advisory_xact_lock(%(key)s)")
_APPLIED = sql.SQL("SELECT version FROM schema_migrations")
_RECORD = sql.SQL("INSERT INTO schema_migrations (version) VALUES (%(version)s)")
_LEDGER_EXISTS = sql.SQL("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
# The columns a table has now, in order; generated ones (search vectors) are derived, not data.
_COLUMNS = sql.SQL(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = %(table)s AND is_generated = 'NEVER' ORDER BY ordinal_position")
_ADD_COLUMN = sql.SQL("ALTER TABLE {} ADD COLUMN {}")


def _fill_figures(conn: psycopg.Connection) -> None:
    """sql/0017's tables for the runs and changes already stored (apex.figures)."""
    from apex.stores.postgres_runs import refresh_all  # the store imports this module

    factory = conn.row_factory
    conn.row_factory = dict_row  # type: ignore[assignment]  # the store's queries read dicts
    try:
        refresh_all(conn)  # type: ignore[arg-type]
    finally:
        conn.row_factory = factory


# Python run right after a migration file, in its transaction: derived rows only the app
# can compute (lap maths) for the rows a database already holds.
BACKFILLS: dict[str, Callable[[psycopg.Connection], None]] = {
    "0017_figures.sql": _fill_figures,
}


def list_migrations() -> list[str]:
    """File names of every migration, in the order they must run."""
    return sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql") if _NAME.match(p.name))


def _column(param: Param) -> sql.Composable:
    """One nullable column; CHECK keeps raw SQL writes inside the catalogue limits."""
    name = sql.Identifier(param.key)
    parts: list[sql.Composable] = [name, sql.SQL(_SQL_TYPES[param.kind])]
    if param.min is not None and param.max is not None:
        check = sql.SQL("CHECK ({} BETWEEN {} AND {})")
        parts.append(check.format(name, sql.Literal(param.min), sql.Literal(param.max)))
    elif param.min is not None:
        parts.append(sql.SQL("CHECK ({} >= {})").format(name, sql.Literal(param.min)))
    elif param.max is not None:
        parts.append(sql.SQL("CHECK ({} <= {})").format(name, sql.Literal(param.max)))
    return sql.SQL(" ").join(parts)


def setup_columns_sql() -> sql.Composable:
    """Column DDL for every catalogue parameter, comma separated, in catalogue order."""
    return sql.SQL(",\n    ").join(_column(p) for p in PARAMS)


def render(name: str) -> sql.Composed:
    """The migration's SQL with every placeholder replaced by the parameter columns."""
    text = (MIGRATIONS_DIR / name).read_text(encoding="utf-8")
    pieces = text.split(PLACEHOLDER)
    parts: list[sql.Composable] = [sql.SQL(pieces[0])]
    for piece in pieces[1:]:
        parts += [setup_columns_sql(), sql.SQL(piece)]
    return sql.Composed(parts)


def _applied(conn: psycopg.Connection) -> set[str]:
    with conn.cursor(row_factory=tuple_row) as cur:
        present = cur.execute(_LEDGER_EXISTS).fetchone()  # SELECT ... IS NOT NULL: one row
        if present is None or not present[0]:
            return set()
        return {row[0] for row in cur.execute(_APPLIED).fetchall()}


def _setup_columns(conn: psycopg.Connection) -> tuple[list[tuple[str, str]],
                                                      list[tuple[str, str]]]:
    """(missing, extra) catalogue columns of every setup table that exists."""
    missing: list[tuple[str, str]] = []
    extra: list[tuple[str, str]] = []
    with conn.cursor(row_factory=tuple_row) as cur:
        for table in SETUP_TABLES:
            present = [r[0] for r in cur.execute(_COLUMNS, {"table": table}).fetchall()]
            if not present:
                continue  # not created yet: its migration writes every column
            lacking, beyond = column_changes(table, present)
            # Only parameters are added here; any other column is a migration's job.
            missing += [(table, c) for c in lacking if c in BY_KEY]
            extra += [(table, c) for c in beyond]
    return missing, extra


def upgrade(conn: psycopg.Connection) -> SchemaReport:
    """Apply every unapplied migration, then add every catalogue column a setup table
    lacks, all in one transaction; say what was done and which columns are kept.

    The advisory lock serialises processes that upgrade at the same time (say,
    two app servers starting together): the second waits, then finds nothing
    left to do. Everything is one transaction, so a failing file leaves the
    database as it was.
    """
    report = SchemaReport()
    with conn.transaction():
        with conn.cursor() as cur:
            cur.execute(_LOCK, {"key": _LOCK_KEY})
            cur.execute(_CREATE_LEDGER)
            applied = _applied(conn)
            for name in list_migrations():
                if name in applied:
                    continue
                # No parameters: psycopg sends the file as one multi-statement query.
                cur.execute(render(name))
                if (backfill := BACKFILLS.get(name)) is not None:
                    backfill(conn)
                cur.execute(_RECORD, {"version": name})
                report.applied.append(name)
            report.added, report.kept = _setup_columns(conn)
            for table, key in report.added:
                cur.execute(_ADD_COLUMN.format(sql.Identifier(table), _column(BY_KEY[key])))
    return report


def status(conn: psycopg.Connection) -> list[tuple[str, bool]]:
    """Every migration file and whether it is applied, then every catalogue column a
    setup table still lacks ("column car_configs.Pinion", pending). Read only."""
    applied = _applied(conn)
    missing, _ = _setup_columns(conn)
    return [(name, name in applied) for name in list_migrations()] + [
        (f"column {table}.{key}", False) for table, key in missing]
