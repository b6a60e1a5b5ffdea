"""The migration runner against a real PostgreSQL, each test on a fresh database.

The column test is what keeps ``sql/`` and the CSV headers (apex/tables.py) in
step; the CHECK test shows the catalogue limits hold even for raw SQL.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from apex import migrations
from apex.catalogue import PARAM_KEYS, PARAMS
from apex.tables import PG_DERIVED, SETUP_TABLES, TABLES
from tests.pg_server import PgServer

FIRST = "0001_init.sql"
LIBRARY_SEARCH = "0002_library_search.sql"
# Columns PostgreSQL has beyond apex/tables.py (derived, never written by the app).
EXTRA_COLUMNS = {"theory_documents": {"search"}, "master_library": {"search"}}


@pytest.fixture
def db_url(pg: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database named after the test (dropped afterwards)."""
    digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    test = re.sub(r"\W", "_", request.node.originalname)[:40]
    name = f"apex_mig_{test}_{digest}"
    yield pg.create_database(name)
    pg.drop_database(name)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url) as c:
        yield c


def test_migration_files_are_numbered_and_name_no_parameter() -> None:
    names = migrations.list_migrations()
    assert names[0] == FIRST
    assert names == sorted(names)
    for name in names:
        text = (migrations.MIGRATIONS_DIR / name).read_text(encoding="utf-8")
        for key in PARAM_KEYS:
            assert not re.search(rf"\b{re.escape(key)}\b", text), f"{key} spelled out in {name}"


def test_upgrade_applies_every_migration_in_order_and_records_them(
    conn: psycopg.Connection,
) -> None:
    assert migrations.status(conn) == [(name, False) for name in migrations.list_migrations()]
    applied = migrations.upgrade(conn).applied
    assert applied[:2] == [FIRST, LIBRARY_SEARCH]
    assert applied == migrations.list_migrations()
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert sorted(versions) == applied


def test_second_upgrade_applies_nothing(conn: psycopg.Connection) -> None:
    migrations.upgrade(conn)
    assert migrations.upgrade(conn).applied == []
    assert migrations.status(conn) == [(n, True) for n in migrations.list_migrations()]
    count = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert count == len(migrations.list_migrations())


def test_every_table_has_exactly_the_shared_columns(conn: psycopg.Connection) -> None:
    migrations.upgrade(conn)
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public'"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    for table, columns in TABLES.items():
        assert table in found, f"table {table} missing"
        expected = set(columns) | EXTRA_COLUMNS.get(table, set())
        assert found[table] == expected, f"{table}: {found[table] ^ expected}"
    assert set(found) == set(TABLES) | set(PG_DERIVED) | {"schema_migrations"}


