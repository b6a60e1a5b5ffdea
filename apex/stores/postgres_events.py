"""The race day on PostgreSQL: events, their setup and its changes, runs, laps, notes.

``EventMethods`` is a base class of ``PostgresStore``; each method is one
transaction of ``PostgresStore._tx``. Every statement reaches its rows through
``events.profile_id``, so another racer's event, run, change or note id reads as
missing. An event setup edit locks the setup row (``FOR UPDATE``) before it
compares versions, so two phones saving at once are serialised and the second
sees the first's version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, date
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from apex.catalogue import BY_KEY, PARAM_KEYS, PARAMS, Value, coerce
from apex.event_setup import as_text, edit_changes, history_records
from apex.models import (
    EVENT_NUMBERS,
    EVENT_TEXTS,
    Audit,
    Event,
    EventRecord,
    EventSetup,
    Lap,
    Run,
    SetupChange,
    SetupEdit,
    TrackLog,
)
from apex.store import StaleSetupError
from apex.stores import library_rules as rules
from apex.stores.postgres_keys import claim, ids, owner

_PARAMS = [sql.Identifier(k) for k in PARAM_KEYS]

_EVENT_COLS = """e.id::text, e.profile_id::text AS racer_id, e.vehicle_id::text AS car_id,
e.name, e.type, e.start_date, e.end_date, e.track, e.track_size, e.traction, e.surface,
e.condition, e.temperature, e.practice_rounds, e.qualifying_rounds, e.status, e.baseline,
e.created_at"""
INSERT_EVENT = f"""WITH e AS (
INSERT INTO events (profile_id, vehicle_id, name, type, start_date, track, track_size, traction,
surface, condition, temperature, practice_rounds, qualifying_rounds, baseline)
SELECT v.profile_id, v.id, %(name)s, %(type)s, %(start_date)s, %(track)s, %(track_size)s,
%(traction)s, %(surface)s, %(condition)s, %(temperature)s, %(practice_rounds)s,
%(qualifying_rounds)s, %(baseline)s
FROM vehicles v WHERE v.id = %(car_id)s AND v.profile_id = %(racer_id)s
RETURNING *) SELECT {_EVENT_COLS} FROM e"""
GET_EVENT = f"""SELECT {_EVENT_COLS} FROM events e
WHERE e.id = %(event_id)s AND e.profile_id = %(racer_id)s"""
LIST_EVENTS = f"""SELECT {_EVENT_COLS} FROM events e WHERE e.profile_id = %(racer_id)s
ORDER BY e.start_date DESC, e.created_at DESC, e.id"""

CLOSE_EVENT = f"""WITH e AS (
UPDATE events SET status = 'closed', end_date = greatest(%(end_date)s, start_date),
updated_at = now() WHERE id = %(event_id)s AND profile_id = %(racer_id)s AND status = 'active'
RETURNING *) SELECT {_EVENT_COLS} FROM e"""

REOPEN_EVENT = f"""WITH e AS (
UPDATE events SET status = 'active', end_date = NULL, updated_at = now()
WHERE id = %(event_id)s AND profile_id = %(racer_id)s AND status = 'closed'
RETURNING *) SELECT {_EVENT_COLS} FROM e"""

_AUDIT_COLS = """a.id::text, a.event_id::text, a.rating, a.symptom, a.gain, a.observation,
a.best_lap, a.change_id::text, a.created_at"""
INSERT_AUDIT = f"""WITH a AS (
INSERT INTO audits (event_id, rating, symptom, gain, observation, best_lap)
VALUES (%(event_id)s, %(rating)s, %(symptom)s, %(gain)s, %(observation)s, %(best_lap)s)
RETURNING *) SELECT {_AUDIT_COLS} FROM a"""
# The audit's verdict for every accepted change the laps have not been judged by yet.
SET_VERDICTS = """UPDATE setup_changes SET verdict = %(verdict)s, updated_at = now()
WHERE event_id = %(event_id)s AND status = 'accepted' AND verdict = ''"""
GET_AUDIT = f"""SELECT {_AUDIT_COLS} FROM audits a JOIN events e ON e.id = a.event_id
WHERE a.event_id = %(event_id)s AND e.profile_id = %(racer_id)s
ORDER BY a.created_at DESC, a.id LIMIT 1"""
INSERT_SETUP = sql.SQL("""INSERT INTO event_setups (event_id, {cols}) VALUES (%(event_id)s, {vals})
""").format(cols=sql.SQL(", ").join(_PARAMS),
            vals=sql.SQL(", ").join(sql.Placeholder(f"p_{i}") for i in range(len(PARAMS))))
_SETUP_SELECT = sql.SQL("""SELECT s.event_id::text, s.version, s.updated_at, {cols}
FROM event_setups s JOIN events e ON e.id = s.event_id
WHERE s.event_id = %(event_id)s AND e.profile_id = %(racer_id)s""").format(
    cols=sql.SQL(", ").join(sql.SQL("s.{}").format(i) for i in _PARAMS))
GET_SETUP = _SETUP_SELECT
LOCK_SETUP = _SETUP_SELECT + sql.SQL(" FOR UPDATE OF s")
UPDATE_SETUP = sql.SQL("""UPDATE event_setups SET {sets}, version = version + 1, updated_at = now()
WHERE event_id = %(event_id)s RETURNING event_id::text, version, updated_at, {cols}""").format(
    sets=sql.SQL(", ").join(sql.SQL("{} = {}").format(i, sql.Placeholder(f"p_{n}"))
                            for n, i in enumerate(_PARAMS)),
    cols=sql.SQL(", ").join(_PARAMS))

_CHANGE_COLS = """c.id::text, c.event_id::text, c.parameter, c.old_value, c.new_value, c.source,
c.reason, c.status, c.version, c.run_before::text, c.run_after::text, c.verdict, c.created_at"""
INSERT_CHANGE = f"""WITH c AS (
INSERT INTO setup_changes (event_id, parameter, old_value, new_value, source, reason, version,
created_at, run_before)
VALUES (%(event_id)s, %(parameter)s, %(old_value)s, %(new_value)s, %(source)s, %(reason)s,
%(version)s, clock_timestamp(), (SELECT id FROM runs WHERE event_id = %(event_id)s
              ORDER BY started_at DESC, created_at DESC LIMIT 1))
RETURNING *) SELECT {_CHANGE_COLS} FROM c"""
# clock_timestamp(): the changes of one edit keep the order they were made in.
LIST_CHANGES = f"""SELECT {_CHANGE_COLS} FROM setup_changes c JOIN events e ON e.id = c.event_id
WHERE c.event_id = %(event_id)s AND e.profile_id = %(racer_id)s
ORDER BY c.created_at, c.version NULLS LAST, c.id"""
LOCK_CHANGE = f"""SELECT {_CHANGE_COLS} FROM setup_changes c JOIN events e ON e.id = c.event_id
WHERE c.id = %(change_id)s AND e.profile_id = %(racer_id)s FOR UPDATE OF c"""
MARK_REVERTED = """UPDATE setup_changes SET status = 'reverted', updated_at = now()
WHERE id = %(change_id)s"""

INSERT_PROPOSAL = f"""WITH c AS (
INSERT INTO setup_changes (event_id, parameter, old_value, new_value, source, reason, status)
VALUES (%(event_id)s, %(parameter)s, %(old_value)s, %(new_value)s, 'advisor', %(reason)s,
'pending') RETURNING *) SELECT {_CHANGE_COLS} FROM c"""
# An accepted proposal is the change itself: made now, from the value the setup had.
ACCEPT_PROPOSAL = f"""WITH c AS (
UPDATE setup_changes SET status = 'accepted', old_value = %(old_value)s, version = %(version)s,
created_at = clock_timestamp(), updated_at = now(),
run_before = (SELECT id FROM runs WHERE event_id = %(event_id)s
              ORDER BY started_at DESC, created_at DESC LIMIT 1)
WHERE id = %(change_id)s RETURNING *) SELECT {_CHANGE_COLS} FROM c"""
DENY_PROPOSAL = f"""WITH c AS (
UPDATE setup_changes SET status = 'denied', updated_at = now()
WHERE id = %(change_id)s AND status = 'pending' AND event_id IN (
    SELECT id FROM events WHERE profile_id = %(racer_id)s)
RETURNING *) SELECT {_CHANGE_COLS} FROM c"""
UPDATE_ONE_PARAM = """UPDATE event_setups SET {param} = %(value)s, version = version + 1,
updated_at = now() WHERE event_id = %(event_id)s RETURNING version"""

_RUN_COLS = """r.id::text, r.event_id::text, r.name, r.started_at, r.setup_version, r.confidence"""
INSERT_RUN = f"""WITH r AS (
INSERT INTO runs (event_id, name, setup_version)
SELECT s.event_id, %(name)s, s.version FROM event_setups s WHERE s.event_id = %(event_id)s
RETURNING *) SELECT {_RUN_COLS} FROM r"""
# Accepted changes waiting for their first run after them get this one.
# A run's first laps test the accepted changes its setup version already had and that
# were waiting for a run: it becomes their "run after" (a run without laps tests nothing).
SET_RUN_AFTER = """UPDATE setup_changes SET run_after = %(run_id)s, updated_at = now()
WHERE event_id = %(event_id)s AND run_after IS NULL AND status = 'accepted'
AND version IS NOT NULL AND version <= %(setup_version)s"""
LIST_RUNS = f"""SELECT {_RUN_COLS} FROM runs r JOIN events e ON e.id = r.event_id
WHERE r.event_id = %(event_id)s AND e.profile_id = %(racer_id)s
ORDER BY r.started_at, r.created_at, r.id"""
GET_RUN = f"""SELECT {_RUN_COLS} FROM runs r JOIN events e ON e.id = r.event_id
WHERE r.id = %(run_id)s AND e.profile_id = %(racer_id)s"""
LOCK_RUN = GET_RUN + " FOR UPDATE OF r"
HISTORY_RUNS = f"""SELECT {_RUN_COLS} FROM runs r JOIN events e ON e.id = r.event_id
WHERE e.profile_id = %(racer_id)s ORDER BY r.started_at, r.created_at, r.id"""
HISTORY_CHANGES = f"""SELECT {_CHANGE_COLS} FROM setup_changes c JOIN events e ON e.id = c.event_id
WHERE e.profile_id = %(racer_id)s ORDER BY c.created_at, c.version NULLS LAST, c.id"""
HISTORY_AUDITS = f"""SELECT DISTINCT ON (a.event_id) {_AUDIT_COLS} FROM audits a
JOIN events e ON e.id = a.event_id WHERE e.profile_id = %(racer_id)s
ORDER BY a.event_id, a.created_at DESC, a.id"""

LIST_LAPS = """SELECT run_id::text, lap_number, seconds FROM laps
WHERE run_id = ANY(%(run_ids)s::uuid[]) ORDER BY run_id, lap_number"""
INSERT_LAP = """INSERT INTO laps (run_id, lap_number, seconds)
VALUES (%(run_id)s, %(lap_number)s, %(seconds)s)"""
DELETE_LAP = "DELETE FROM laps WHERE run_id = %(run_id)s AND lap_number = %(lap_number)s"
RENUMBER_LAPS = """UPDATE laps SET lap_number = lap_number - 1
WHERE run_id = %(run_id)s AND lap_number > %(lap_number)s"""
SET_CONFIDENCE = """UPDATE runs SET confidence = %(confidence)s, updated_at = now()
WHERE id = %(run_id)s"""

_LOG_COLS = """l.id::text, l.profile_id::text AS racer_id, l."timestamp", l.kind, l.note,
l.track, l.car, l.event, l.keywords, l.event_id::text, l.run_id::text"""
INSERT_EVENT_LOG = f"""WITH l AS (
INSERT INTO track_logs (profile_id, kind, note, track, car, event, keywords, event_id, run_id)
SELECT e.profile_id, %(kind)s, %(note)s, e.track,
trim(v.brand || ' ' || v.model || CASE WHEN v.nickname <> '' THEN ' “' || v.nickname || '”'
ELSE '' END), e.name, %(keywords)s, e.id, %(run_id)s
FROM events e JOIN vehicles v ON v.id = e.vehicle_id
WHERE e.id = %(event_id)s AND e.profile_id = %(racer_id)s
RETURNING *) SELECT {_LOG_COLS} FROM l"""
RUN_IN_EVENT = "SELECT 1 FROM runs WHERE id = %(run_id)s AND event_id = %(event_id)s"
LIST_EVENT_LOGS = f"""SELECT {_LOG_COLS} FROM track_logs l
WHERE l.event_id = %(event_id)s AND l.profile_id = %(racer_id)s
ORDER BY l."timestamp" DESC, l.created_at DESC, l.id DESC LIMIT %(limit)s"""
DELETE_TRACK_LOG = "DELETE FROM track_logs WHERE id = %(log_id)s AND profile_id = %(racer_id)s"


def _params(values: Mapping[str, Value]) -> dict[str, Value]:
    return {f"p_{i}": coerce(p, values.get(p.key)) for i, p in enumerate(PARAMS)}


def _setup(row: Mapping[str, Any]) -> EventSetup:
    return EventSetup(row["event_id"], row["version"],
                      {p.key: coerce(p, row[p.key]) for p in PARAMS}, row["updated_at"])


def _change(row: Mapping[str, Any]) -> SetupChange:
    return SetupChange(**{**row, "created_at": row["created_at"].astimezone(UTC)})


def _audit(row: Mapping[str, Any]) -> Audit:
    return Audit(**{**row, "created_at": row["created_at"].astimezone(UTC)})


def _audit_params(audit: Mapping[str, Any]) -> dict[str, Any]:
    return {"rating": int(audit["rating"]), "best_lap": audit.get("best_lap"),
            **{f: str(audit.get(f) or "") for f in ("symptom", "gain", "observation")}}


def _log(row: Mapping[str, Any]) -> TrackLog:
    return TrackLog(**{**row, "timestamp": row["timestamp"].astimezone(UTC)})


def _runs(conn: psycopg.Connection, rows: list[Mapping[str, Any]]) -> Iterator[Run]:
    """Runs with their laps (one query for every run's laps)."""
    laps: dict[str, list[Lap]] = {r["id"]: [] for r in rows}
    if rows:
        for lap in conn.execute(LIST_LAPS, {"run_ids": list(laps)}).fetchall():
            laps[lap["run_id"]].append(Lap(**lap))
    for row in rows:
        yield _run(row, laps[row["id"]])


def _run(row: Mapping[str, Any], laps: list[Lap] | tuple = ()) -> Run:
    """Times in UTC, as the CSV store hands them out."""
    return Run(**{**row, "started_at": row["started_at"].astimezone(UTC)}, laps=tuple(laps))


def _change_and_setup(conn: psycopg.Connection, key: dict[str, str], status: str,
                      *, holding: str) -> tuple[SetupChange, dict[str, str], EventSetup] | None:
    """The racer's change in ``status`` and its event setup, both locked, when the setup
    still holds the change's ``holding`` value ("old_value" or "new_value"); else None."""
    row = conn.execute(LOCK_CHANGE, key).fetchone()
    if row is None or row["status"] != status or row["parameter"] not in BY_KEY:
        return None
    change = _change(row)
    setup_key = {"racer_id": key["racer_id"], "event_id": change.event_id}
    current = _setup(conn.execute(LOCK_SETUP, setup_key).fetchone())
    if as_text(change.parameter, current.values[change.parameter]) != getattr(change, holding):
        return None
    return change, setup_key, current


def _edit(conn: psycopg.Connection, key: dict[str, str], current: EventSetup,
          values: Mapping[str, Value], source: str, reason: str) -> SetupEdit:
    """Save the changed parameters of a locked setup and record them, one row each."""
    changes = edit_changes(current.values, values)
    if not changes:
        return SetupEdit(current, [])
    merged = {**current.values, **{c.key: c.after for c in changes}}
    saved = _setup(conn.execute(UPDATE_SETUP, {**_params(merged), **key}).fetchone())
    recorded = [
        _change(conn.execute(INSERT_CHANGE, {
            "event_id": key["event_id"], "parameter": c.key,
            "old_value": as_text(c.key, c.before), "new_value": as_text(c.key, c.after),
            "source": source, "reason": reason, "version": saved.version,
        }).fetchone())
        for c in changes
    ]
    return SetupEdit(saved, recorded)


class EventMethods:
    """The race-day part of ``PostgresStore`` (a base class of it)."""

    # From PostgresStore: one transaction, and its one-row / all-rows / changed helpers
    # (each None / [] / False when the ids are not ids).
    _tx: Callable[[], AbstractContextManager[psycopg.Connection]]
    _one: Callable[..., Any]
    _all: Callable[..., list]
    _changed: Callable[..., bool]

    def start_event(
        self, racer_id: str, data: Mapping[str, Any], values: Mapping[str, Value],
        *, request_key: str | None = None,
    ) -> Event | None:
        key = ids(racer_id=owner(racer_id), car_id=data.get("car_id"))
        if key is None:
            raise LookupError("no such car")
        params = {**{f: str(data.get(f) or "") for f in EVENT_TEXTS},
                  **{f: data.get(f) for f in EVENT_NUMBERS},
                  "start_date": data["start_date"], "baseline": str(data.get("baseline") or ""),
                  **key}
        with self._tx() as conn:
            if not claim(conn, key["racer_id"], request_key):
                return None
            row = conn.execute(INSERT_EVENT, params).fetchone()
            if row is None:
                raise LookupError("no such car")
            conn.execute(INSERT_SETUP, {**_params(values), "event_id": row["id"]})
        return Event(**row)

    def get_event(self, racer_id: str, event_id: str) -> Event | None:
        return self._one(GET_EVENT, ids(racer_id=racer_id, event_id=event_id), Event)

    def list_events(self, racer_id: str) -> list[Event]:
        return self._all(LIST_EVENTS, ids(racer_id=racer_id), Event)

    def close_event(self, racer_id: str, event_id: str, end_date: date,
                    audit: Mapping[str, Any] | None = None) -> Event | None:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(CLOSE_EVENT, {**key, "end_date": end_date}).fetchone()
            if row is not None and audit is not None:
                saved = _audit(conn.execute(INSERT_AUDIT, {**_audit_params(audit),
                                                           "event_id": key["event_id"]}
                                            ).fetchone())
                conn.execute(SET_VERDICTS, {"event_id": key["event_id"],
                                            "verdict": saved.verdict})
            row = row or conn.execute(GET_EVENT, key).fetchone()
        return Event(**row) if row else None

    def reopen_event(self, racer_id: str, event_id: str) -> Event | None:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(REOPEN_EVENT, key).fetchone()
            row = row or conn.execute(GET_EVENT, key).fetchone()
        return Event(**row) if row else None

    def get_audit(self, racer_id: str, event_id: str) -> Audit | None:
        return self._one(GET_AUDIT, ids(racer_id=racer_id, event_id=event_id),
                         lambda **row: _audit(row))

    def event_history(self, racer_id: str) -> list[EventRecord]:
        if (key := ids(racer_id=racer_id)) is None:
            return []
        with self._tx() as conn:
            events = [Event(**r) for r in conn.execute(LIST_EVENTS, key).fetchall()]
            runs = list(_runs(conn, conn.execute(HISTORY_RUNS, key).fetchall()))
            changes = [_change(r) for r in conn.execute(HISTORY_CHANGES, key).fetchall()]
            audits = {r["event_id"]: _audit(r)
                      for r in conn.execute(HISTORY_AUDITS, key).fetchall()}
        return history_records(events, runs, changes, audits)

    def get_event_setup(self, racer_id: str, event_id: str) -> EventSetup | None:
        return self._one(GET_SETUP, ids(racer_id=racer_id, event_id=event_id),
                         lambda **row: _setup(row))

    def edit_event_setup(
        self, racer_id: str, event_id: str, values: Mapping[str, Value], *, source: str,
        reason: str = "", version: int | None = None,
    ) -> SetupEdit | None:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(LOCK_SETUP, key).fetchone()
            if row is None:
                return None
            current = _setup(row)
            if version is not None and version != current.version:
                raise StaleSetupError(current)
            return _edit(conn, key, current, values, source, reason)

    def list_changes(self, racer_id: str, event_id: str) -> list[SetupChange]:
        return self._all(LIST_CHANGES, ids(racer_id=racer_id, event_id=event_id),
                         lambda **row: _change(row))

    def revert_change(self, racer_id: str, change_id: str) -> SetupEdit | None:
        if (key := ids(racer_id=racer_id, change_id=change_id)) is None:
            return None
        with self._tx() as conn:
            # The parameter must still hold the new value: else a later change would go too.
            found = _change_and_setup(conn, key, "accepted", holding="new_value")
            if found is None:
                return None
            change, setup_key, current = found
            old = coerce(BY_KEY[change.parameter], change.old_value)
            edit = _edit(conn, setup_key, current, {change.parameter: old}, change.source,
                         f"Undo: back to {change.old_value or 'unset'}")
            conn.execute(MARK_REVERTED, key)
        return edit

    def propose_change(self, racer_id: str, event_id: str, parameter: str, value: Value,
                       reason: str, *, request_key: str | None = None) -> SetupChange | None:
        param = BY_KEY[parameter]
        if (key := ids(racer_id=owner(racer_id), event_id=event_id)) is None:
            raise LookupError("no such event")
        with self._tx() as conn:
            row = conn.execute(GET_SETUP, key).fetchone()
            if row is None:
                raise LookupError("no such event")
            if not claim(conn, key["racer_id"], request_key):
                return None
            return _change(conn.execute(INSERT_PROPOSAL, {
                "event_id": key["event_id"], "parameter": parameter, "reason": reason,
                "old_value": as_text(parameter, row[parameter]),
                "new_value": as_text(parameter, coerce(param, value))}).fetchone())

    def accept_proposal(self, racer_id: str, change_id: str) -> SetupEdit | None:
        if (key := ids(racer_id=racer_id, change_id=change_id)) is None:
            return None
        with self._tx() as conn:
            # The parameter must still hold the value it was proposed from.
            found = _change_and_setup(conn, key, "pending", holding="old_value")
            if found is None:
                return None
            proposal, setup_key, current = found
            param = BY_KEY[proposal.parameter]
            value = coerce(param, proposal.new_value)
            update = sql.SQL(UPDATE_ONE_PARAM).format(param=sql.Identifier(param.key))
            version = conn.execute(update, {"value": value, "event_id": proposal.event_id}
                                   ).fetchone()["version"]
            accepted = _change(conn.execute(ACCEPT_PROPOSAL, {
                "change_id": key["change_id"], "event_id": proposal.event_id,
                "version": version,
                "old_value": as_text(param.key, current.values[param.key])}).fetchone())
            saved = _setup(conn.execute(GET_SETUP, setup_key).fetchone())
        return SetupEdit(saved, [accepted])

    def deny_proposal(self, racer_id: str, change_id: str) -> SetupChange | None:
        return self._one(DENY_PROPOSAL, ids(racer_id=racer_id, change_id=change_id),
                         lambda **row: _change(row))

    def add_run(self, racer_id: str, event_id: str, name: str,
                *, request_key: str | None = None) -> Run | None:
        if (key := ids(racer_id=owner(racer_id), event_id=event_id)) is None:
            raise LookupError("no such event")
        with self._tx() as conn:
            if conn.execute(GET_EVENT, key).fetchone() is None:
                raise LookupError("no such event")
            if not claim(conn, key["racer_id"], request_key):
                return None
            row = conn.execute(INSERT_RUN, {**key, "name": name}).fetchone()
        return _run(row)

    def list_runs(self, racer_id: str, event_id: str) -> list[Run]:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return []
        with self._tx() as conn:
            return list(_runs(conn, conn.execute(LIST_RUNS, key).fetchall()))

    def get_run(self, racer_id: str, run_id: str) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(GET_RUN, key).fetchone()
            return next(_runs(conn, [row])) if row else None

    def add_laps(self, racer_id: str, run_id: str, seconds: list[Decimal],
                 *, request_key: str | None = None) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(LOCK_RUN, key).fetchone()
            if row is None:
                return None
            if claim(conn, key["racer_id"], request_key):
                done = conn.execute("SELECT count(*) AS n FROM laps WHERE run_id = %(run_id)s",
                                    key).fetchone()["n"]
                conn.cursor().executemany(INSERT_LAP, [
                    {"run_id": key["run_id"], "lap_number": done + i, "seconds": s}
                    for i, s in enumerate(seconds, start=1)])
                if seconds:
                    conn.execute(SET_RUN_AFTER, {"run_id": row["id"], "event_id": row["event_id"],
                                                 "setup_version": row["setup_version"]})
            return next(_runs(conn, [row]))

    def delete_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(LOCK_RUN, key).fetchone()
            if row is None:
                return None
            lap = {"run_id": key["run_id"], "lap_number": lap_number}
            if conn.execute(DELETE_LAP, lap).rowcount:
                conn.execute(RENUMBER_LAPS, lap)
            return next(_runs(conn, [row]))

    def set_run_confidence(self, racer_id: str, run_id: str, confidence: int | None
                           ) -> Run | None:
        if (key := ids(racer_id=racer_id, run_id=run_id)) is None:
            return None
        with self._tx() as conn:
            if conn.execute(LOCK_RUN, key).fetchone() is None:
                return None
            conn.execute(SET_CONFIDENCE, {**key, "confidence": confidence})
            row = conn.execute(GET_RUN, key).fetchone()
            return next(_runs(conn, [row]))

    def add_event_log(
        self, racer_id: str, event_id: str, kind: str, note: str, *, run_id: str | None = None,
        keywords: str = "", request_key: str | None = None,
    ) -> TrackLog | None:
        key = ids(racer_id=owner(racer_id), event_id=event_id)
        run = ids(run_id=run_id) if run_id else {"run_id": None}
        if key is None or run is None:
            raise LookupError("no such event or run")
        rules.check_kind(kind)
        with self._tx() as conn:
            if conn.execute(GET_EVENT, key).fetchone() is None or (
                    run["run_id"] and conn.execute(RUN_IN_EVENT, {**key, **run}).fetchone()
                    is None):
                raise LookupError("no such event or run")
            if not claim(conn, key["racer_id"], request_key):
                return None
            params = {**key, **run, "kind": kind, "note": note, "keywords": keywords}
            return _log(conn.execute(INSERT_EVENT_LOG, params).fetchone())

    def list_event_logs(self, racer_id: str, event_id: str, *, limit: int = 100
                        ) -> list[TrackLog]:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None or limit <= 0:
            return []
        with self._tx() as conn:
            rows = conn.execute(LIST_EVENT_LOGS, {**key, "limit": int(limit)}).fetchall()
        return [_log(r) for r in rows]

    def delete_track_log(self, racer_id: str, log_id: str) -> bool:
        return self._changed(DELETE_TRACK_LOG, ids(racer_id=racer_id, log_id=log_id))
