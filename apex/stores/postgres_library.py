"""The Setup Library and the racer's notebook on PostgreSQL.

Functions of a connection, each run inside the caller's transaction, and
``LibraryMethods``, the ``PostgresStore`` methods that call them, each in one
transaction of ``PostgresStore._tx`` (which turns a broken unique rule into
``DuplicateError``). The rules both stores share are in apex.stores.library_rules;
the indexes these queries rely on are in sql/0002_library_search.sql
(scripts/bench_library times them at 100 000 rows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC
from typing import Any, TypeVar

from psycopg import sql

from apex import versions
from apex.catalogue import BY_KEY, PARAM_KEYS, PARAMS, Param, Value, coerce
from apex.community import Cell, CommunitySummary, from_counts
from apex.folding import fold
from apex.models import (
    LibraryBaseline,
    LibraryFacets,
    LibraryPage,
    LibraryQuery,
    TrackLog,
)
from apex.stores import library_rules as rules
from apex.stores import postgres_params as setup_sql
from apex.stores.postgres_keys import claim, ids, owner
from apex.stores.postgres_params import Conn, one

T = TypeVar("T")
_FIELDS = [sql.Identifier(f) for f in rules.TEXT_FIELDS + ("date",)]
# The columns of a LibraryBaseline except its submitter's name, unqualified.
_ROW = sql.SQL(", ").join([
    sql.SQL("id, created_at, version, submitted_by::text AS submitted_by"), *_FIELDS,
    setup_sql.columns()])
# A baseline with its submitter's name, from a subquery or CTE named "m".
_WITH_NAME = sql.SQL("""SELECT m.*, coalesce(p.name, '') AS submitter_name FROM {source} m
LEFT JOIN racer_profiles p ON p.id = m.submitted_by::uuid""")

# Filters of a search, by LibraryQuery field; only those given are used, so each
# combination is its own plain query the planner fits to the indexes.
_FILTERS = {
    "text": "search @@ to_tsquery('simple', apex_fold(%(text)s))",  # sql/0015
    "brand": "lower(brand) = lower(%(brand)s)",
    "vehicle": "lower(vehicle) = lower(%(vehicle)s)",
    "track": "lower(track) = lower(%(track)s)",
    "condition": "lower(condition) = lower(%(condition)s)",
    "date_from": "date >= %(date_from)s",
    "date_to": "date <= %(date_to)s",
}
COUNT = "SELECT count(*) AS total FROM master_library WHERE {where}"
# No filter, or only the car's: the count sql/0020's triggers keep per car (a sum over
# a few hundred rows), not count(*) over the library's (25-50 ms at 100 000 rows).
CAR_COUNT = "SELECT coalesce(sum(rows), 0) AS total FROM library_cars WHERE {where}"
_CAR_FILTERS = {"brand": "brand = lower(%(brand)s)", "vehicle": "vehicle = lower(%(vehicle)s)"}
# The planner prices @@ like a cheap comparison, so it may count a common word's
# matches by reading every row (45 ms at 100 000 rows) rather than through the GIN
# index (5 ms); searches with text are planned without sequential scans.
NO_SEQSCAN = "SET LOCAL enable_seqscan = off"
# Limit first, then look up the names of only that page's submitters.
PAGE = """SELECT {row} FROM master_library WHERE {where}
ORDER BY date DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s"""
# Keyset paging (a link from the page before or after): a descent of
# master_library_newest_idx to the cursor, never thousands of rows read and skipped.
OLDER = """SELECT {row} FROM master_library WHERE {where}
AND (date, id) < (%(cursor_date)s, %(cursor_id)s)
ORDER BY date DESC, id DESC LIMIT %(limit)s"""
NEWER = """SELECT * FROM (SELECT {row} FROM master_library WHERE {where}
AND (date, id) > (%(cursor_date)s, %(cursor_id)s)
ORDER BY date, id LIMIT %(limit)s) newer"""
ORDER = " ORDER BY m.date DESC, m.id DESC"
GET = "SELECT {row} FROM master_library WHERE id = %(id)s"
# The distinct values of a column, skipping through its (lower(col), col) index one
# descent per value (a loose index scan): reading 100 000 rows is what it avoids.
_DISTINCT = """(WITH RECURSIVE v(l, x) AS (
(SELECT lower({col}), {col} FROM master_library
WHERE (lower({col}), {col}) > ('', '') ORDER BY 1, 2 LIMIT 1)
UNION ALL SELECT n.* FROM v, LATERAL (SELECT lower({col}), {col} FROM master_library
WHERE (lower({col}), {col}) > (v.l, v.x) ORDER BY 1, 2 LIMIT 1) n)
SELECT array_agg(x) FROM v) AS {name}"""
FACETS = sql.SQL("SELECT {}").format(sql.SQL(", ").join(
    sql.SQL(_DISTINCT).format(col=sql.Identifier(col), name=sql.Identifier(name))
    for col, name in (("brand", "brands"), ("vehicle", "vehicles"), ("track", "tracks"),
                      ("condition", "conditions"))))
# Exact comparison, as the unique index master_library_baseline_key is written.
EXISTING_KEYS = """SELECT k.n FROM unnest(%(track)s::text[], %(brand)s::text[],
%(vehicle)s::text[], %(condition)s::text[], %(date)s::date[])
WITH ORDINALITY AS k(track, brand, vehicle, condition, date, n)
WHERE EXISTS (SELECT FROM master_library m WHERE m.track = k.track AND m.brand = k.brand
AND m.vehicle = k.vehicle AND m.condition = k.condition AND m.date = k.date)"""
SUBMITTER = "SELECT name FROM racer_profiles WHERE id = %(racer_id)s"
INSERT = """INSERT INTO master_library (submitted_by, {fields}, {params})
VALUES (%(racer_id)s, {field_values}, {param_values}) RETURNING {row}"""
# Fields missing from the update are passed as NULL and keep their value.
# Compare-and-set: the version read under the lock (OWN_FOR_UPDATE) is still there.
UPDATE = """UPDATE master_library SET {sets}, {param_sets}, version = %(version)s,
updated_at = now()
WHERE id = %(id)s AND submitted_by = %(racer_id)s AND version = %(read_version)s
RETURNING {row}"""
OWN_FOR_UPDATE = """SELECT id FROM master_library WHERE id = %(id)s AND submitted_by = %(racer_id)s
FOR UPDATE"""
DELETE = "DELETE FROM master_library WHERE id = %(id)s AND submitted_by = %(racer_id)s"
# Parameter values in the catalogue's types straight from SQL: 100 000 rows are
# not turned into objects one value at a time.
COMMUNITY = """SELECT {params} FROM master_library
WHERE lower(brand) = lower(%(brand)s) AND lower(vehicle) = lower(%(vehicle)s){narrow}
ORDER BY date DESC, id DESC"""

INSERT_TRACK_LOG = """INSERT INTO track_logs (profile_id, kind, note, track, car, event, keywords)
VALUES (%(racer_id)s, %(kind)s, %(note)s, %(track)s, %(car)s, %(event)s, %(keywords)s)
RETURNING id::text, profile_id::text AS racer_id, "timestamp", kind, note, track, car, event,
keywords"""
LIST_TRACK_LOGS = """SELECT id::text, profile_id::text AS racer_id, "timestamp", kind, note,
track, car, event, keywords FROM track_logs
WHERE profile_id = %(racer_id)s AND deleted_at IS NULL{car}
ORDER BY "timestamp" DESC, created_at DESC, id DESC LIMIT %(limit)s"""


def _q(template: str, **parts: sql.Composable) -> sql.Composed:
    return sql.SQL(template).format(**parts)


def _named(query: sql.Composable) -> sql.Composed:
    """``query``'s baselines with their submitters' names, newest first."""
    return _WITH_NAME.format(source=sql.SQL("({})").format(query)) + sql.SQL(ORDER)


def _with_name(query: sql.Composable) -> sql.Composed:
    """A data-changing ``query`` (RETURNING {row}) with the submitter's name."""
    return sql.SQL("WITH m AS ({}) ").format(query) + _WITH_NAME.format(source=sql.SQL("m"))


