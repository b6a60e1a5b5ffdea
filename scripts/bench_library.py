#!/usr/bin/env python3
"""How fast the Setup Library answers: searches at 100 000 rows (PostgreSQL), 10 000 (CSV).

Starts a throwaway PostgreSQL (tests/pg_server.py), builds the schema through the
migration runner, loads 100 000 varied, catalogue-valid library rows with COPY and
ANALYZE, then times each search of the list page through the real store (its pool,
one transaction per call): median, p95 and p99 over --runs calls. Then the same on a
CSV store of 10 000 rows. Prints the figures and the EXPLAIN ANALYZE of the slowest
PostgreSQL query. Figures, not assertions: exits 0.

Run it as ``scripts/bench_library`` (uses the repo's .venv).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the apex package and tests.pg_server

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from apex.catalogue import PARAM_KEYS, PARAMS, PRESETS, Param, Value  # noqa: E402
from apex.community import community_ranges, ranges_of  # noqa: E402
from apex.db import make_store  # noqa: E402
from apex.models import LIBRARY_FIELDS, LIBRARY_SOURCES, LibraryQuery  # noqa: E402
from apex.store import Store  # noqa: E402
from apex.stores import postgres_library  # noqa: E402
from apex.stores.csv_tables import CsvTables  # noqa: E402
from tests import pg_server  # noqa: E402

# --- varied, realistic rows ------------------------------------------------------------------

_PLACES = (
    "Thunder", "Silver Dollar", "Mac's", "Pit Lane", "Eagle", "Desert", "River", "Canyon",
    "Red Rock", "Lakeside", "Pine Valley", "Iron Horse", "Golden State", "North Star", "Badlands",
    "Circuit du Lac", "Mont-Tremblant", "Lac-Mégantic", "Québec", "Bayside", "Copper Hill",
    "Dusty Trails", "Hilltop", "Riverside", "Sunset", "Blue Ridge", "Timber", "Granite",
    "Oak Creek", "Cedar", "Maple Leaf", "Falcon", "Wildcat", "Stallion", "Coyote", "Outlaw",
    "Hangar 8", "Dirt Works", "Grand Prairie", "Spring Creek",
)
_KINDS = ("Raceway", "Track", "Speedway", "RC Park", "Circuit", "Hobbies", "Valley", "Arena",
          "Motorplex", "Offroad")
_CARS = {
    "Tekno": ("NB48 2.2", "NT48 2.2", "EB48 2.2", "ET48 2.2", "NB48 2.1"),
    "Associated": ("RC8B4", "RC8B4e", "RC8T4"), "Mugen": ("MBX8R", "MBX8 ECO", "MBX8T"),
    "Xray": ("XB8", "XT8", "XB8E"), "Kyosho": ("MP10", "MP10T", "MP10e"),
    "HB Racing": ("D819", "E819"), "Serpent": ("SRX8", "SRX8e"),
    "Losi": ("8IGHT-X", "8IGHT-XT", "8IGHT-XE"), "Sworkz": ("S35-4", "S35-4E"),
    "Agama": ("N1", "A319"), "Durango": ("DNX8", "DEX8"), "Schumacher": ("Cat L1",),
    "Hot Bodies": ("D817",), "Team Losi": ("8IGHT 4.0",), "Infinity": ("IF18", "IFB8"),
}
_CONDITIONS = [f"{t} Traction, {s}" for t in ("High", "Medium", "Low")
               for s in ("Smooth", "Bumpy", "Dusty", "Rutted", "Wet", "Muddy", "Blue Groove")]
_FIRST = ("Ryan", "Jared", "Sam", "Élodie", "Ty", "Dakota", "Spencer", "Adam", "Ellis",
          "Maria", "Chen", "Ole", "Bruno", "Kei", "Lena", "Marco", "Priya", "Tomás", "Ava", "Jo")
_LAST = ("Maifield", "Tebo", "Ortiz", "Martin", "Tessmann", "Phipps", "Rivkin", "Drake",
         "Santos", "Kato", "Novak", "Rossi", "Singh", "Berg", "O'Neil", "Dubois", "Smith")
_TEXTS = {
    "SP": ("Green", "Yellow", "Pink", "Red", "Blue", "White", "Silver"),
    "P_": ("4x1.2", "4x1.3", "4x1.7", "8x1.3", "6x1.4"),
    "Tread": ("Kosmos", "Relapse", "Chisel", "Double Dee", "Bar Codes", "Ellipse"),
    "Compound": ("Green", "Blue", "Yellow", "Soft", "Super Soft", "Medium"),
    "Pipe": ("REDS 2143", "REDS 2144", "OS T-2090", "Novarossi 2132"),
    "Clutch": ("4-shoe medium", "4-shoe heavy", "3-shoe light"),
}
START = date(2023, 1, 1)


def _value(rng: random.Random, param: Param, base: Value) -> Value:
    """Near the NB48 preset, on the catalogue's step, inside its limits; some unset."""
    if rng.random() < 0.04:
        return None
    if param.kind == "text":
        choices = next((v for k, v in _TEXTS.items() if param.key.startswith(k)), ("Stock",))
        return rng.choice(choices)
    step = param.step or Decimal(1)
    value = Decimal(base if base is not None else param.min) + step * rng.randint(-6, 6)
    value = min(max(value, param.min), param.max)
    return int(value) if param.kind == "int" else value


