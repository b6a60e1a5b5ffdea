"""The race day on PostgreSQL: events, their setup and its changes, runs, laps, notes.

``EventMethods`` is a base class of ``PostgresStore``; each method is one
transaction of ``PostgresStore._tx``. Every statement reaches its rows through
``events.profile_id``, so another racer's event, run, change or note id reads as
missing. What a write does is decided by apex.race_rules: a method locks the rows
it reads (``FOR UPDATE``: two phones saving at once are serialised, and the second
sees the first's version), asks the rule, and writes its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import UTC, date
from typing import Any

from psycopg import sql

from apex import race_rules as rules
from apex.car_rules import ARCHIVED
from apex.catalogue import BY_KEY, Value, coerce
from apex.event_setup import as_text, history_records
from apex.models import (
    EVENT_NUMBERS,
    EVENT_TEXTS,
    Audit,
    Event,
    EventRecord,
    EventSetup,
    SetupChange,
    SetupEdit,
)
from apex.paging import EventCursor
from apex.store import DuplicateError
from apex.stores import postgres_params as setup_sql
from apex.stores.postgres_keys import claim, ids, owner
from apex.stores.postgres_params import Conn, one
from apex.stores.postgres_runs import EVENT_RUNS, RUN_COLS, refresh_figures, runs_with_laps

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
AND v.archived_at IS NULL FOR SHARE OF v
RETURNING *) SELECT {_EVENT_COLS} FROM e"""
GET_EVENT = f"""SELECT {_EVENT_COLS} FROM events e
WHERE e.id = %(event_id)s AND e.profile_id = %(racer_id)s"""
# apex.paging: newest first by (start date, created, id), all descending, so that "older
# than the cursor" is one row comparison; each filter is off when its argument is NULL/"".
LIST_EVENTS = f"""SELECT {_EVENT_COLS} FROM events e WHERE e.profile_id = %(racer_id)s
AND (%(active)s::boolean IS NULL OR (e.status = 'active') = %(active)s::boolean)
AND (%(track)s = '' OR lower(e.track) = lower(%(track)s))
AND (%(condition)s = '' OR lower(e.condition) = lower(%(condition)s))
AND (%(before_id)s::uuid IS NULL
     OR (e.start_date, e.created_at, e.id) < (%(before_date)s::date, %(before_at)s::timestamptz,
                                              %(before_id)s::uuid))
ORDER BY e.start_date DESC, e.created_at DESC, e.id DESC LIMIT %(limit)s"""
EVENT_TRACKS = """SELECT DISTINCT ON (lower(e.track)) e.track FROM events e
WHERE e.profile_id = %(racer_id)s AND e.track <> ''
ORDER BY lower(e.track), e.start_date DESC, e.created_at DESC, e.id DESC"""

LOCK_EVENT = GET_EVENT + " FOR UPDATE OF e"
# An archived car's events stay closed (apex.car_rules): restore the car first.
# NOTE: FOR SHARE (here and in INSERT_EVENT) waits for an archive_car holding the car
# (FOR UPDATE) and then reads its new archived_at, so a start or reopen racing an
# archive cannot leave an archived car with an open event.
CAR_ARCHIVED = """SELECT v.archived_at FROM events e JOIN vehicles v ON v.id = e.vehicle_id
WHERE e.id = %(event_id)s FOR SHARE OF v"""
SET_STATUS = f"""WITH e AS (
UPDATE events SET status = %(status)s, end_date = %(end_date)s, updated_at = now()
WHERE id = %(event_id)s RETURNING *) SELECT {_EVENT_COLS} FROM e"""