def _baseline(row: Mapping[str, Any]) -> LibraryBaseline:
    values = setup_sql.values(row)
    return LibraryBaseline(
        id=row["id"], **{f: row[f] for f in rules.LIBRARY_FIELDS},
        submitted_by=row["submitted_by"], submitter_name=row["submitter_name"],
        values=values, created_at=row["created_at"], version=row["version"],
    )


def _search_where(query: LibraryQuery) -> tuple[sql.Composable, dict[str, Any]]:
    """The WHERE of a search and its parameters; the free text as a safe tsquery.

    The tsquery is built from the words only (letters and digits, each quoted), so
    no character of the racer's text is ever read as tsquery syntax.
    """
    params: dict[str, Any] = {}
    if found := rules.words(fold(query.text or "")):
        params["text"] = " & ".join(f"'{w}':*" for w in found)
    for name in ("brand", "vehicle", "track", "condition", "date_from", "date_to"):
        value = getattr(query, name)
        if value not in (None, ""):
            params[name] = value
    conditions = [sql.SQL(_FILTERS[name]) for name in params] or [sql.SQL("TRUE")]
    return sql.SQL(" AND ").join(conditions), params


def search_statements(query: LibraryQuery) -> tuple[tuple[sql.Composed, dict], ...]:
    """The two statements of a search, each with its parameters: the count, the page."""
    page, per_page = rules.clamped(query)
    where, params = _search_where(query)
    paging = {**params, "limit": per_page, "offset": (page - 1) * per_page}
    template = PAGE
    if mark := query.after or query.before:
        template = OLDER if query.after else NEWER
        paging = {**params, "limit": per_page, "offset": 0, "cursor_date": mark[0],
                  "cursor_id": mark[1]}
    select = _named(_q(template, row=_ROW, where=where))
    count = _q(COUNT, where=where)
    if set(params) <= set(_CAR_FILTERS):
        count = _q(CAR_COUNT, where=sql.SQL(" AND ").join(
            [sql.SQL(_CAR_FILTERS[name]) for name in params] or [sql.SQL("TRUE")]))
    return (count, params), (select, paging)