def make_rows(count: int, racers: list[str], seed: int = 2026) -> list[dict[str, Any]]:
    """``count`` library rows with distinct keys, popular tracks and cars more common."""
    rng = random.Random(seed)
    tracks = [f"{p} {k}" for p in _PLACES for k in _KINDS]
    rng.shuffle(tracks)
    tracks = tracks[:200]
    cars = [(b, v) for b, vs in _CARS.items() for v in vs]
    track_weights = [1 / (i + 1) ** 0.8 for i in range(len(tracks))]
    car_weights = [1 / (i + 1) ** 0.9 for i in range(len(cars))]
    base = PRESETS["Tekno NB48 2.2"]
    setups = [{p.key: _value(rng, p, base[p.key]) for p in PARAMS} for _ in range(3000)]
    rows: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    while len(rows) < count:
        track = rng.choices(tracks, track_weights)[0]
        brand, vehicle = rng.choices(cars, car_weights)[0]
        condition = rng.choice(_CONDITIONS)
        day = START + timedelta(days=rng.randrange(3 * 365))
        if (key := (track, brand, vehicle, condition, day)) in seen:
            continue
        seen.add(key)
        driver = "" if rng.random() < 0.4 else f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        by = rng.choice(racers) if racers and rng.random() < 0.2 else None
        rows.append({"track": track, "brand": brand, "vehicle": vehicle, "condition": condition,
                     "date": day, "source": rng.choice(LIBRARY_SOURCES), "driver_name": driver,
                     "notes": "", "submitted_by": by, **rng.choice(setups)})
    return rows


# --- timing ----------------------------------------------------------------------------------

CASES: list[tuple[str, LibraryQuery]] = [
    ("no filter, page 1", LibraryQuery()),
    ("no filter, page 200", LibraryQuery(page=200)),
    ("one common word", LibraryQuery(text="raceway")),
    ("two-word prefix text", LibraryQuery(text="thun tek")),
    ("brand + vehicle", LibraryQuery(brand="tekno", vehicle="nb48 2.2")),
    ("track + date range", LibraryQuery(track="", date_from=date(2024, 3, 1),
                                        date_to=date(2024, 8, 31))),
    ("text matching nothing", LibraryQuery(text="zzqx")),
]
COMMUNITY = ("Tekno", "NB48 2.2")
CONDITION = "High Traction, Smooth"


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    result = fn()  # warm: caches, the pool, psycopg's prepared statements
    for _ in range(4):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def figures(times: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times), cuts[94], cuts[98]


