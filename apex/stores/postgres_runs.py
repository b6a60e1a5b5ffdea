"""The race day's runs, laps and notes on PostgreSQL.

``RunMethods`` is a base class of ``PostgresStore`` beside ``EventMethods``; each
method is one transaction of ``PostgresStore._tx``, reaching its rows through
``events.profile_id``. A run's first laps set the *run after* of the changes
apex.race_rules.tested_changes names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC
from decimal import Decimal
from typing import Any

from psycopg import sql

from apex import figures, lap_stats
from apex import race_rules as rules
from apex.lap_stats import RunStats
from apex.models import Lap, Run, SetupChange, TrackLog, car_label
from apex.request_keys import RUN_ID_TAKEN
from apex.store import DuplicateError
from apex.stores import library_rules
from apex.stores.postgres_keys import claim, ids, owner
from apex.stores.postgres_params import Conn, one
from apex.tables import TABLES

# The event's runs and changes as the rules of apex.race_rules read them.
EVENT_RUNS = "SELECT id::text, started_at, created_at FROM runs WHERE event_id = %(event_id)s"
EVENT_CHANGES = """SELECT id::text, status, version, run_after::text FROM setup_changes
WHERE event_id = %(event_id)s ORDER BY id FOR UPDATE"""
SET_RUN_AFTER = """UPDATE setup_changes SET run_after = %(run_id)s, updated_at = now()
WHERE id = ANY(%(change_ids)s::uuid[])"""

EVENT_EXISTS = """SELECT 1 FROM events
WHERE id = %(event_id)s AND profile_id = %(racer_id)s"""
RUN_COLS = """r.id::text, r.event_id::text, r.name, r.started_at, r.setup_version, r.confidence"""
INSERT_RUN = f"""WITH r AS (
INSERT INTO runs (id, event_id, name, setup_version)
SELECT coalesce(%(run_id)s::uuid, gen_random_uuid()), s.event_id, %(name)s, s.version
FROM event_setups s WHERE s.event_id = %(event_id)s
RETURNING *) SELECT {RUN_COLS} FROM r"""
LIST_RUNS = f"""SELECT {RUN_COLS} FROM runs r JOIN events e ON e.id = r.event_id
WHERE r.event_id = %(event_id)s AND e.profile_id = %(racer_id)s
ORDER BY r.started_at, r.created_at, r.id"""
# Runs without their laps (Store.list_runs(laps=False)), with their stored figures
# (Store.runs_with_figures): how many laps each has is the figures' count, kept by every
# lap write; counted only for a run whose figures row is missing (none should be).
_FIGURE_COLS = ", ".join(f"f.{c}" for c in TABLES["run_figures"]
                         if c not in ("run_id", "event_id", "position"))
LIST_RUNS_UNREAD = f"""SELECT {RUN_COLS}, coalesce(f.laps, (SELECT count(*) FROM laps l
WHERE l.run_id = r.id AND l.deleted_at IS NULL)) AS unread_laps, f.run_id IS NOT NULL AS figured,
{_FIGURE_COLS}
FROM runs r JOIN events e ON e.id = r.event_id LEFT JOIN run_figures f ON f.run_id = r.id
WHERE r.event_id = %(event_id)s AND e.profile_id = %(racer_id)s
ORDER BY r.started_at, r.created_at, r.id"""
GET_RUN = f"""SELECT {RUN_COLS} FROM runs r JOIN events e ON e.id = r.event_id
WHERE r.id = %(run_id)s AND e.profile_id = %(racer_id)s"""
LOCK_RUN = GET_RUN + " FOR UPDATE OF r"
# A run and its live laps in one round trip (a run without laps: one row of NULL laps).
GET_RUN_LAPS = f"""SELECT {RUN_COLS}, l.lap_number, l.seconds, l.flag
FROM runs r JOIN events e ON e.id = r.event_id
LEFT JOIN laps l ON l.run_id = r.id AND l.deleted_at IS NULL
WHERE r.id = %(run_id)s AND e.profile_id = %(racer_id)s ORDER BY l.lap_number"""
LIST_LAPS = """SELECT run_id::text, lap_number, seconds, flag FROM laps
WHERE run_id = ANY(%(run_ids)s::uuid[]) AND deleted_at IS NULL ORDER BY run_id, lap_number"""
COUNT_LAPS = "SELECT count(*) AS n FROM laps WHERE run_id = %(run_id)s AND deleted_at IS NULL"
INSERT_LAP = """INSERT INTO laps (run_id, lap_number, seconds)
VALUES (%(run_id)s, %(lap_number)s, %(seconds)s)"""
# A run's laps as apex.race_rules.lap_deletion / lap_restoring read them (live, deleted).
RUN_LAPS = """SELECT id::text, lap_number, deleted_at FROM laps WHERE run_id = %(run_id)s
ORDER BY lap_number FOR UPDATE"""
DEFER_LAP_NUMBERS = "SET CONSTRAINTS laps_run_lap_key DEFERRED"
# The racer's laps whose undo is over.
PURGE_LAPS = """DELETE FROM laps l USING runs r, events e
WHERE l.run_id = r.id AND r.event_id = e.id AND e.profile_id = %(racer_id)s
AND l.deleted_at < %(before)s"""
DB_NOW = "SELECT now() AS now"
SET_LAP_FLAG = """UPDATE laps SET flag = %(flag)s
WHERE run_id = %(run_id)s AND lap_number = %(lap_number)s AND deleted_at IS NULL
AND flag <> %(flag)s"""
SET_CONFIDENCE = """UPDATE runs SET confidence = %(confidence)s, updated_at = now()
WHERE id = %(run_id)s"""

_LOG_COLS = """l.id::text, l.profile_id::text AS racer_id, l."timestamp", l.kind, l.note,
l.track, l.car, l.event, l.keywords, l.event_id::text, l.run_id::text"""
# The event of a note, with its car's fields for the note's car label.
EVENT_AND_CAR = """SELECT e.track, e.name, v.brand, v.model, v.nickname
FROM events e JOIN vehicles v ON v.id = e.vehicle_id
WHERE e.id = %(event_id)s AND e.profile_id = %(racer_id)s"""
INSERT_EVENT_LOG = f"""WITH l AS (
INSERT INTO track_logs (profile_id, kind, note, track, car, event, keywords, event_id, run_id)
VALUES (%(racer_id)s, %(kind)s, %(note)s, %(track)s, %(car)s, %(event)s, %(keywords)s,
%(event_id)s, %(run_id)s) RETURNING *) SELECT {_LOG_COLS} FROM l"""
RUN_IN_EVENT = "SELECT 1 FROM runs WHERE id = %(run_id)s AND event_id = %(event_id)s"
LIST_EVENT_LOGS = f"""SELECT {_LOG_COLS} FROM track_logs l
WHERE l.event_id = %(event_id)s AND l.profile_id = %(racer_id)s AND l.deleted_at IS NULL
ORDER BY l."timestamp" DESC, l.created_at DESC, l.id DESC LIMIT %(limit)s"""

_FIGURE_RUNS = f"""SELECT {RUN_COLS} FROM runs r WHERE r.event_id = %(event_id)s
ORDER BY r.started_at, r.created_at, r.id"""
# The order apex.verdicts.judge_event reads changes in (the stores' list_changes order).
_FIGURE_CHANGES = """SELECT c.id::text, c.event_id::text, c.parameter, c.old_value, c.new_value,
c.source, c.reason, c.status, c.version, c.run_before::text, c.run_after::text, c.created_at,
c.ask_id, c.pair_id, c.temperature_ref FROM setup_changes c WHERE c.event_id = %(event_id)s
ORDER BY c.created_at, c.version NULLS LAST, c.id"""
_DELETE = "DELETE FROM {table} WHERE event_id = %(event_id)s"
_INSERT = "INSERT INTO {table} ({cols}) VALUES ({values})"
_ALL_EVENTS = "SELECT id::text AS event_id FROM events ORDER BY id"


def _log(row: Mapping[str, Any]) -> TrackLog:
    return TrackLog(**{**row, "timestamp": row["timestamp"].astimezone(UTC)})


def runs_with_laps(conn: Conn, rows: Sequence[Mapping[str, Any]]) -> Iterator[Run]:
    """Runs with their laps (one query for every run's laps), times in UTC."""
    laps: dict[str, list[Lap]] = {r["id"]: [] for r in rows}
    if rows:
        for lap in conn.execute(LIST_LAPS, {"run_ids": list(laps)}).fetchall():
            laps[lap["run_id"]].append(Lap(**lap))
    for row in rows:
        yield Run(**{**row, "started_at": row["started_at"].astimezone(UTC)},
                  laps=tuple(laps[row["id"]]))


def write_laps(conn: Conn, writes: Mapping[str, Mapping[str, Any]]) -> None:
    """Apply a rule's lap writes (id -> column -> value; ``rules.NOW`` is now()); lap
    numbers are checked at the commit, when every lap has its new one."""
    conn.execute(DEFER_LAP_NUMBERS)
    for lap_id, cols in writes.items():
        sets = sql.SQL(", ").join(
            sql.SQL("{} = now()").format(sql.Identifier(c)) if v is rules.NOW
            else sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c))
            for c, v in cols.items())
        conn.execute(sql.SQL("UPDATE laps SET {} WHERE id = %(id)s").format(sets),
                     {**{c: v for c, v in cols.items() if v is not rules.NOW}, "id": lap_id})