_AUDIT_COLS = """a.id::text, a.event_id::text, a.rating, a.symptom, a.gain, a.observation,
a.best_lap, a.change_id::text, a.created_at"""
INSERT_AUDIT = """INSERT INTO audits (event_id, rating, symptom, gain, observation, best_lap)
VALUES (%(event_id)s, %(rating)s, %(symptom)s, %(gain)s, %(observation)s, %(best_lap)s)"""
GET_AUDIT = f"""SELECT {_AUDIT_COLS} FROM audits a JOIN events e ON e.id = a.event_id
WHERE a.event_id = %(event_id)s AND e.profile_id = %(racer_id)s
ORDER BY a.created_at DESC, a.id LIMIT 1"""

INSERT_SETUP = sql.SQL("""INSERT INTO event_setups (event_id, temperature_ref, {cols})
VALUES (%(event_id)s, %(temperature_ref)s, {vals})""").format(
    cols=setup_sql.columns(), vals=setup_sql.placeholders())
GET_SETUP = sql.SQL("""SELECT s.event_id::text, s.version, s.updated_at, s.temperature_ref,
s.tyres_fitted_at, {cols}
FROM event_setups s JOIN events e ON e.id = s.event_id
WHERE s.event_id = %(event_id)s AND e.profile_id = %(racer_id)s""").format(
    cols=setup_sql.columns("s"))
LOCK_SETUP = GET_SETUP + sql.SQL(" FOR UPDATE OF s")
UPDATE_SETUP = sql.SQL("""UPDATE event_setups SET {sets}, version = %(version)s,
temperature_ref = COALESCE(%(temperature_ref)s, temperature_ref),
updated_at = now() WHERE event_id = %(event_id)s
RETURNING event_id::text, version, updated_at, temperature_ref, tyres_fitted_at, {cols}""").format(
    sets=setup_sql.assignments(), cols=setup_sql.columns())
FRESH_TYRES = sql.SQL("""UPDATE event_setups s SET tyres_fitted_at = clock_timestamp(),
updated_at = now() FROM events e WHERE e.id = s.event_id AND s.event_id = %(event_id)s
AND e.profile_id = %(racer_id)s
RETURNING s.event_id::text, s.version, s.updated_at, s.temperature_ref, s.tyres_fitted_at,
{cols}""").format(cols=setup_sql.columns("s"))
TESTED_VERSIONS = """SELECT DISTINCT r.setup_version FROM runs r WHERE r.event_id = %(event_id)s
AND EXISTS (SELECT 1 FROM laps l WHERE l.run_id = r.id AND l.deleted_at IS NULL)"""

_CHANGE_COLS = """c.id::text, c.event_id::text, c.parameter, c.old_value, c.new_value, c.source,
c.reason, c.status, c.version, c.run_before::text, c.run_after::text, c.created_at,
c.ask_id, c.pair_id, c.temperature_ref"""
# clock_timestamp(): the changes of one edit keep the order they were made in.
INSERT_CHANGE = f"""WITH c AS (
INSERT INTO setup_changes (event_id, parameter, old_value, new_value, source, reason, status,
version, run_before, created_at)
VALUES (%(event_id)s, %(parameter)s, %(old_value)s, %(new_value)s, %(source)s, %(reason)s,
%(status)s, %(version)s, %(run_before)s, clock_timestamp())
RETURNING *) SELECT {_CHANGE_COLS} FROM c"""
UPDATE_CHANGE = """WITH c AS (UPDATE setup_changes SET {sets}, updated_at = now()
WHERE id = %(change_id)s RETURNING *) SELECT {cols} FROM c"""
LIST_CHANGES = f"""SELECT {_CHANGE_COLS} FROM setup_changes c JOIN events e ON e.id = c.event_id
WHERE c.event_id = %(event_id)s AND e.profile_id = %(racer_id)s
ORDER BY c.created_at, c.version NULLS LAST, c.id"""
LOCK_CHANGE = f"""SELECT {_CHANGE_COLS} FROM setup_changes c JOIN events e ON e.id = c.event_id
WHERE c.id = %(change_id)s AND e.profile_id = %(racer_id)s FOR UPDATE OF c"""
INSERT_PROPOSAL = f"""WITH c AS (
INSERT INTO setup_changes (event_id, parameter, old_value, new_value, source, reason, status,
ask_id, pair_id, temperature_ref)
VALUES (%(event_id)s, %(parameter)s, %(old_value)s, %(new_value)s, 'advisor', %(reason)s,
'pending', %(ask_id)s, %(pair_id)s, %(temperature_ref)s)
RETURNING *) SELECT {_CHANGE_COLS} FROM c"""