def search(conn: Conn, query: LibraryQuery) -> LibraryPage:
    page, per_page = rules.clamped(query)
    (count, params), (select, paging) = search_statements(query)
    # SET LOCAL holds to the end of a transaction: this search's own, when the request
    # has not begun one (a page that only reads runs in autocommit).
    with conn.transaction() if "text" in params else nullcontext():
        if "text" in params:
            conn.execute(NO_SEQSCAN)
        total = one(conn, count, params)["total"]
        rows: list[LibraryBaseline] = []
        if paging["offset"] < total:  # past the end (or a cursor's offset 0 in an empty one)
            rows = [_baseline(r) for r in conn.execute(select, paging).fetchall()]
    return LibraryPage(rows, total, page, per_page)


def get(conn: Conn, baseline_id: object) -> LibraryBaseline | None:
    if (key := rules.library_id(baseline_id)) is None:
        return None
    row = conn.execute(_named(_q(GET, row=_ROW)), {"id": key}).fetchone()
    return _baseline(row) if row else None


def facets(conn: Conn) -> LibraryFacets:
    row = one(conn, FACETS)
    return LibraryFacets(*(rules.facet(row[name] or ()) for name in
                           ("brands", "vehicles", "tracks", "conditions")))


def existing_keys(conn: Conn, keys: list[tuple]) -> set[tuple]:
    if not keys:
        return set()
    columns = list(zip(*keys, strict=True))
    params: dict[str, list[Any]] = {
        f: [str(v) for v in columns[i]] for i, f in enumerate(rules.KEY_FIELDS[:4])}
    params["date"] = [rules.as_date(v) for v in columns[4]]
    found = conn.execute(EXISTING_KEYS, params).fetchall()
    return {tuple(keys[row["n"] - 1]) for row in found}


