"""The catalogue as SQL, for every module of the PostgreSQL store.

Each setup-bearing table (car_configs, master_library, event_setups) has one column
per catalogue parameter. Queries name them through ``columns``, ``placeholders``
and ``assignments``; their values travel as ``params(values)`` (``p_0``, ``p_1``,
... so no parameter key has to be a valid placeholder name) and come back as
``values(row)``, each coerced to the catalogue's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from apex.catalogue import PARAMS, Value, coerce

# A connection of the store's pool: rows come back as dicts (row_factory=dict_row).
Conn = psycopg.Connection[dict[str, Any]]

IDENTIFIERS = [sql.Identifier(p.key) for p in PARAMS]
_PLACEHOLDERS = [sql.Placeholder(f"p_{i}") for i in range(len(PARAMS))]


def columns(alias: str = "") -> sql.SQL:
    """Every parameter column, comma-separated (``alias.col`` when an alias is given).

    Quoted once, here: a query holding the Composed list quoted its 60-odd identifiers
    again at every execution (about 0.1 ms a page on Race Support's two setup reads)."""
    if alias:
        listed = sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(alias), i)
                                    for i in IDENTIFIERS)
    else:
        listed = sql.SQL(", ").join(IDENTIFIERS)
    return sql.SQL(listed.as_string(None))


def placeholders() -> sql.SQL:
    """The placeholders of ``params``, in column order (an INSERT's VALUES)."""
    return sql.SQL(sql.SQL(", ").join(_PLACEHOLDERS).as_string(None))


def assignments(*, excluded: bool = False) -> sql.Composed:
    """``col = %(p_i)s`` for every column (an UPDATE's SET), or ``col = EXCLUDED.col``."""
    if excluded:
        return sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(i) for i in IDENTIFIERS)
    return sql.SQL(", ").join(sql.SQL("{} = {}").format(i, p)
                              for i, p in zip(IDENTIFIERS, _PLACEHOLDERS, strict=True))


def params(values: Mapping[str, Value]) -> dict[str, Value]:
    """Setup values as the statement parameters of ``placeholders``/``assignments``
    (a key missing from ``values`` is unset)."""
    return {f"p_{i}": coerce(p, values.get(p.key)) for i, p in enumerate(PARAMS)}


def values(row: Mapping[str, Any]) -> dict[str, Value]:
    """A row's parameter columns as setup values in the catalogue's types."""
    return {p.key: coerce(p, row[p.key]) for p in PARAMS}


def one(conn: Conn, query: Any, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The row a statement always returns (an INSERT/UPDATE ... RETURNING of a row the
    transaction holds); LookupError if there is none after all."""
    row = conn.execute(query, args).fetchone()
    if row is None:
        raise LookupError("the row is gone")
    return row