def bench(store: Store, runs: int, track: str) -> list[tuple[str, float, float, float, int]]:
    """(case, median ms, p95, p99, rows found) for every case on ``store``."""
    out = []
    for name, query in CASES:
        if name.startswith("track"):
            query = LibraryQuery(track=track, date_from=query.date_from, date_to=query.date_to)
        times, page = timed(lambda q=query: store.search_library(q), runs)
        out.append((name, *figures(times), page.total))
    # Keyset paging (issue 17): page 200 reached from the last row of page 199.
    previous = store.search_library(LibraryQuery(page=199)).rows[-1]
    after = (previous.date, previous.id)
    times, page = timed(lambda: store.search_library(LibraryQuery(page=200, after=after)), runs)
    out.append(("no filter, page 200 by keyset", *figures(times), page.total))
    # The ranges page's work before issue 17: every row into Python, then the ranges ...
    times, values = timed(lambda: community_ranges(store.community_values(*COMMUNITY), None),
                          max(runs // 40, 5))
    out.append((f"community_values+ranges {COMMUNITY[1]}", *figures(times),
                values[0].count))
    # ... and since: the counts the writes keep per car (sql/0020), or the narrowed rows'.
    for name, narrow in ((COMMUNITY[1], ()), ("+ track", (track,)),
                         ("+ condition", ("", CONDITION)), ("+ track + condition",
                                                            (track, CONDITION))):
        times, summary = timed(lambda n=narrow: ranges_of(
            store.community_summary(*COMMUNITY, *n), None), runs)
        out.append((f"community_summary+ranges {name}", *figures(times), summary[0].count))
    times, facets = timed(store.library_facets, runs)
    out.append(("library_facets (extra)", *figures(times), len(facets.tracks)))
    return out


def table(title: str, results: list[tuple[str, float, float, float, int]]) -> None:
    print(f"\n{title}")
    head = f"{'query':<34} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'matches':>8}"
    print(head)
    print("-" * len(head))
    for name, median, p95, p99, found in results:
        print(f"{name:<34} {median:>10.2f} {p95:>8.2f} {p99:>8.2f} {found:>8}")


# --- PostgreSQL ------------------------------------------------------------------------------

COLUMNS = ["track", "brand", "vehicle", "condition", "date", "source", "driver_name", "notes",
           "submitted_by", *PARAM_KEYS]


def load_postgres(url: str, rows: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    copy = sql.SQL("COPY master_library ({}) FROM STDIN").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS))
    with psycopg.connect(url) as conn, conn.cursor() as cur, cur.copy(copy) as copier:
        for row in rows:
            copier.write_row([row[c] for c in COLUMNS])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) master_library")
    return time.perf_counter() - start


def explain(url: str, name: str, statements: list[tuple[Any, dict]]) -> None:
    print(f"\nEXPLAIN ANALYZE of {name}")
    with psycopg.connect(url) as conn:  # one transaction, as the store runs a search
        for statement, params in statements:
            print()
            if "text" in params:
                conn.execute(postgres_library.NO_SEQSCAN)
            plan = conn.execute(sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + statement, params)
            for (line,) in plan.fetchall():
                print(f"  {line}")