def add(
    conn: Conn, racer_id: str,
    items: list[tuple[Mapping[str, Any], Mapping[str, Value]]], request_key: str | None,
) -> list[LibraryBaseline] | None:
    """All rows or none: checked in the CSV store's order (racer, the batch, the request
    key, then the library, whose unique index raises inside the caller's transaction)."""
    rid = owner(racer_id)
    profile = conn.execute(SUBMITTER, {"racer_id": rid}).fetchone()
    if profile is None:
        raise LookupError(f"no racer {racer_id!r}")
    rows = [(rules.fields(data), setup_sql.params(values)) for data, values in items]
    rules.check_batch(rules.row_key(f) for f, _ in rows)
    if not claim(conn, rid, request_key):
        return None
    insert = _q(INSERT, fields=sql.SQL(", ").join(_FIELDS),
                params=setup_sql.columns(),
                field_values=sql.SQL(", ").join(sql.Placeholder(f) for f in
                                                rules.TEXT_FIELDS + ("date",)),
                param_values=setup_sql.placeholders(), row=_ROW)
    if not rows:
        return []
    with conn.cursor() as cur:  # pipelined: one round trip for the batch, not one a row
        cur.executemany(insert, [{**data, **values, "racer_id": rid} for data, values in rows],
                        returning=True)
        return [_baseline({**row, "submitter_name": profile["name"]})
                for result in cur.results() if (row := result.fetchone()) is not None]


def update(
    conn: Conn, racer_id: str, baseline_id: object, data: Mapping[str, Any],
    values: Mapping[str, Value], version: int | None = None,
) -> LibraryBaseline | None:
    key, rid = rules.library_id(baseline_id), ids(racer_id=racer_id)
    if key is None or rid is None:
        return None
    if conn.execute(OWN_FOR_UPDATE, {**rid, "id": key}).fetchone() is None:
        return None
    current = get(conn, key)
    assert current is not None  # locked just now
    given = rules.fields(data, keep_missing=True)
    stored = {**{f: getattr(current, f) for f in rules.LIBRARY_FIELDS}, **current.values}
    after = {**given, **{k: coerce(BY_KEY[k], values.get(k)) for k in PARAM_KEYS}}
    new_version = versions.next_version(current, stored, after, version)
    names = rules.TEXT_FIELDS + ("date",)
    sets = sql.SQL(", ").join(
        sql.SQL("{0} = coalesce({1}, {0})").format(sql.Identifier(f), sql.Placeholder(f))
        for f in names)
    query = _with_name(_q(UPDATE, sets=sets, param_sets=setup_sql.assignments(), row=_ROW))
    params = {**{f: given.get(f) for f in names}, **setup_sql.params(values), **rid, "id": key,
              "version": new_version, "read_version": current.version}
    row = conn.execute(query, params).fetchone()
    return _baseline(row) if row else None


def delete(conn: Conn, racer_id: str, baseline_id: object) -> bool:
    key, rid = rules.library_id(baseline_id), ids(racer_id=racer_id)
    if key is None or rid is None:
        return False
    return conn.execute(DELETE, {**rid, "id": key}).rowcount > 0


def _canonical(param: Param) -> sql.Composable:
    """A parameter column as the catalogue types it (numeric(8,2) 2.30 -> 2.3)."""
    col = sql.Identifier(param.key)
    if param.kind == "decimal":
        return sql.SQL("round({0}, {1}) AS {0}").format(col, sql.Literal(param.decimals))
    if param.kind == "text":
        return sql.SQL("nullif(btrim({0}), '') AS {0}").format(col)
    return col