# The rows of the events listed (still scoped to the racer): a page reads its events only.
_OF_EVENTS = "e.profile_id = %(racer_id)s AND e.id = ANY(%(event_ids)s::uuid[])"
HISTORY_RUNS = f"""SELECT {RUN_COLS} FROM runs r JOIN events e ON e.id = r.event_id
WHERE {_OF_EVENTS} ORDER BY r.started_at, r.created_at, r.id"""
HISTORY_CHANGES = f"""SELECT {_CHANGE_COLS} FROM setup_changes c JOIN events e ON e.id = c.event_id
WHERE {_OF_EVENTS} ORDER BY c.created_at, c.version NULLS LAST, c.id"""
HISTORY_AUDITS = f"""SELECT DISTINCT ON (a.event_id) {_AUDIT_COLS} FROM audits a
JOIN events e ON e.id = a.event_id WHERE {_OF_EVENTS}
ORDER BY a.event_id, a.created_at DESC, a.id"""

def _listing(racer_id: str, active: bool | None, track: str, condition: str,
             before: EventCursor | None, limit: int | None) -> dict[str, Any] | None:
    """LIST_EVENTS' parameters (None for an id that is no UUID: nothing to list)."""
    if (key := ids(racer_id=racer_id)) is None:
        return None
    return {**key, "active": active, "track": track, "condition": condition,
            "before_date": before and before.start_date, "before_at": before and before.created_at,
            "before_id": before and before.id, "limit": limit}


def _setup(row: Mapping[str, Any]) -> EventSetup:
    fitted = row["tyres_fitted_at"]
    return EventSetup(row["event_id"], row["version"], setup_sql.values(row), row["updated_at"],
                      row["temperature_ref"], fitted and fitted.astimezone(UTC))


def _change(row: Mapping[str, Any]) -> SetupChange:
    return SetupChange(**{**row, "created_at": row["created_at"].astimezone(UTC)})


def _audit(row: Mapping[str, Any]) -> Audit:
    return Audit(**{**row, "created_at": row["created_at"].astimezone(UTC)})


def _update_changes(conn: Conn, updates: Mapping[str, Mapping[str, Any]]) -> list[SetupChange]:
    """Set the columns a rule gave each change (``rules.NOW``: the time of the write)."""
    done = []
    for change_id, cols in updates.items():
        sets = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(c), sql.SQL("clock_timestamp()")
                                      if v is rules.NOW else sql.Placeholder(c))
            for c, v in cols.items())
        query = sql.SQL(UPDATE_CHANGE).format(sets=sets, cols=sql.SQL(_CHANGE_COLS))
        args = {c: v for c, v in cols.items() if v is not rules.NOW}
        done.append(_change(one(conn, query, {**args, "change_id": change_id})))
    return done


def _write(conn: Conn, current: EventSetup, write: rules.SetupWrite
           ) -> tuple[EventSetup, list[SetupChange], list[SetupChange]]:
    """Write what a rule decided: the setup, the new changes, the updated ones."""
    saved = current
    if write.saves:
        saved = _setup(one(conn, UPDATE_SETUP, {
            **setup_sql.params(write.values), "version": write.version,
            "temperature_ref": write.temperature_ref, "event_id": current.event_id}))
    new = [_change(one(conn, INSERT_CHANGE, {**asdict(c), "event_id": current.event_id}))
           for c in write.new]
    updated = _update_changes(conn, write.updates)
    if new or updated:
        refresh_figures(conn, current.event_id)
    return saved, new, updated