def run_postgres(runs: int, count: int) -> None:
    server = pg_server.start()
    try:
        url = server.create_database("apex_bench_library")
        store = make_store({"DATABASE_URL": url, "APEX_POOL_MAX": 2})
        store.upgrade()
        racers = [store.create_user(f"racer{i}", f"r{i}@example.com", "x").racer_id
                  for i in range(20)]
        t0 = time.perf_counter()
        rows = make_rows(count, racers)
        made = time.perf_counter() - t0
        loaded = load_postgres(url, rows)
        with psycopg.connect(url) as conn:
            size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('master_library'))"
                                ).fetchone()[0]
        print(f"PostgreSQL: {count} rows generated in {made:.1f}s, COPY + VACUUM ANALYZE in "
              f"{loaded:.1f}s; master_library with indexes: {size}")
        track = popular_track(rows)
        results = bench(store, runs, track)
        write_costs(store, racers[0], rows[0], max(runs // 5, 10))
        store.close()
        table(f"PostgreSQL, {count} rows, {runs} calls each (per call: one transaction)",
              results)
        slowest = max(range(len(results)), key=lambda i: results[i][1])
        extra = {"community_values+ranges": [postgres_library.community_statement(*COMMUNITY)],
                 "library_facets": [(postgres_library.FACETS, {})]}
        if hasattr(postgres_library, "community_summary_statements"):  # since sql/0020
            extra["community_summary+ranges"] = list(
                postgres_library.community_summary_statements(*COMMUNITY, track, CONDITION))
        if slowest > len(CASES) and (plans := extra.get(results[slowest][0].split()[0])):
            explain(url, f"the slowest query: {results[slowest][0]}", plans)
        if "community_summary+ranges" in extra:
            explain(url, "community ranges narrowed to a track and a condition",
                    extra["community_summary+ranges"])
        # The slowest search too (its count and its page), whatever was slowest overall.
        search = max(range(len(CASES)), key=lambda i: results[i][1])
        query = CASES[search][1]
        if CASES[search][0].startswith("track"):
            query = LibraryQuery(track=track, date_from=query.date_from, date_to=query.date_to)
        explain(url, f"the slowest search: {CASES[search][0]} (its count, then its page)",
                list(postgres_library.search_statements(query)))
    finally:
        server.stop()


def write_costs(store: Store, racer: str, like: dict[str, Any], runs: int) -> None:
    """Median and p95 of a baseline added, changed, deleted through the store (each one
    transaction), on the popular car: what keeping counts costs a write (sql/0020)."""
    fields = {f: like[f] for f in LIBRARY_FIELDS} | {"brand": COMMUNITY[0],
                                                     "vehicle": COMMUNITY[1]}
    values = {k: like[k] for k in PARAM_KEYS}
    costs: dict[str, list[float]] = {"add": [], "update": [], "delete": []}
    for n in range(runs):
        start = time.perf_counter()
        added = store.add_library_baselines(racer, [(fields | {"track": f"Bench {n}"}, values)])
        costs["add"].append((time.perf_counter() - start) * 1000)
        assert added
        start = time.perf_counter()
        store.update_library_baseline(racer, added[0].id, {}, values | {"DF": 9000,
                                                                         "SP_F": "Purple"})
        costs["update"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        store.delete_library_baseline(racer, added[0].id)
        costs["delete"].append((time.perf_counter() - start) * 1000)
    print(f"\nWrites through the store on {' '.join(COMMUNITY)} ({runs} each): "
          + "; ".join(f"{k} median {statistics.median(v):.1f} ms, p95 "
                      f"{figures(v)[1]:.1f} ms" for k, v in costs.items()))


def popular_track(rows: list[dict[str, Any]]) -> str:
    """A track of middling popularity (the 10th most common)."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["track"]] = counts.get(row["track"], 0) + 1
    return sorted(counts, key=counts.__getitem__, reverse=True)[9]


# --- CSV -------------------------------------------------------------------------------------


def run_csv(runs: int, count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="apex-bench-csv-") as data_dir:
        store = make_store({"DATABASE_URL": None, "APEX_DATA_DIR": data_dir})
        store.upgrade()
        racers = [store.create_user(f"racer{i}", f"r{i}@example.com", "x").racer_id
                  for i in range(20)]
        now = datetime.now(UTC)
        rows = [{"id": i, **r, "created_at": now, "updated_at": now}
                for i, r in enumerate(make_rows(count, racers), start=1)]
        start = time.perf_counter()
        CsvTables(Path(data_dir)).write("master_library", rows)
        written = time.perf_counter() - start
        start = time.perf_counter()
        store.search_library(LibraryQuery())
        parsed = time.perf_counter() - start
        print(f"\nCSV: {count} rows written in {written:.1f}s; the first search after the file "
              f"was rewritten (parse, sort, word index) took {parsed * 1000:.0f} ms")
        # What a racer meets: a baseline saved through the store, then a search. The index
        # is maintained (apex.stores.csv_library._Sorted): only the new row is derived.
        after = []
        for n in range(5):
            store.add_library_baselines(racers[0], [(
                {f: rows[n][f] for f in LIBRARY_FIELDS if f != "track"} | {"track": f"New {n}"},
                {k: rows[n][k] for k in PARAM_KEYS})])
            wall, cpu = time.perf_counter(), time.process_time()
            store.search_library(LibraryQuery())
            after.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
        print("the first search after each of 5 baselines saved through the store: "
              + ", ".join(f"{w:.0f} ms ({c:.0f} ms CPU)" for w, c in after))
        ranges = []
        for n in range(5):
            store.add_library_baselines(racers[0], [(
                {f: rows[n][f] for f in LIBRARY_FIELDS if f != "track"} | {"track": f"Ranges {n}"},
                {k: rows[n][k] for k in PARAM_KEYS})])
            wall = time.perf_counter()
            ranges_of(store.community_summary(*COMMUNITY), None)
            ranges.append((time.perf_counter() - wall) * 1000)
        print(f"the first community ranges of {' '.join(COMMUNITY)} after each of 5 baselines "
              "saved: " + ", ".join(f"{w:.0f} ms" for w in ranges))
        results = bench(store, runs, popular_track(rows))
        table(f"CSV, {count} rows, {runs} calls each (parsed table cached)", results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="timed calls per query")
    parser.add_argument("--rows", type=int, default=100_000, help="PostgreSQL library rows")
    parser.add_argument("--csv-rows", type=int, default=10_000, help="CSV library rows")
    parser.add_argument("--csv-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    assert set(LIBRARY_FIELDS) <= set(COLUMNS)
    if not args.csv_only:
        run_postgres(args.runs, args.rows)
    run_csv(args.runs, args.csv_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