COMMUNITY_PARAMS = sql.SQL(", ").join(_canonical(p) for p in PARAMS)


def community_statement(
    brand: str, vehicle: str, track: str = "", condition: str = ""
) -> tuple[sql.Composed, dict]:
    params = {"brand": brand, "vehicle": vehicle, "track": track, "condition": condition}
    narrow = [sql.SQL(" AND " + _FILTERS[f]) for f in ("track", "condition") if params[f]]
    return _q(COMMUNITY, params=COMMUNITY_PARAMS, narrow=sql.Composed(narrow)), params


def community_values(
    conn: Conn, brand: str, vehicle: str, track: str, condition: str
) -> list[dict[str, Value]]:
    return conn.execute(*community_statement(brand, vehicle, track, condition)).fetchall()


# A car's community ranges, from the counts sql/0020's triggers keep per car: a few
# hundred rows read by primary key, however many baselines the car has.
CAR_ROWS = """SELECT coalesce(sum(rows), 0) AS rows FROM library_cars
WHERE brand = lower(%(brand)s) AND vehicle = lower(%(vehicle)s)"""
CAR_CELLS = """SELECT param, value, rows, newest FROM library_values
WHERE brand = lower(%(brand)s) AND vehicle = lower(%(vehicle)s)"""
# Narrowed to a track or a condition: the same counts, made from that car's rows there
# (master_library_car_track_idx / _car_condition_idx of sql/0020 find them).
NARROW_ROWS = """SELECT count(*) AS rows FROM master_library
WHERE lower(brand) = lower(%(brand)s) AND lower(vehicle) = lower(%(vehicle)s){narrow}"""
# One pass over those rows, one grouping set per parameter (a row of the answer sets
# only its own parameter's column): 3x faster than unpivoting every cell first.
NARROW_CELLS = """SELECT {cells}, count(*) AS rows, max(library_place(date, id)) AS newest
FROM master_library
WHERE lower(brand) = lower(%(brand)s) AND lower(vehicle) = lower(%(vehicle)s){narrow}
GROUP BY GROUPING SETS ({sets})"""


def _cell(param: Param) -> sql.Composable:
    """A parameter's value as library_values keeps it: as text, trimmed, NULL if blank."""
    return sql.SQL("nullif(btrim({}::text), '')").format(sql.Identifier(param.key))


def community_summary_statements(
    brand: str, vehicle: str, track: str = "", condition: str = ""
) -> tuple[tuple[sql.Composed, dict], tuple[sql.Composed, dict]]:
    """The two statements of a car's summary, each with its parameters: its row count,
    its ``Cell``s."""
    params = {"brand": brand, "vehicle": vehicle, "track": track, "condition": condition}
    narrowed = [f for f in ("track", "condition") if params[f]]
    if not narrowed:
        return (_q(CAR_ROWS), params), (_q(CAR_CELLS), params)
    narrow = sql.Composed([sql.SQL(" AND " + _FILTERS[f]) for f in narrowed])
    cells = sql.SQL(", ").join(sql.SQL("{} AS {}").format(_cell(p), sql.Identifier(p.key))
                               for p in PARAMS)
    sets = sql.SQL(", ").join(sql.SQL("({})").format(_cell(p)) for p in PARAMS)
    return ((_q(NARROW_ROWS, narrow=narrow), params),
            (_q(NARROW_CELLS, cells=cells, sets=sets, narrow=narrow), params))


