"""The library's counts and community ranges are kept by the writes (issue 17): the
PostgreSQL store reads them from the per-car counts sql/0020's triggers keep, the CSV
store from counts made once per parse. After every kind of write (add, update, delete,
import, an account deleted), on both stores, a car's summary (whole, and narrowed to a
track, a condition or both) equals ``summarize`` of the car's rows, and each search
total answered from the counts (no filter, brand, vehicle, both) equals the rows counted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

from apex.catalogue import PARAMS
from apex.community import Summary, summarize
from apex.models import LibraryQuery
from apex.store import Store
from tests.conftest import new_user
from tests.test_store_library import DEMO, item, seed

DAY = date(2026, 6, 1)
# (brand as written, days back, DF, RH_F, SP_F, track, condition)
ROWS = [
    ("Tekno", 1, 7000, Decimal("27.5"), "Green", "Summary Park", "Dry"),
    ("TEKNO", 2, 7500, Decimal("28.0"), "green ", "Summary Park", "Wet"),
    ("tekno", 3, None, Decimal("26.5"), "Blue", "Other Park", "Dry"),
    ("Tekno", 4, 6000, None, "BLUE", "Other Park", "Dry"),
    ("Tekno", 5, 10000, Decimal("30.0"), None, "Summary Park", "Dry"),
]


def _cars(store: Store) -> set[tuple[str, str]]:
    """Every car in the library, by its rows (brand and vehicle, ignoring case)."""
    rows, page = [], 1
    while True:
        found = store.search_library(LibraryQuery(page=page, per_page=100))
        rows += found.rows
        if not found.rows:
            break
        page += 1
    return {(r.brand.lower(), r.vehicle.lower()) for r in rows}


def check(store: Store) -> None:
    """Every summary and count the writes keep equals a recount of the rows."""
    facets = store.library_facets()
    cars = _cars(store) | {("tekno", "nobody's car")}
    rows = {car: len(store.community_values(*car)) for car in cars}
    assert store.search_library(LibraryQuery()).total == sum(rows.values())
    for brand in {b for b, _ in cars}:
        expected = sum(n for (b, _), n in rows.items() if b == brand)
        assert store.search_library(LibraryQuery(brand=brand.upper())).total == expected
    for vehicle in {v for _, v in cars}:
        expected = sum(n for (_, v), n in rows.items() if v == vehicle)
        assert store.search_library(LibraryQuery(vehicle=vehicle)).total == expected
    tracks = ["", *facets.tracks[:2]]
    conditions = ["", *facets.conditions[:2]]
    for brand, vehicle in cars:
        assert store.search_library(LibraryQuery(brand=brand, vehicle=vehicle)).total \
            == rows[brand, vehicle]
        for track in tracks:
            for condition in conditions:
                narrow = (brand, vehicle, track, condition)
                assert store.community_summary(*narrow) == summarize(
                    store.community_values(*narrow)), narrow


@pytest.fixture
def racer(store: Store) -> str:
    seed(store)
    user = new_user(store)
    added = store.add_library_baselines(user.racer_id, [
        item(DEMO[0], brand=brand, vehicle="NB48 Test", track=track, condition=condition,
             date=DAY - timedelta(days=back), DF=df, RH_F=rh, SP_F=sp)
        for brand, back, df, rh, sp, track, condition in ROWS])
    assert added is not None and len(added) == len(ROWS)
    return user.racer_id


def _newest(store: Store) -> int:
    return store.search_library(LibraryQuery(brand="tekno", vehicle="nb48 test")).rows[0].id


def test_adds_and_imports_are_counted(store: Store, racer: str) -> None:
    check(store)
    summary = store.community_summary("Tekno", "NB48 Test", "Summary Park")
    assert summary.params["SP_F"] == Summary(2, common="Green", common_count=2)
    store.import_rows({"master_library": [
        {**DEMO[0], "track": f"Import {n}", "brand": "Agama", "vehicle": "N1", "id": None,
         "DF": 5000 + 500 * n} for n in range(3)]})
    check(store)
    assert store.community_summary("agama", "n1").params["DF"] == Summary(
        3, 5000, Decimal(5500), 6000)


def test_updates_move_values_rows_and_the_newest(store: Store, racer: str) -> None:
    newest = _newest(store)
    # The newest "Green" becomes "Blue": blue 3, green 1; shown as the newest blue wrote it.
    store.update_library_baseline(racer, newest, {}, {"SP_F": "Blue", "DF": 7000,
                                                      "RH_F": Decimal("27.5")})
    check(store)
    assert store.community_summary("Tekno", "NB48 Test").params["SP_F"] == Summary(
        4, common="Blue", common_count=3)
    # Made older than every other row: the newest blue is now day 3's "Blue" row ...
    store.update_library_baseline(racer, newest, {"date": DAY - timedelta(days=30)},
                                  {"SP_F": "BLUE ", "DF": 7000, "RH_F": Decimal("27.5")})
    check(store)
    # ... and moved to another car: it leaves this car's counts and joins that one's.
    store.update_library_baseline(racer, newest, {"brand": "Mugen", "vehicle": "MBX8 Test"},
                                  {"SP_F": "Red", "DF": 9000})
    check(store)
    assert store.community_summary("mugen", "mbx8 test").rows == 1


def test_deletes_take_values_and_cars_away(store: Store, racer: str) -> None:
    store.delete_library_baseline(racer, _newest(store))  # the newest "Green"
    check(store)
    # green 1 (" green", day 2) and blue 2: blue, as its newest row (day 3) wrote it.
    assert store.community_summary("Tekno", "NB48 Test").params["SP_F"] == Summary(
        3, common="Blue", common_count=2)
    for baseline in store.search_library(LibraryQuery(brand="tekno", vehicle="nb48 test")).rows:
        store.delete_library_baseline(racer, baseline.id)
    check(store)
    assert store.search_library(LibraryQuery(brand="tekno", vehicle="nb48 test")).total == 0
    assert store.community_summary("Tekno", "NB48 Test").rows == 0


def test_a_deleted_account_leaves_its_shared_rows_counted(store: Store, racer: str) -> None:
    user = store.find_user("alice")
    assert user is not None
    before = store.community_summary("Tekno", "NB48 Test")
    assert store.delete_account(user.id)
    check(store)
    assert store.community_summary("Tekno", "NB48 Test") == before


# -- PostgreSQL: the kept counts are exactly a recount, whatever writes ------------------

# Independent of sql/0020: the catalogue's parameters unpivoted here.
RECOUNT = sql.SQL("""SELECT lower(m.brand), lower(m.vehicle), v.param, btrim(v.value),
count(*)::int, max(library_place(m.date, m.id)) FILTER (WHERE v.is_text)
FROM master_library m CROSS JOIN LATERAL (VALUES {}) v(param, value, is_text)
WHERE btrim(v.value) <> '' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""").format(
    sql.SQL(", ").join(sql.SQL("({}, m.{}::text, {})").format(
        p.key, sql.Identifier(p.key), not p.is_numeric) for p in PARAMS))
KEPT = "SELECT brand, vehicle, param, value, rows, newest FROM library_values ORDER BY 1, 2, 3, 4"
CARS_RECOUNT = """SELECT lower(brand), lower(vehicle), count(*)::int FROM master_library
GROUP BY 1, 2 ORDER BY 1, 2"""
CARS_KEPT = "SELECT brand, vehicle, rows FROM library_cars ORDER BY 1, 2"


def _same_as_recount(conn: psycopg.Connection) -> None:
    assert conn.execute(KEPT).fetchall() == conn.execute(RECOUNT).fetchall()
    assert conn.execute(CARS_KEPT).fetchall() == conn.execute(CARS_RECOUNT).fetchall()


@pytest.mark.parametrize("backend", ["postgres"])
def test_sql_writes_keep_the_counts_a_recount(store: Store, racer: str,
                                              store_config: dict) -> None:
    with psycopg.connect(store_config["DATABASE_URL"], autocommit=True) as conn:
        _same_as_recount(conn)
        count = conn.execute("SELECT count(*) FROM library_values").fetchone()
        assert count is not None and count[0] > 0
        # Several rows in one statement each way, a text's newest row changed in place.
        conn.execute("""UPDATE master_library SET "SP_F" = CASE WHEN "SP_F" = 'Blue'
                        THEN 'Green' ELSE 'blue' END, date = date - 1
                        WHERE lower(brand) = 'tekno'""")
        _same_as_recount(conn)
        conn.execute("""UPDATE master_library SET notes = 'seen'""")  # no value changes
        _same_as_recount(conn)
        conn.execute("""DELETE FROM master_library WHERE id IN
                        (SELECT id FROM master_library ORDER BY date DESC, id DESC LIMIT 3)""")
        _same_as_recount(conn)
        with conn.transaction():
            conn.execute("DELETE FROM master_library WHERE brand = 'Tekno'")
            conn.execute("""INSERT INTO master_library (track, brand, vehicle, "SP_F", "DF")
                            VALUES ('Raw', 'Tekno', 'NB48 2.2', ' Pink ', 8000)""")
        _same_as_recount(conn)
        conn.execute("TRUNCATE master_library CASCADE")
        _same_as_recount(conn)
        assert conn.execute("SELECT count(*) FROM library_values").fetchone() == (0,)


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_car_and_the_library_total_are_read_from_the_kept_counts(
        store: Store, racer: str, store_config: dict) -> None:
    """Not recounted per page: a count changed behind the triggers' back is what is read
    (the car's summary and the totals without a filter or with the car's only)."""
    total = store.search_library(LibraryQuery()).total
    before = store.community_summary("Tekno", "NB48 Test")
    with psycopg.connect(store_config["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("UPDATE library_cars SET rows = rows + 100 WHERE vehicle = 'nb48 test'")
        conn.execute("""UPDATE library_values SET rows = rows + 100
                        WHERE vehicle = 'nb48 test' AND param = 'DF' AND value = '7000'""")
    assert store.search_library(LibraryQuery()).total == total + 100
    assert store.search_library(LibraryQuery(vehicle="NB48 test")).total == len(ROWS) + 100
    after = store.community_summary("Tekno", "NB48 Test")
    assert after.rows == before.rows + 100
    assert after.params["DF"].count == before.params["DF"].count + 100
    # Narrowed, the car's rows there are counted.
    assert store.community_summary("Tekno", "NB48 Test", "Summary Park").rows == 3