def _insert(conn: Conn, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    cols = TABLES[table]
    query = _INSERT.format(table=table, cols=", ".join(cols),
                           values=", ".join(f"%({c})s" for c in cols))
    conn.cursor().executemany(query, [dict(r) for r in rows])


def refresh_figures(conn: Conn, event_id: str) -> None:
    """Rewrite the event's figures and outcomes from its laps and changes, in the
    caller's transaction (the event's writes hold its rows' locks)."""
    key = {"event_id": event_id}
    runs = list(runs_with_laps(conn, conn.execute(_FIGURE_RUNS, key).fetchall()))
    changes = [SetupChange(**{**r, "created_at": r["created_at"].astimezone(UTC)})
               for r in conn.execute(_FIGURE_CHANGES, key).fetchall()]
    run_rows, outcome_rows = figures.event_rows(event_id, runs, changes)
    for table, rows in (("run_figures", run_rows), ("change_outcomes", outcome_rows)):
        conn.execute(_DELETE.format(table=table), key)
        _insert(conn, table, rows)


def refresh_all(conn: Conn) -> int:
    """Every event's figures (the upgrade's backfill, an import); how many events."""
    events = [r["event_id"] for r in conn.execute(_ALL_EVENTS).fetchall()]
    for event_id in events:
        refresh_figures(conn, event_id)
    return len(events)


_EVENTS_OF_RUNS = """SELECT DISTINCT event_id::text AS event_id FROM runs
WHERE id = ANY(%(run_ids)s::uuid[])"""


def refresh_imported(conn: Conn, written: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Remake the figures of every event an import wrote rows of (apex.figures.touched)."""
    events, runs = figures.touched(written)
    if runs:
        events |= {r["event_id"] for r in conn.execute(
            _EVENTS_OF_RUNS, {"run_ids": sorted(runs)}).fetchall()}
    for event_id in sorted(events):
        refresh_figures(conn, event_id)


class RunMethods:
    """Runs, laps and notes: part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[..., AbstractContextManager[Conn]]
    _changed: Callable[..., bool]

    def add_run(self, racer_id: str, event_id: str, name: str,
                *, request_key: str | None = None, run_id: str | None = None) -> Run | None:
        if (key := ids(racer_id=owner(racer_id), event_id=event_id)) is None:
            raise LookupError("no such event")
        if run_id is not None and ids(run_id=run_id) is None:
            raise DuplicateError("run_id", RUN_ID_TAKEN)  # the schema lets no such id in
        with self._tx() as conn:
            if conn.execute(EVENT_EXISTS, key).fetchone() is None:
                raise LookupError("no such event")
            if not claim(conn, key["racer_id"], request_key):
                return None
            run = next(runs_with_laps(conn, [one(conn, INSERT_RUN, {**key, "name": name,
                                                                   "run_id": run_id})]))
            refresh_figures(conn, key["event_id"])
            return run

    def list_runs(self, racer_id: str, event_id: str, *, laps: bool = True) -> list[Run]:
        if not laps:
            return self.runs_with_figures(racer_id, event_id)[0]
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return []
        with self._tx(read=True) as conn:
            return list(runs_with_laps(conn, conn.execute(LIST_RUNS, key).fetchall()))

    def runs_with_figures(self, racer_id: str, event_id: str
                          ) -> tuple[list[Run], Mapping[str, RunStats | None]]:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return [], {}
        with self._tx(read=True) as conn:
            rows = conn.execute(LIST_RUNS_UNREAD, key).fetchall()
        runs = [Run(r["id"], r["event_id"], r["name"], r["started_at"].astimezone(UTC),
                    r["setup_version"], r["confidence"], unread_laps=r["unread_laps"])
                for r in rows]
        return runs, figures.StoredStats({r["id"]: r for r in rows if r["figured"]})

    def get_run(self, racer_id: str, run_id: str) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx(read=True) as conn:
            rows = conn.execute(GET_RUN_LAPS, key).fetchall()
        if not rows:
            return None
        head = rows[0]
        return Run(head["id"], head["event_id"], head["name"],
                   head["started_at"].astimezone(UTC), head["setup_version"],
                   head["confidence"],
                   tuple(Lap(head["id"], r["lap_number"], r["seconds"], r["flag"])
                         for r in rows if r["lap_number"] is not None))

    def add_laps(self, racer_id: str, run_id: str, seconds: list[Decimal],
                 *, request_key: str | None = None) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_RUN, key).fetchone()) is None:
                return None
            if claim(conn, key["racer_id"], request_key):
                done = one(conn, COUNT_LAPS, key)["n"]
                conn.cursor().executemany(INSERT_LAP, [
                    {"run_id": key["run_id"], "lap_number": done + i, "seconds": s}
                    for i, s in enumerate(seconds, start=1)])
                changes = conn.execute(EVENT_CHANGES, row).fetchall()
                if tested := rules.tested_changes(changes, row["setup_version"], len(seconds)):
                    conn.execute(SET_RUN_AFTER, {"run_id": row["id"], "change_ids": tested})
                refresh_figures(conn, row["event_id"])
            return next(runs_with_laps(conn, [row]))

    def delete_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_RUN, key).fetchone()) is None:
                return None
            now = one(conn, DB_NOW)["now"]
            conn.execute(PURGE_LAPS, {**key, "before": rules.purge_before(now)})
            live, _ = _laps_by_state(conn, key)
            if (writes := rules.lap_deletion(live, lap_number)) is not None:
                write_laps(conn, writes)
                refresh_figures(conn, row["event_id"])
            return next(runs_with_laps(conn, [row]))

    def restore_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_RUN, key).fetchone()) is None:
                return None
            now = one(conn, DB_NOW)["now"]
            writes = rules.lap_restoring(*_laps_by_state(conn, key), lap_number, now)
            if writes is None:
                return None
            write_laps(conn, writes)
            conn.execute(PURGE_LAPS, {**key, "before": rules.purge_before(now)})
            refresh_figures(conn, row["event_id"])
            return next(runs_with_laps(conn, [row]))

    def set_lap_flag(self, racer_id: str, run_id: str, lap_number: int, flag: str
                     ) -> Run | None:
        lap_stats.check_manual_flag(flag)
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_RUN, key).fetchone()) is None:
                return None
            if conn.execute(SET_LAP_FLAG, {**key, "lap_number": lap_number,
                                           "flag": flag}).rowcount:
                refresh_figures(conn, row["event_id"])
            return next(runs_with_laps(conn, [row]))

    def set_run_confidence(self, racer_id: str, run_id: str, confidence: int | None
                           ) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            if conn.execute(LOCK_RUN, key).fetchone() is None:
                return None
            conn.execute(SET_CONFIDENCE, {**key, "confidence": confidence})
            return next(runs_with_laps(conn, [one(conn, GET_RUN, key)]))

    def add_event_log(
        self, racer_id: str, event_id: str, kind: str, note: str, *, run_id: str | None = None,
        keywords: str = "", request_key: str | None = None,
    ) -> TrackLog | None:
        key = ids(racer_id=owner(racer_id), event_id=event_id)
        run = ids(run_id=run_id) if run_id else {"run_id": None}
        if key is None or run is None:
            raise LookupError("no such event or run")
        library_rules.check_kind(kind)
        with self._tx() as conn:
            event = conn.execute(EVENT_AND_CAR, key).fetchone()
            if event is None or (run["run_id"] and conn.execute(
                    RUN_IN_EVENT, {**key, **run}).fetchone() is None):
                raise LookupError("no such event or run")
            if not claim(conn, key["racer_id"], request_key):
                return None
            return _log(one(conn, INSERT_EVENT_LOG, {
                **key, **run, "kind": kind, "note": note, "keywords": keywords,
                "track": event["track"], "event": event["name"],
                "car": car_label(event["brand"], event["model"], event["nickname"])}))

    def list_event_logs(self, racer_id: str, event_id: str, *, limit: int = 100
                        ) -> list[TrackLog]:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None or limit <= 0:
            return []
        with self._tx(read=True) as conn:
            rows = conn.execute(LIST_EVENT_LOGS, {**key, "limit": int(limit)}).fetchall()
        return [_log(r) for r in rows]


def _laps_by_state(conn: Conn, key: Mapping[str, Any]
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The run's laps (RUN_LAPS, under the run's lock): the live ones, the deleted ones."""
    laps = conn.execute(RUN_LAPS, key).fetchall()
    return ([r for r in laps if r["deleted_at"] is None],
            [r for r in laps if r["deleted_at"] is not None])