class EventMethods:
    """The race-day part of ``PostgresStore`` (a base class of it)."""

    # From PostgresStore: one transaction, and its one-row / all-rows / changed helpers
    # (each None / [] / False when the ids are not ids).
    _tx: Callable[..., AbstractContextManager[Conn]]
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
        fields = {**{f: str(data.get(f) or "") for f in EVENT_TEXTS},
                  **{f: data.get(f) for f in EVENT_NUMBERS},
                  "start_date": data["start_date"], "baseline": str(data.get("baseline") or ""),
                  **key}
        with self._tx() as conn:
            if not claim(conn, key["racer_id"], request_key):
                return None
            row = conn.execute(INSERT_EVENT, fields).fetchone()
            if row is None:
                raise LookupError("no such car")
            conn.execute(INSERT_SETUP, {**setup_sql.params(values), "event_id": row["id"],
                                        "temperature_ref": row["temperature"]})
        return Event(**row)

    def get_event(self, racer_id: str, event_id: str) -> Event | None:
        return self._one(GET_EVENT, ids(racer_id=racer_id, event_id=event_id), Event)

    def list_events(self, racer_id: str, *, active: bool | None = None, track: str = "",
                    condition: str = "", before: EventCursor | None = None,
                    limit: int | None = None) -> list[Event]:
        return self._all(LIST_EVENTS, _listing(racer_id, active, track, condition, before,
                                               limit), Event)

    def event_tracks(self, racer_id: str) -> list[str]:
        found = self._all(EVENT_TRACKS, ids(racer_id=racer_id), lambda track: track)
        return sorted(found, key=str.casefold)

    def close_event(self, racer_id: str, event_id: str, end_date: date,
                    audit: Mapping[str, Any] | None = None) -> Event | None:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_EVENT, key).fetchone()) is None:
                return None
            closing = rules.close(row["status"], row["start_date"], end_date)
            if closing is None:
                return Event(**row)
            row = one(conn, SET_STATUS, {**key, "status": "closed",
                                         "end_date": closing.end_date})
            if audit is not None:
                conn.execute(INSERT_AUDIT, {**rules.audit_fields(audit), **key})
        return Event(**row)

    def reopen_event(self, racer_id: str, event_id: str) -> Event | None:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_EVENT, key).fetchone()) is None:
                return None
            if rules.reopen(row["status"]):
                car = conn.execute(CAR_ARCHIVED, key).fetchone()
                if car is not None and car["archived_at"] is not None:
                    raise DuplicateError("car_id", ARCHIVED)
                row = one(conn, SET_STATUS, {**key, "status": "active", "end_date": None})
        return Event(**row)

    def get_audit(self, racer_id: str, event_id: str) -> Audit | None:
        return self._one(GET_AUDIT, ids(racer_id=racer_id, event_id=event_id),
                         lambda **row: _audit(row))

    def event_history(self, racer_id: str, *, active: bool | None = None, track: str = "",
                      condition: str = "", before: EventCursor | None = None,
                      limit: int | None = None) -> list[EventRecord]:
        if (listing := _listing(racer_id, active, track, condition, before, limit)) is None:
            return []
        with self._tx(read=True) as conn:
            events = [Event(**r) for r in conn.execute(LIST_EVENTS, listing).fetchall()]
            key = {"racer_id": listing["racer_id"], "event_ids": [e.id for e in events]}
            runs = list(runs_with_laps(conn, conn.execute(HISTORY_RUNS, key).fetchall()))
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
            if (row := conn.execute(LOCK_SETUP, key).fetchone()) is None:
                return None
            current = _setup(row)
            write = rules.edit(current, values, source=source, reason=reason,
                               runs=conn.execute(EVENT_RUNS, key).fetchall(),
                               expected_version=version)
            saved, new, _ = _write(conn, current, write)
        return SetupEdit(saved, new)

    def list_changes(self, racer_id: str, event_id: str) -> list[SetupChange]:
        return self._all(LIST_CHANGES, ids(racer_id=racer_id, event_id=event_id),
                         lambda **row: _change(row))

    def _decide(self, racer_id: str, change_id: str,
                rule: Callable[[SetupChange, EventSetup, Sequence[Mapping[str, Any]],
                                Sequence[SetupChange], set[int]], rules.SetupWrite | None]
                ) -> tuple[EventSetup, list[SetupChange], list[SetupChange]] | None:
        """Lock the racer's change and its event setup, ask ``rule`` (given the event's
        runs, changes and tested setup versions), write its answer."""
        if (key := ids(racer_id=racer_id, change_id=change_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_CHANGE, key).fetchone()) is None:
                return None
            event = {"racer_id": key["racer_id"], "event_id": row["event_id"]}
            current = _setup(one(conn, LOCK_SETUP, event))
            changes = [_change(r) for r in conn.execute(LIST_CHANGES, event).fetchall()]
            tested = {r["setup_version"] for r in conn.execute(TESTED_VERSIONS, event)}
            write = rule(_change(row), current, conn.execute(EVENT_RUNS, event).fetchall(),
                         changes, tested)
            return None if write is None else _write(conn, current, write)

    def revert_change(self, racer_id: str, change_id: str) -> SetupEdit | None:
        done = self._decide(racer_id, change_id,
                            lambda c, setup, runs, changes, _t: rules.undo(c, setup, runs, changes))
        return None if done is None else SetupEdit(done[0], done[1])

    def propose_change(self, racer_id: str, event_id: str, parameter: str, value: Value,
                       reason: str, *, request_key: str | None = None, ask_id: str = "",
                       pair_id: str = "", temperature_ref: int | None = None
                       ) -> SetupChange | None:
        param = BY_KEY[parameter]
        if (key := ids(racer_id=owner(racer_id), event_id=event_id)) is None:
            raise LookupError("no such event")
        with self._tx() as conn:
            row = conn.execute(GET_SETUP, key).fetchone()
            if row is None:
                raise LookupError("no such event")
            if not claim(conn, key["racer_id"], request_key):
                return None
            return _change(one(conn, INSERT_PROPOSAL, {
                "event_id": key["event_id"], "parameter": parameter, "reason": reason,
                "ask_id": ask_id, "pair_id": pair_id, "temperature_ref": temperature_ref,
                "old_value": as_text(parameter, row[parameter]),
                "new_value": as_text(parameter, coerce(param, value))}))

    def accept_proposal(self, racer_id: str, change_id: str, *, bundle: bool = False
                        ) -> SetupEdit | None:
        done = self._decide(racer_id, change_id, lambda c, setup, runs, changes, tested: (
            rules.accept(c, setup, runs, changes, tested, bundle=bundle)))
        # The accepted change(s), not the ask's others it superseded.
        return None if done is None else SetupEdit(
            done[0], [c for c in done[2] if c.status == "accepted"])

    def deny_proposal(self, racer_id: str, change_id: str) -> SetupChange | None:
        if (key := ids(racer_id=racer_id, change_id=change_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_CHANGE, key).fetchone()) is None:
                return None
            event = {"racer_id": key["racer_id"], "event_id": row["event_id"]}
            changes = [_change(r) for r in conn.execute(LIST_CHANGES, event).fetchall()]
            if (updates := rules.deny(_change(row), changes)) is None:
                return None
            denied = _update_changes(conn, updates)[0]
            refresh_figures(conn, row["event_id"])
            return denied

    def fresh_tyres(self, racer_id: str, event_id: str) -> EventSetup | None:
        return self._one(FRESH_TYRES, ids(racer_id=racer_id, event_id=event_id),
                         lambda **row: _setup(row))
