"""Whole-table reads and writes on PostgreSQL, for import, export and backups.

Rows come out with the Python types of ``apex.tables.column_kind`` (uuids as
text, parameters coerced to the catalogue's types), exactly as the CSV store
hands them out, so rows from either store compare equal.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from apex.stores.postgres_params import Conn
from apex.tables import TABLES, canonical, column_kind
from apex.transfer import Rows
from apex.transfer.plan import ORDER, Plan


def _is_uuid(table: str, column: str) -> bool:
    kind = column_kind(table, column)
    return kind == "ref" or (kind == "text" and (column == "id" or column.endswith("_id")))


def _select(table: str, where: sql.Composable) -> sql.Composed:
    cols = [
        sql.SQL("{}::text AS {}").format(sql.Identifier(c), sql.Identifier(c))
        if _is_uuid(table, c) else sql.Identifier(c)
        for c in TABLES[table]
    ]
    # A deleted note or lap (waiting for its undo to end) is no one's data any more.
    live = sql.SQL(" AND deleted_at IS NULL" if "deleted_at" in TABLES[table] else "")
    return sql.SQL("SELECT {} FROM {} WHERE ({}){} ORDER BY 1").format(
        sql.SQL(", ").join(cols), sql.Identifier(table), where, live)


def read(conn: Conn, table: str, where: str = "true", params: dict | None = None
         ) -> list[dict[str, Any]]:
    """The live rows of ``table`` that ``where`` (SQL text with ``%(name)s`` params) keeps."""
    return [{c: canonical(table, c, v) for c, v in r.items()}
            for r in conn.execute(_select(table, sql.SQL(where)), params).fetchall()]


def dump(conn: Conn) -> Rows:
    """Every row of every data table (not request keys, not migrations)."""
    return {table: read(conn, table) for table in ORDER}


def lock(conn: Conn) -> None:
    """Keep other writers out between reading the tables and applying a plan, and
    purge deleted rows (``dump`` leaves them out: an import must not meet their ids;
    their undo ends with the import)."""
    names = sql.SQL(", ").join(sql.Identifier(t) for t in ORDER)
    conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(names))
    for table in ORDER:
        if "deleted_at" in TABLES[table]:
            conn.execute(sql.SQL("DELETE FROM {} WHERE deleted_at IS NOT NULL").format(
                sql.Identifier(table)))


def _insert(table: str) -> sql.Composed:
    cols = TABLES[table]
    return sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
        sql.SQL(", ").join(sql.Placeholder(c) for c in cols),
    )


def _update(table: str) -> sql.Composed:
    sets = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c))
        for c in TABLES[table] if c != "id"
    )
    return sql.SQL("UPDATE {} SET {} WHERE id = {}").format(
        sql.Identifier(table), sets, sql.Placeholder("id"))


def apply(conn: Conn, result: Plan) -> None:
    """Write a plan's creates and updates, parents first (inside the caller's transaction)."""
    with conn.cursor() as cur:
        for table in ORDER:
            if creates := result.creates.get(table):
                cur.executemany(_insert(table), creates)
            if updates := result.updates.get(table):
                cur.executemany(_update(table), updates)
        # Library ids given explicitly (a round trip keeps them) must not be handed out again.
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('master_library', 'id'),"
            " GREATEST((SELECT max(id) FROM master_library), 1))"
        )
