"""Tables are described once (apex/tables.py, apex/transfer/plan.py) and agree with SQL.

Why: export, import and backups walk ``plan.ORDER`` and remap ``REFERENCES``; a
table, a column or a foreign key that one description has and another lacks would
silently drop out of a backup, or leave an import pointing at the wrong parent.
``problems`` compares the descriptions with the schema the migration runner builds
(read from PostgreSQL's catalogue, so a column added in sql/ and tables.py needs no
change here); the unit tests below show it catching each kind of forgotten thing.

Left out of the comparison, each in one place: ``schema_migrations`` (the runner's
ledger, ``migrations``), ``tables.PG_DERIVED`` (kept by triggers from another table),
generated columns (``search``: PostgreSQL computes them, no store writes them) and
``tables.NOT_EXPORTED`` (not exported, still described).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import psycopg
import pytest

from apex import migrations
from apex.tables import EXPORTED, NOT_EXPORTED, PG_DERIVED, REFERENCES, TABLES, column_kind
from apex.transfer import plan
from apex.transfer.plan import NaturalKey
from tests.pg_server import PgServer

LEDGER = "schema_migrations"  # the migration runner's own table (apex/migrations.py)


@dataclass(frozen=True)
class Schema:
    """What PostgreSQL holds: columns (generated ones left out), nullable columns,
    foreign keys (table, column, parent table, parent column) and unique indexes
    (table -> their key texts, ``profile_id, lower(name)``)."""

    columns: dict[str, set[str]]
    nullable: set[tuple[str, str]] = field(default_factory=set)
    foreign_keys: set[tuple[str, str, str, str]] = field(default_factory=set)
    unique: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Described:
    """What the app says about its tables."""

    tables: dict[str, tuple[str, ...]]
    references: dict[str, dict[str, str]]
    exported: tuple[str, ...]
    not_exported: tuple[str, ...]
    order: tuple[str, ...]
    natural_keys: dict[str, NaturalKey]
    kind: Callable[[str, str], str]


APP = Described(TABLES, REFERENCES, EXPORTED, NOT_EXPORTED, plan.ORDER, plan.NATURAL_KEYS,
                column_kind)


def problems(d: Described, s: Schema) -> list[str]:
    """Every disagreement between the descriptions and the schema; [] when they agree."""
    out: list[str] = []
    sql_tables = set(s.columns) - {LEDGER, *PG_DERIVED}
    for t in sorted(sql_tables - set(d.tables)):
        out.append(f"table {t} is in SQL but not in tables.TABLES")
    for t in sorted(set(d.tables) - sql_tables):
        out.append(f"table {t} is in tables.TABLES but not in SQL")
    for t in sorted(set(d.tables) & sql_tables):
        if set(d.tables[t]) != s.columns[t]:
            out.append(f"{t}: columns differ from SQL: {sorted(set(d.tables[t]) ^ s.columns[t])}")
    # Export: every table exported or deliberately not, never both, in plan's order.
    for t in sorted(set(d.tables) - set(d.exported) - set(d.not_exported)):
        out.append(f"table {t} is neither exported nor in NOT_EXPORTED")
    for t in sorted(set(d.exported) & set(d.not_exported)):
        out.append(f"table {t} is both exported and in NOT_EXPORTED")
    if d.order != d.exported:
        out.append(f"plan.ORDER {d.order} is not the exported tables {d.exported}")
    for t in sorted(set(d.order) ^ set(d.natural_keys)):
        out.append(f"table {t}: plan's order and natural keys disagree")
    # References: a column on both sides, a FOREIGN KEY to the parent's id, and back.
    described = {(t, c, p) for t, refs in d.references.items() for c, p in refs.items()}
    in_sql = {(t, c, p) for t, c, p, _ in s.foreign_keys}
    for t, c, p in sorted(described - in_sql):
        out.append(f"reference {t}.{c} -> {p} is no FOREIGN KEY in SQL")
    for t, c, p in sorted(in_sql - described):
        out.append(f"FOREIGN KEY {t}.{c} -> {p} is not in tables.REFERENCES")
    for t, c, p, pc in sorted(s.foreign_keys):
        if pc != "id":
            out.append(f"FOREIGN KEY {t}.{c} -> {p}.{pc}: references point at an id")
    for t, c, p in sorted(described):
        if c not in d.tables.get(t, ()):
            out.append(f"reference {t}.{c}: no such column in tables.TABLES")
        if p not in d.tables:
            out.append(f"reference {t}.{c} -> {p}: no such table")
        optional = (t, c) in s.nullable
        if (d.kind(t, c) == "ref") != optional:
            out.append(f"reference {t}.{c}: {'nullable' if optional else 'NOT NULL'} in SQL "
                       f"but column_kind says {d.kind(t, c)!r}")
    # Parents before children; an exported child never needs a table left out.
    for n, t in enumerate(d.order):
        for c, p in d.references.get(t, {}).items():
            if p not in d.order[:n]:
                out.append(f"plan.ORDER: {t}.{c} -> {p}, but {p} does not come before {t}")
    # Natural keys: real columns, backed by a unique index unless marked otherwise.
    for t, key in sorted(d.natural_keys.items()):
        for c in key.columns:
            if c not in d.tables.get(t, ()):
                out.append(f"natural key of {t}: no column {c}")
        index = ", ".join([*key.exact, *(f"lower({c})" for c in key.folded)])
        if key.indexed and index not in s.unique.get(t, set()):
            out.append(f"natural key of {t} ({index}) has no unique index in SQL")
    return out


def read_schema(conn: psycopg.Connection) -> Schema:
    columns: dict[str, set[str]] = {}
    nullable: set[tuple[str, str]] = set()
    for t, c, is_nullable, generated in conn.execute(
        "SELECT c.table_name, c.column_name, c.is_nullable, c.is_generated"
        " FROM information_schema.columns c JOIN information_schema.tables t"
        " USING (table_schema, table_name)"
        " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
    ):
        columns.setdefault(t, set())
        if generated != "ALWAYS":
            columns[t].add(c)
        if is_nullable == "YES":
            nullable.add((t, c))
    foreign_keys = {(t, c, p, pc) for t, c, p, pc in conn.execute(
        "SELECT cl.relname, a.attname, pcl.relname, pa.attname FROM pg_constraint k"
        " JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pcl ON pcl.oid = k.confrelid"
        " JOIN pg_namespace n ON n.oid = cl.relnamespace"
        " CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS u(col, pcol)"
        " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.col"
        " JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = u.pcol"
        " WHERE k.contype = 'f' AND n.nspname = 'public'"
    )}
    unique: dict[str, set[str]] = {}
    for t, definition in conn.execute(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    ):
        match = re.fullmatch(r"CREATE UNIQUE INDEX .* USING \w+ \((.*)\)", definition)
        if match:  # a partial index (WHERE ...) does not match: it names no row alone
            unique.setdefault(t, set()).add(match[1])
    return Schema(columns, nullable, foreign_keys, unique)


@pytest.fixture(scope="module")
def schema(pg: PgServer) -> Iterator[Schema]:
    """The schema of a fresh database built by the migration runner."""
    name = f"apex_describe_{hashlib.sha1(__name__.encode()).hexdigest()[:8]}"
    url = pg.create_database(name)
    try:
        with psycopg.connect(url) as conn:
            migrations.upgrade(conn)
            yield read_schema(conn)
    finally:
        pg.drop_database(name)


def test_tables_plan_and_sql_describe_the_same_tables(schema: Schema) -> None:
    assert problems(APP, schema) == []
    # The reader works: it sees the tables, a foreign key, a folded unique index.
    assert set(schema.columns) == {*TABLES, *PG_DERIVED, LEDGER}
    assert ("laps", "run_id", "runs", "id") in schema.foreign_keys
    assert "lower(username)" in schema.unique["users"]


def test_every_table_but_request_keys_login_attempts_and_figures_is_exported() -> None:
    # Stored figures (apex.figures) are derived from the laps and changes: an import
    # makes them again.
    assert set(EXPORTED) == set(TABLES) - {"request_keys", "login_attempts", "run_figures",
                                           "change_outcomes"}
    assert plan.ORDER == EXPORTED


# -- the checker on descriptions broken on purpose -------------------------------------------

def agreeing() -> tuple[Described, Schema]:
    """A small description and the schema it describes: the checker finds nothing."""
    tables = {"users": ("id", "name"), "cars": ("id", "user_id", "brand"),
              "keys": ("key", "user_id")}
    references = {"cars": {"user_id": "users"}, "keys": {"user_id": "users"}}
    d = Described(tables, references, ("users", "cars"), ("keys",), ("users", "cars"),
                  {"users": NaturalKey(folded=("name",)), "cars": NaturalKey(("id",))},
                  lambda t, c: "text")
    fks = {("cars", "user_id", "users", "id"), ("keys", "user_id", "users", "id")}
    s = Schema({**{t: set(c) for t, c in tables.items()}, LEDGER: {"version"}},
               foreign_keys=fks, unique={"users": {"lower(name)", "id"}, "cars": {"id"}})
    return d, s


def test_the_checker_accepts_an_agreeing_description() -> None:
    assert problems(*agreeing()) == []


def test_a_table_forgotten_in_tables_py_or_in_the_export_is_found() -> None:
    d, s = agreeing()
    s.columns["laps"] = {"id", "car_id"}
    assert problems(d, s) == ["table laps is in SQL but not in tables.TABLES"]
    d, s = agreeing()
    laps = replace(d, tables={**d.tables, "laps": ("id",)})
    s.columns["laps"] = {"id"}
    assert problems(laps, s) == ["table laps is neither exported nor in NOT_EXPORTED"]


def test_a_forgotten_column_reference_or_foreign_key_is_found() -> None:
    d, s = agreeing()
    s.columns["cars"].add("model")
    s.foreign_keys.add(("cars", "model", "users", "id"))
    assert problems(d, s) == [
        "cars: columns differ from SQL: ['model']",
        "FOREIGN KEY cars.model -> users is not in tables.REFERENCES",
    ]
    d, s = agreeing()
    s.foreign_keys.discard(("cars", "user_id", "users", "id"))
    assert problems(d, s) == ["reference cars.user_id -> users is no FOREIGN KEY in SQL"]


def test_children_before_parents_and_bad_natural_keys_are_found() -> None:
    d, s = agreeing()
    backwards = replace(d, exported=("cars", "users"), order=("cars", "users"))
    assert problems(backwards, s) == [
        "plan.ORDER: cars.user_id -> users, but users does not come before cars"]
    misnamed = replace(d, natural_keys={**d.natural_keys, "cars": NaturalKey(("brnd",))})
    assert problems(misnamed, s) == ["natural key of cars: no column brnd",
                                     "natural key of cars (brnd) has no unique index in SQL"]
    assert problems(replace(d, order=("users",)), s) == [
        "plan.ORDER ('users',) is not the exported tables ('users', 'cars')",
        "table cars: plan's order and natural keys disagree"]


def test_an_optional_reference_must_be_nullable_in_sql() -> None:
    d, s = agreeing()
    s.nullable.add(("cars", "user_id"))
    assert problems(d, s) == [
        "reference cars.user_id: nullable in SQL but column_kind says 'text'"]