def community_summary(
    conn: Conn, brand: str, vehicle: str, track: str, condition: str
) -> CommunitySummary:
    (count, params), (cells, _) = community_summary_statements(brand, vehicle, track,
                                                                condition)
    rows = one(conn, count, params)["rows"]
    found = conn.execute(cells, params).fetchall() if rows else []
    if found and "param" not in found[0]:  # narrowed: the one parameter a row sets
        found = [{"param": key, "value": value, "rows": r["rows"], "newest": r["newest"]}
                 for r in found for key in PARAM_KEYS if (value := r[key]) is not None]
    return from_counts(rows, (Cell(r["param"], r["value"], r["rows"], r["newest"])
                              for r in found))


# -- the racer's notebook -------------------------------------------------------


def _track_log(row: Mapping[str, Any]) -> TrackLog:
    return TrackLog(**{**row, "timestamp": row["timestamp"].astimezone(UTC)})


def add_track_log(conn: Conn, racer_id: str, kind: str, note: str,
                  texts: Mapping[str, str]) -> TrackLog:
    rules.check_kind(kind)
    params = {**{k: str(v or "") for k, v in texts.items()}, "racer_id": owner(racer_id),
              "kind": kind, "note": str(note or "")}
    return _track_log(one(conn, INSERT_TRACK_LOG, params))


def list_track_logs(conn: Conn, racer_id: str, car: str, limit: int
                    ) -> list[TrackLog]:
    if (rid := ids(racer_id=racer_id)) is None or limit <= 0:
        return []
    query = _q(LIST_TRACK_LOGS, car=sql.SQL(" AND car = %(car)s" if car else ""))
    found = conn.execute(query, {**rid, "car": car, "limit": int(limit)}).fetchall()
    return [_track_log(r) for r in found]


# -- the Store methods ----------------------------------------------------------


class LibraryMethods:
    """The Setup Library and notebook part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[..., AbstractContextManager[Conn]]

    def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(conn, *args)`` in one transaction (a savepoint of the request's)."""
        with self._tx() as conn:
            return fn(conn, *args)

    def _read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(conn, *args)``, which only reads, in the request's transaction."""
        with self._tx(read=True) as conn:
            return fn(conn, *args)

    def search_library(self, query: LibraryQuery) -> LibraryPage:
        return self._read(search, query)

    def get_library_baseline(self, baseline_id: int) -> LibraryBaseline | None:
        return self._read(get, baseline_id)

    def library_facets(self) -> LibraryFacets:
        return self._read(facets)

    def existing_library_keys(self, keys: list[tuple]) -> set[tuple]:
        return self._read(existing_keys, keys)

    def add_library_baselines(
        self, racer_id: str, items: list[tuple[Mapping[str, Any], Mapping[str, Value]]],
        *, request_key: str | None = None,
    ) -> list[LibraryBaseline] | None:
        return self._run(add, racer_id, items, request_key)

    def update_library_baseline(
        self, racer_id: str, baseline_id: int, data: Mapping[str, Any],
        values: Mapping[str, Value], *, version: int | None = None,
    ) -> LibraryBaseline | None:
        return self._run(update, racer_id, baseline_id, data, values, version)

    def delete_library_baseline(self, racer_id: str, baseline_id: int) -> bool:
        return self._run(delete, racer_id, baseline_id)

    def community_values(
        self, brand: str, vehicle: str, track: str = "", condition: str = ""
    ) -> list[dict[str, Value]]:
        return self._read(community_values, brand, vehicle, track, condition)

    def community_summary(
        self, brand: str, vehicle: str, track: str = "", condition: str = ""
    ) -> CommunitySummary:
        return self._read(community_summary, brand, vehicle, track, condition)

    def add_track_log(self, racer_id: str, kind: str, note: str, *, track: str = "",
                      car: str = "", event: str = "", keywords: str = "") -> TrackLog:
        texts = {"track": track, "car": car, "event": event, "keywords": keywords}
        return self._run(add_track_log, racer_id, kind, note, texts)

    def list_track_logs(self, racer_id: str, *, car: str = "", limit: int = 50
                        ) -> list[TrackLog]:
        return self._read(list_track_logs, racer_id, car, limit)
