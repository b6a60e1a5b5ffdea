"""The Setup Library and the racer's notebook on CSV files.

Functions of ``CsvTables``, each run inside the caller's transaction, and
``LibraryMethods``, the ``CsvStore`` methods that call them, each one transaction
(the lock held). The rules both stores share are in apex.stores.library_rules.

The library is searched in memory: per parsed ``master_library`` table (the parse
cache hands out the same list until the file changes) the rows are kept sorted
newest first, each with its words as one string, " mac s track tekno ...", in
which a search word starts a word exactly when " " + word occurs.
"""

from __future__ import annotations

import functools
import uuid
import weakref
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from apex import versions
from apex.catalogue import BY_KEY, PARAM_KEYS, Value, coerce
from apex.community import CommunitySummary, counts_of, from_counts, row_cells
from apex.folding import fold
from apex.models import (
    LIBRARY_FIELDS,
    LibraryBaseline,
    LibraryFacets,
    LibraryPage,
    LibraryQuery,
    TrackLog,
)
from apex.store import DuplicateError
from apex.stores import library_rules as rules
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_tables import CsvTables

LIBRARY = "master_library"
_TRACK_LOG_TEXTS = ("track", "car", "event", "keywords")
_NEVER = datetime.min.replace(tzinfo=UTC)  # sorts a hand-emptied timestamp last
_FILTERED = ("brand", "vehicle", "track", "condition")
_SUMMARIES_KEPT = 256  # cars (and narrowings) whose summary one parse keeps


class _Sorted:
    """One parse of the library: rows newest first, with what searches compare
    (lowercased filter columns, dates, word strings) as columns beside them.

    A maintained index: built from the one before it (``previous``), a row the write
    left alone (the table cache hands out the very same row object) keeps its word
    string and lowercased columns, so the first search after a write re-derives only
    the rows written, then sorts (10 000 rows: well under 100 ms, not a second)."""

    def __init__(self, rows: list[Row], previous: _Sorted | None = None) -> None:
        self.source = rows
        known = previous.derived if previous is not None else {}
        self.derived: dict[Any, tuple[Row, str, tuple[str, ...]]] = {}
        for r in rows:
            found = known.get(r["id"])
            if found is None or found[0] is not r:
                found = (r, _word_string(r), tuple(r[f].lower() for f in _FILTERED))
            self.derived[r["id"]] = found
        self.rows = sorted(rows, key=lambda r: (r["date"], r["id"]), reverse=True)
        derived = [self.derived[r["id"]] for r in self.rows]
        self.words = [d[1] for d in derived]
        self.lower = {f: [d[2][n] for d in derived] for n, f in enumerate(_FILTERED)}
        self.dates = [r["date"] for r in self.rows]
        self.summaries: dict[tuple, CommunitySummary] = {}
        kept = previous.cells if previous is not None else {}
        self.cells: dict[Any, tuple[Mapping[str, Any], tuple[tuple[str, Value], ...]]] = {
            r["id"]: cells for r in rows
            if (cells := kept.get(r["id"])) is not None and cells[0] is r}

    def summary(self, **wanted: str) -> CommunitySummary:
        """The community summary of the rows whose columns equal ``wanted`` (ignoring
        case), counted (``counts_of``) once per parse: the ranges page asked again
        before the next write costs a dictionary lookup."""
        key = tuple(sorted((name, value.lower()) for name, value in wanted.items()))
        if (found := self.summaries.get(key)) is None:
            if len(self.summaries) >= _SUMMARIES_KEPT:
                self.summaries.clear()
            rows = [self.rows[i] for i in self.where(**wanted)]
            found = self.summaries[key] = from_counts(len(rows), counts_of(rows, self._cells))
        return found

    def _cells(self, row: Mapping[str, Any]) -> tuple[tuple[str, Value], ...]:
        """A row's ``row_cells``, kept like its word string: a row the write left alone
        is not read again (a car's first summary after a write only adds up)."""
        found = self.cells.get(row["id"])
        if found is None or found[0] is not row:
            found = self.cells[row["id"]] = (row, row_cells(row))
        return found[1]

    @functools.cached_property
    def facets(self) -> tuple[list[str], ...]:
        return tuple(rules.facet(r[f] for r in self.rows) for f in _FILTERED)

    def where(self, **wanted: str) -> list[int]:
        """Positions, newest first, of the rows whose columns equal ``wanted``
        case-insensitively."""
        found: list[int] | range = range(len(self.rows))
        for name, value in wanted.items():
            column, value = self.lower[name], value.lower()
            found = [i for i in found if column[i] == value]
        return list(found)


_sorted: weakref.WeakKeyDictionary[CsvTables, _Sorted] = weakref.WeakKeyDictionary()


def _word_string(row: Row) -> str:
    text = " ".join(row[f] for f in rules.SEARCHED)
    return "".join(" " + w for w in rules.words(fold(text)))


def _library(tables: CsvTables) -> _Sorted:
    rows = tables.read(LIBRARY)
    cached = _sorted.get(tables)
    if cached is None or cached.source is not rows:
        cached = _sorted[tables] = _Sorted(rows, cached)
    return cached