def test_library_search_upgrades_a_database_that_has_rows(
    conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0002 on a live 0001 database: existing rows get their search words and indexes."""
    every = migrations.list_migrations()
    monkeypatch.setattr(migrations, "list_migrations", lambda: [FIRST])
    assert migrations.upgrade(conn).applied == [FIRST]
    conn.execute("INSERT INTO master_library (track, brand, vehicle, driver_name, condition)"
                 " VALUES ('Mac''s Track', 'Tekno', 'NB48 2.2', 'J.Smith', 'Bumpy, Dusty')")
    monkeypatch.setattr(migrations, "list_migrations", lambda: every)
    assert migrations.upgrade(conn).applied[0] == LIBRARY_SEARCH
    words = conn.execute("SELECT tsvector_to_array(search) FROM master_library").fetchone()[0]
    # Punctuation splits words, as in the CSV store: "J.Smith" is j and smith, "2.2" is 2.
    assert words == ["2", "bumpy", "dusty", "j", "mac", "nb48", "s", "smith", "tekno", "track"]
    indexes = {r[0] for r in conn.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'master_library'")}
    assert {"master_library_search_idx", "master_library_newest_idx", "master_library_car_idx",
            "master_library_track_idx"} <= indexes


def test_setup_columns_have_the_catalogue_types(conn: psycopg.Connection) -> None:
    migrations.upgrade(conn)
    types = dict(conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = 'car_configs'"
    ).fetchall())
    expected = {"int": "integer", "decimal": "numeric", "text": "character varying"}
    assert {p.key: types[p.key] for p in PARAMS} == {p.key: expected[p.kind] for p in PARAMS}


def test_check_refuses_out_of_range_parameters(conn: psycopg.Connection) -> None:
    """Every catalogue min/max is a CHECK: raw SQL cannot store 10 cSt diff oil."""
    migrations.upgrade(conn)
    conn.commit()
    limited = [p for p in PARAMS if p.min is not None and p.max is not None]
    assert limited
    for param in limited:
        insert = sql.SQL("INSERT INTO master_library (track, {}) VALUES (%(track)s, %(v)s)")
        insert = insert.format(sql.Identifier(param.key))
        for bad in (param.min - 1, param.max + 1):
            with pytest.raises(psycopg.errors.CheckViolation):
                with conn.transaction():
                    conn.execute(insert, {"track": param.key, "v": bad})
        conn.execute(insert, {"track": param.key, "v": param.min})  # the limit itself is fine


def test_check_refuses_low_diff_oil_in_car_configs(conn: psycopg.Connection) -> None:
    """The example from the brief: raw SQL writing a front diff oil of 10."""
    migrations.upgrade(conn)
    user = conn.execute("INSERT INTO users (username, email, password_hash)"
                        " VALUES ('a', 'a@x', 'h') RETURNING id").fetchone()[0]
    racer = conn.execute("INSERT INTO racer_profiles (user_id) VALUES (%s) RETURNING id",
                         (user,)).fetchone()[0]
    car = conn.execute("INSERT INTO vehicles (profile_id, brand, model)"
                       " VALUES (%s, 'Tekno', 'NB48') RETURNING id", (racer,)).fetchone()[0]
    insert = sql.SQL("INSERT INTO car_configs (profile_id, vehicle_id, {}) VALUES (%s, %s, %s)")
    insert = insert.format(sql.Identifier(PARAM_KEYS[0]))
    with pytest.raises(psycopg.errors.CheckViolation):
        with conn.transaction():
            conn.execute(insert, (racer, car, 10))
    conn.execute(insert, (racer, car, 7000))


def test_concurrent_upgrades_apply_once(db_url: str) -> None:
    """Two processes starting together: one applies, the other waits and finds nothing."""
    barrier = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            with psycopg.connect(db_url) as c:
                barrier.wait(timeout=10)
                results.append(migrations.upgrade(c).applied)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(results, key=len) == [[], migrations.list_migrations()]
    with psycopg.connect(db_url) as c:
        count = c.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert count == len(migrations.list_migrations())


def test_failing_migration_leaves_nothing_behind(
    conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: a broken file rolls back every file of the same upgrade."""
    monkeypatch.setattr(migrations, "list_migrations", lambda: [FIRST, "9999_broken.sql"])
    real_render = migrations.render
    monkeypatch.setattr(
        migrations, "render",
        lambda name: real_render(name) if name == FIRST else sql.SQL("SELECT no_such_thing"),
    )
    with pytest.raises(psycopg.errors.UndefinedColumn):
        migrations.upgrade(conn)
    conn.rollback()
    assert conn.execute("SELECT to_regclass('users')").fetchone()[0] is None


def test_upgrade_adds_catalogue_columns_an_old_database_lacks(
    conn: psycopg.Connection,
) -> None:
    """A parameter added to the catalogue after the tables exist becomes a column of
    every setup table, with its CHECK; a column the catalogue dropped is kept."""
    migrations.upgrade(conn)
    newest = PARAMS[-1]
    for table in SETUP_TABLES:  # as before the newest parameter existed
        conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(
            sql.Identifier(table), sql.Identifier(newest.key)))
    conn.execute("ALTER TABLE car_configs ADD COLUMN \"Needle\" text")
    conn.commit()
    pending = [(f"column {t}.{newest.key}", False) for t in SETUP_TABLES]
    assert migrations.status(conn)[-len(SETUP_TABLES):] == pending
    report = migrations.upgrade(conn)
    assert report.applied == [] and report.added == [(t, newest.key) for t in SETUP_TABLES]
    assert report.kept == [("car_configs", "Needle")]
    assert f"added column car_configs.{newest.key}" in report.lines()
    assert "column Needle in car_configs is not in the catalogue: kept" in report.lines()
    assert all(done for _, done in migrations.status(conn))
    again = migrations.upgrade(conn)
    assert not again.changed and again.kept == [("car_configs", "Needle")]
    limited = next(p for p in reversed(PARAMS) if p.max is not None)
    conn.execute(sql.SQL("ALTER TABLE master_library DROP COLUMN {}").format(
        sql.Identifier(limited.key)))
    migrations.upgrade(conn)
    insert = sql.SQL("INSERT INTO master_library (track, {}) VALUES ('x', %s)").format(
        sql.Identifier(limited.key))
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(insert, (limited.max + 1,))