def _names(tables: CsvTables) -> dict[str, str]:
    return {p["id"]: p["name"] for p in tables.read("racer_profiles")}


def _baseline(row: Row, names: Mapping[str, str]) -> LibraryBaseline:
    by = row["submitted_by"]
    return LibraryBaseline(
        id=row["id"], **{f: row[f] for f in LIBRARY_FIELDS}, submitted_by=by,
        submitter_name=names.get(by, "") if by else "",
        values={k: row[k] for k in PARAM_KEYS}, created_at=row["created_at"],
        version=row.get("version") or 1,
    )


def search(tables: CsvTables, query: LibraryQuery) -> LibraryPage:
    page, per_page = rules.clamped(query)
    library = _library(tables)
    found = library.where(**{f: value for f in _FILTERED if (value := getattr(query, f))})
    for needle in (" " + w for w in rules.words(fold(query.text or ""))):
        found = [i for i in found if needle in library.words[i]]
    if query.date_from is not None:
        found = [i for i in found if library.dates[i] >= query.date_from]
    if query.date_to is not None:
        found = [i for i in found if library.dates[i] <= query.date_to]
    start = (page - 1) * per_page
    window = found[start:start + per_page]
    if mark := query.after or query.before:  # keyset paging, as PostgreSQL's
        # The first position at or past the cursor in the newest-first order.
        at = next((j for j, i in enumerate(found)
                   if (library.dates[i], library.rows[i]["id"]) <= mark), len(found))
        if query.after:
            at += at < len(found) and library.rows[found[at]]["id"] == mark[1]
            window = found[at:at + per_page]
        else:
            window = found[max(at - per_page, 0):at]
    names = _names(tables)
    rows = [_baseline(library.rows[i], names) for i in window]
    return LibraryPage(rows, len(found), page, per_page)


def get(tables: CsvTables, baseline_id: object) -> LibraryBaseline | None:
    if (key := rules.library_id(baseline_id)) is None:
        return None
    row = tables.first(LIBRARY, id=key)
    return None if row is None else _baseline(row, _names(tables))


def facets(tables: CsvTables) -> LibraryFacets:
    return LibraryFacets(*(list(values) for values in _library(tables).facets))


def _exact_key(key: tuple) -> tuple:
    return (*(str(v) for v in key[:4]), rules.as_date(key[4]))


def existing_keys(tables: CsvTables, keys: list[tuple]) -> set[tuple]:
    taken = {rules.row_key(r) for r in tables.read(LIBRARY)}
    return {tuple(k) for k in keys if _exact_key(k) in taken}


def new_rows(
    racer_id: str, items: list[tuple[Mapping[str, Any], Mapping[str, Value]]]
) -> list[Row]:
    """The rows to add (ids not yet given); DuplicateError if a key comes twice."""
    now = datetime.now(UTC)
    rows = [{"id": None, **rules.fields(data), "submitted_by": racer_id,
             **{k: coerce(BY_KEY[k], values.get(k)) for k in PARAM_KEYS},
             "created_at": now, "updated_at": now} for data, values in items]
    rules.check_batch(rules.row_key(r) for r in rows)
    return rows


def add(tables: CsvTables, rows: list[Row], submitter_name: str) -> list[LibraryBaseline]:
    """Write ``rows`` with the next free ids, unless a key is in the library already."""
    stored = tables.read(LIBRARY)
    taken = {rules.row_key(r) for r in stored}
    if any(rules.row_key(r) in taken for r in rows):
        raise DuplicateError("track", rules.TAKEN)
    next_id = max((r["id"] for r in stored), default=0) + 1
    rows = [{**r, "id": next_id + i} for i, r in enumerate(rows)]
    if rows:
        tables.write(LIBRARY, [*stored, *rows])
    names = {rows[0]["submitted_by"]: submitter_name} if rows else {}
    return [_baseline(r, names) for r in rows]


def _own(tables: CsvTables, racer_id: str, baseline_id: object) -> Row | None:
    key = rules.library_id(baseline_id)
    if key is None or not racer_id:
        return None
    return tables.first(LIBRARY, id=key, submitted_by=racer_id)


def update(
    tables: CsvTables, racer_id: str, baseline_id: object, data: Mapping[str, Any],
    values: Mapping[str, Value], version: int | None = None,
) -> LibraryBaseline | None:
    row = _own(tables, racer_id, baseline_id)
    if row is None:
        return None
    given = {**rules.fields(data, keep_missing=True),
             **{k: coerce(BY_KEY[k], values.get(k)) for k in PARAM_KEYS}}
    names = _names(tables)
    new_version = versions.next_version(_baseline(row, names), row, given, version)
    new = {**row, **given, "version": new_version, "updated_at": datetime.now(UTC)}
    key = rules.row_key(new)
    if any(r["id"] != new["id"] and rules.row_key(r) == key for r in tables.read(LIBRARY)):
        raise DuplicateError("track", rules.TAKEN)
    tables.replace(LIBRARY, new)
    return _baseline(new, names)


def delete(tables: CsvTables, racer_id: str, baseline_id: object) -> bool:
    row = _own(tables, racer_id, baseline_id)
    return row is not None and tables.remove(LIBRARY, id=row["id"])


def community_values(
    tables: CsvTables, brand: str, vehicle: str, track: str, condition: str
) -> list[dict[str, Value]]:
    library = _library(tables)
    narrow = {f: value for f, value in (("track", track), ("condition", condition)) if value}
    found = library.where(brand=brand, vehicle=vehicle, **narrow)
    return [{k: library.rows[i][k] for k in PARAM_KEYS} for i in found]


# -- the racer's notebook -------------------------------------------------------


def _track_log(row: Row) -> TrackLog:
    return TrackLog(row["id"], row["profile_id"], row["timestamp"], row["kind"], row["note"],
                    *(row[f] for f in _TRACK_LOG_TEXTS))


def add_track_log(tables: CsvTables, racer_id: str, kind: str, note: str,
                  texts: Mapping[str, str]) -> TrackLog:
    """``racer_id`` is a live racer's (the caller checked)."""
    now = datetime.now(UTC)
    row = {"id": str(uuid.uuid4()), "profile_id": racer_id, "timestamp": now, "kind": kind,
           "note": str(note or ""), **{f: str(texts.get(f) or "") for f in _TRACK_LOG_TEXTS},
           "lap_time": None, "created_at": now, "deleted_at": None}
    tables.insert("track_logs", row)
    return _track_log(row)


def list_track_logs(tables: CsvTables, racer_id: str, car: str, limit: int) -> list[TrackLog]:
    if limit <= 0:
        return []
    mine = [r for r in tables.read("track_logs")
            if r["profile_id"] == racer_id and r["deleted_at"] is None
            and (not car or r["car"] == car)]
    mine.sort(key=lambda r: (r["timestamp"] or _NEVER, r["created_at"] or _NEVER, r["id"]),
              reverse=True)
    return [_track_log(r) for r in mine[:limit]]



# -- the Store methods ----------------------------------------------------------


class LibraryMethods:
    """The Setup Library and notebook part of ``CsvStore`` (a base class of it), on
    its ``_tables``, ``_live_profile``, ``_key_used`` and ``_remember_key``."""

    _tables: CsvTables
    _live_profile: Callable[[str], Row | None]
    _key_used: Callable[[Row, str | None], bool]
    _remember_key: Callable[[Row, str | None], None]

    def _racer(self, racer_id: str) -> Row:
        """The live profile of a create method's racer (LookupError, as PostgreSQL's FK)."""
        if (profile := self._live_profile(racer_id)) is None:
            raise LookupError(f"no racer {racer_id!r}")
        return profile

    @locked
    def search_library(self, query: LibraryQuery) -> LibraryPage:
        return search(self._tables, query)

    @locked
    def get_library_baseline(self, baseline_id: int) -> LibraryBaseline | None:
        return get(self._tables, baseline_id)

    @locked
    def library_facets(self) -> LibraryFacets:
        return facets(self._tables)

    @locked
    def existing_library_keys(self, keys: list[tuple]) -> set[tuple]:
        return existing_keys(self._tables, keys)

    @locked
    def add_library_baselines(
        self, racer_id: str, items: list[tuple[Mapping[str, Any], Mapping[str, Value]]],
        *, request_key: str | None = None,
    ) -> list[LibraryBaseline] | None:
        """The key checks in PostgreSQL's order: the batch, the request key, the library."""
        profile = self._racer(racer_id)
        rows = new_rows(profile["id"], items)
        if self._key_used(profile, request_key):
            return None
        added = add(self._tables, rows, profile["name"])
        self._remember_key(profile, request_key)
        return added

    @locked
    def update_library_baseline(
        self, racer_id: str, baseline_id: int, data: Mapping[str, Any],
        values: Mapping[str, Value], *, version: int | None = None,
    ) -> LibraryBaseline | None:
        return update(self._tables, racer_id, baseline_id, data, values, version)

    @locked
    def delete_library_baseline(self, racer_id: str, baseline_id: int) -> bool:
        return delete(self._tables, racer_id, baseline_id)

    @locked
    def community_values(
        self, brand: str, vehicle: str, track: str = "", condition: str = ""
    ) -> list[dict[str, Value]]:
        return community_values(self._tables, brand, vehicle, track, condition)

    @locked
    def community_summary(
        self, brand: str, vehicle: str, track: str = "", condition: str = ""
    ) -> CommunitySummary:
        narrow = {f: value for f, value in (("track", track), ("condition", condition)) if value}
        return _library(self._tables).summary(brand=brand, vehicle=vehicle, **narrow)

    @locked
    def add_track_log(self, racer_id: str, kind: str, note: str, *, track: str = "",
                      car: str = "", event: str = "", keywords: str = "") -> TrackLog:
        rules.check_kind(kind)
        texts = {"track": track, "car": car, "event": event, "keywords": keywords}
        return add_track_log(self._tables, self._racer(racer_id)["id"], kind, note, texts)

    @locked
    def list_track_logs(self, racer_id: str, *, car: str = "", limit: int = 50
                        ) -> list[TrackLog]:
        return list_track_logs(self._tables, racer_id, car, limit)
