"""The race day on CSV files: events, their setup and its changes (runs, laps and
notes are apex.stores.csv_runs).

``EventMethods`` is a base class of ``CsvStore``; each method is one transaction
(the store's lock held), reaching rows through ``RaceRows`` (another racer's ids,
and orphans, read as missing). What a write does is decided by apex.race_rules: a
method reads, asks the rule and writes its answer; a write that touches two tables
goes through ``CsvTables.write_all`` (every temp file written before the first
rename).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from apex import race_rules as rules
from apex.car_rules import ARCHIVED
from apex.catalogue import BY_KEY, PARAM_KEYS, Value, coerce
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
from apex.paging import EventCursor, at_place, newest_track_names, page_of
from apex.store import DuplicateError
from apex.stores import library_rules
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_runs import RaceRows, now_row, run_order, run_with_laps
from apex.tables import canonical

_EVENT_FIELDS = ("name", "type", "start_date", "end_date", "track", "track_size", "traction",
                 "surface", "condition", "temperature", "practice_rounds", "qualifying_rounds",
                 "status", "baseline", "created_at")
_CHANGE_FIELDS = ("id", "event_id", "parameter", "old_value", "new_value", "source", "reason",
                  "status", "version", "run_before", "run_after", "created_at",
                  "ask_id", "pair_id", "temperature_ref")


def _event(row: Row) -> Event:
    return Event(row["id"], row["profile_id"], row["vehicle_id"],
                 **{f: row[f] for f in _EVENT_FIELDS})


def _setup(row: Row) -> EventSetup:
    return EventSetup(row["event_id"], row["version"], {k: row[k] for k in PARAM_KEYS},
                      row["updated_at"], row.get("temperature_ref"), row.get("tyres_fitted_at"))


def _change(row: Row) -> SetupChange:
    return SetupChange(**{f: row[f] for f in _CHANGE_FIELDS})


def _change_order(row: Row) -> tuple:
    return (row["created_at"], row["version"] is None, row["version"] or 0, row["id"])


_AUDIT_FIELDS = ("id", "event_id", "rating", "symptom", "gain", "observation", "best_lap",
                 "change_id", "created_at")


def _audit(row: Row) -> Audit:
    return Audit(**{f: row[f] for f in _AUDIT_FIELDS})


def _audit_row(event_id: str, audit: Mapping[str, Any]) -> Row:
    fields = rules.audit_fields(audit)
    return {"id": str(uuid.uuid4()), "event_id": event_id, "change_id": None, **fields,
            "best_lap": canonical("audits", "best_lap", fields["best_lap"]),
            "created_at": datetime.now(UTC)}


class EventMethods(RaceRows):
    """Events, their setup and its changes: part of ``CsvStore`` (a base class of it)."""

    # -- events ----------------------------------------------------------------

    @locked
    def start_event(
        self, racer_id: str, data: Mapping[str, Any], values: Mapping[str, Value],
        *, request_key: str | None = None,
    ) -> Event | None:
        """The setup first, then the event: a crash between leaves an ignored orphan."""
        profile = self._racer(racer_id)
        car = self._tables.first("vehicles", id=str(data.get("car_id")), profile_id=racer_id)
        if car is None or car.get("archived_at") is not None:  # apex.car_rules: in use only
            raise LookupError("no such car")
        if self._key_used(profile, request_key):
            return None
        if any(r["vehicle_id"] == car["id"] and r["status"] == "active"
               for r in self._tables.read("events")):
            raise DuplicateError("car_id", library_rules.EVENT_OPEN)
        event = now_row(
            profile_id=racer_id, vehicle_id=car["id"],
            **{f: str(data.get(f) or "") for f in EVENT_TEXTS},
            **{f: data.get(f) for f in EVENT_NUMBERS},
            start_date=data["start_date"], end_date=None, status="active",
            baseline=str(data.get("baseline") or ""))
        setup = now_row(event_id=event["id"], version=1,
                        temperature_ref=event["temperature"], tyres_fitted_at=None,
                        **{p: coerce(BY_KEY[p], values.get(p)) for p in PARAM_KEYS})
        self._tables.insert("event_setups", setup)
        self._tables.insert("events", event)
        self._remember_key(profile, request_key)
        return _event(event)

    @locked
    def get_event(self, racer_id: str, event_id: str) -> Event | None:
        row = self._event_row(racer_id, event_id)
        return None if row is None else _event(row)

    @locked
    def list_events(self, racer_id: str, *, active: bool | None = None, track: str = "",
                    condition: str = "", before: EventCursor | None = None,
                    limit: int | None = None) -> list[Event]:
        return page_of([e for e in self._events(racer_id)
                        if (active is None or e.is_active == active)
                        and at_place(e, track, condition)],
                       EventCursor.of, before, limit)

    def _events(self, racer_id: str) -> list[Event]:
        """Every event of the racer's cars, in no order."""
        cars = {r["id"] for r in self._tables.read("vehicles") if r["profile_id"] == racer_id}
        return [_event(r) for r in self._tables.read("events")
                if r["profile_id"] == racer_id and r["vehicle_id"] in cars]

    @locked
    def event_tracks(self, racer_id: str) -> list[str]:
        return newest_track_names(self._events(racer_id))

    @locked
    def close_event(self, racer_id: str, event_id: str, end_date: date,
                    audit: Mapping[str, Any] | None = None) -> Event | None:
        """The audit and the event's status in one ``write_all``."""
        row = self._event_row(racer_id, event_id)
        if row is None:
            return None
        closing = rules.close(row["status"], row["start_date"], end_date)
        if closing is None:
            return _event(row)
        now = datetime.now(UTC)
        row = {**row, "status": "closed", "end_date": closing.end_date, "updated_at": now}
        tables: dict[str, list[Row]] = {
            "events": [row if r["id"] == row["id"] else r for r in self._tables.read("events")]}
        if audit is not None:
            tables["audits"] = [*self._tables.read("audits"), _audit_row(event_id, audit)]
        self._tables.write_all(tables)
        return _event(row)

    @locked
    def reopen_event(self, racer_id: str, event_id: str) -> Event | None:
        row = self._event_row(racer_id, event_id)
        if row is None or not rules.reopen(row["status"]):
            return None if row is None else _event(row)
        car = self._tables.first("vehicles", id=row["vehicle_id"])
        if car is not None and car.get("archived_at") is not None:
            raise DuplicateError("car_id", ARCHIVED)
        if any(r["vehicle_id"] == row["vehicle_id"] and r["status"] == "active"
               for r in self._tables.read("events")):
            raise DuplicateError("car_id", library_rules.EVENT_OPEN)
        row = {**row, "status": "active", "end_date": None, "updated_at": datetime.now(UTC)}
        self._tables.replace("events", row)
        return _event(row)

    @locked
    def get_audit(self, racer_id: str, event_id: str) -> Audit | None:
        if self._event_row(racer_id, event_id) is None:
            return None
        mine = [r for r in self._tables.read("audits") if r["event_id"] == event_id]
        return _audit(max(mine, key=lambda r: r["created_at"])) if mine else None

    @locked
    def event_history(self, racer_id: str, *, active: bool | None = None, track: str = "",
                      condition: str = "", before: EventCursor | None = None,
                      limit: int | None = None) -> list[EventRecord]:
        events = self.list_events(racer_id, active=active, track=track, condition=condition,
                                  before=before, limit=limit)
        ids = {e.id for e in events}
        runs = sorted((r for r in self._tables.read("runs") if r["event_id"] in ids),
                      key=run_order)
        laps: dict[str, list[Row]] = {r["id"]: [] for r in runs}
        for lap in self._tables.read("laps"):
            if lap["run_id"] in laps:
                laps[lap["run_id"]].append(lap)
        changes = sorted((r for r in self._tables.read("setup_changes") if r["event_id"] in ids),
                         key=_change_order)
        audits: dict[str, Row] = {}
        for row in self._tables.read("audits"):
            if row["event_id"] in ids and (row["event_id"] not in audits or row["created_at"]
                                           > audits[row["event_id"]]["created_at"]):
                audits[row["event_id"]] = row
        return history_records(
            events, [run_with_laps(r, laps.get(r["id"], [])) for r in runs],
            [_change(r) for r in changes], {k: _audit(v) for k, v in audits.items()})

    # -- the event setup and its changes -----------------------------------------

    @locked
    def get_event_setup(self, racer_id: str, event_id: str) -> EventSetup | None:
        if self._event_row(racer_id, event_id) is None:
            return None
        row = self._setup_row(event_id)
        return None if row is None else _setup(row)

    def _write(self, setup_row: Row, write: rules.SetupWrite
               ) -> tuple[EventSetup, list[SetupChange], list[SetupChange]]:
        """Write what a rule decided, in one ``write_all``: the setup, the new changes,
        the updated ones (returned in that order)."""
        now = datetime.now(UTC)
        tables: dict[str, list[Row]] = {}
        saved = setup_row
        if write.saves:
            saved = {**setup_row, **write.values, "version": write.version, "updated_at": now}
            if write.temperature_ref is not None:
                saved["temperature_ref"] = write.temperature_ref
            tables["event_setups"] = [saved if r["id"] == saved["id"] else r
                                      for r in self._tables.read("event_setups")]
        new = [now_row(event_id=setup_row["event_id"], **asdict(c), run_after=None,
                       ask_id="", pair_id="", temperature_ref=None)
               for c in write.new]
        updated = []
        if new or write.updates:
            rows = []
            # NOW is the time of the write, a microsecond later for each row the rule
            # lists after another (a pair's ends), as PostgreSQL's clock_timestamp() gives.
            order = {change_id: n for n, change_id in enumerate(write.updates)}
            for row in self._tables.read("setup_changes"):
                if (cols := write.updates.get(row["id"])) is not None:
                    at = now + timedelta(microseconds=order[row["id"]])
                    row = {**row, "updated_at": now,
                           **{c: at if v is rules.NOW else v for c, v in cols.items()}}
                    updated.append(row)
                rows.append(row)
            tables["setup_changes"] = [*rows, *new]
        if tables:
            self._tables.write_all(tables)
        if new or updated:
            self._refresh_figures(setup_row["event_id"])
        return _setup(saved), [_change(r) for r in new], [_change(r) for r in updated]

    @locked
    def edit_event_setup(
        self, racer_id: str, event_id: str, values: Mapping[str, Value], *, source: str,
        reason: str = "", version: int | None = None,
    ) -> SetupEdit | None:
        if self._event_row(racer_id, event_id) is None:
            return None
        row = self._setup_row(event_id)
        if row is None:
            return None
        write = rules.edit(_setup(row), values, source=source, reason=reason,
                           runs=self._event_rows("runs", event_id), expected_version=version)
        saved, new, _ = self._write(row, write)
        return SetupEdit(saved, new)

    @locked
    def list_changes(self, racer_id: str, event_id: str) -> list[SetupChange]:
        if self._event_row(racer_id, event_id) is None:
            return []
        mine = [r for r in self._tables.read("setup_changes") if r["event_id"] == event_id]
        mine.sort(key=_change_order)
        return [_change(r) for r in mine]

    def _decide(self, racer_id: str, change_id: str,
                rule: Callable[[SetupChange, EventSetup, Sequence[Row], Sequence[SetupChange],
                                set[int]], rules.SetupWrite | None]
                ) -> tuple[EventSetup, list[SetupChange], list[SetupChange]] | None:
        """The racer's change and its event setup, ``rule``'s answer on them (given the
        event's runs, changes and tested setup versions) written."""
        row = self._own_change(racer_id, change_id)
        setup = None if row is None else self._setup_row(row["event_id"])
        if row is None or setup is None:
            return None
        runs = self._event_rows("runs", row["event_id"])
        laps = [lap for r in runs for lap in self._tables.where("laps", "run_id", r["id"])]
        write = rule(_change(row), _setup(setup), runs, self._changes_of(row["event_id"]),
                     rules.tested_versions(runs, laps))
        return None if write is None else self._write(setup, write)

    def _changes_of(self, event_id: str) -> list[SetupChange]:
        return [_change(r) for r in sorted(self._event_rows("setup_changes", event_id),
                                           key=_change_order)]

    @locked
    def revert_change(self, racer_id: str, change_id: str) -> SetupEdit | None:
        done = self._decide(racer_id, change_id,
                            lambda c, setup, runs, changes, _t: rules.undo(c, setup, runs, changes))
        return None if done is None else SetupEdit(done[0], done[1])

    # -- advisor proposals ---------------------------------------------------------

    @locked
    def propose_change(self, racer_id: str, event_id: str, parameter: str, value: Value,
                       reason: str, *, request_key: str | None = None, ask_id: str = "",
                       pair_id: str = "", temperature_ref: int | None = None
                       ) -> SetupChange | None:
        param = BY_KEY[parameter]
        profile = self._racer(racer_id)
        setup = self._own_setup_row(racer_id, event_id)
        if self._key_used(profile, request_key):
            return None
        row = now_row(event_id=event_id, parameter=parameter,
                       old_value=as_text(parameter, setup[parameter]),
                       new_value=as_text(parameter, coerce(param, value)), source="advisor",
                       reason=reason, status="pending", version=None, run_before=None,
                       run_after=None, ask_id=ask_id, pair_id=pair_id,
                       temperature_ref=temperature_ref)
        self._tables.insert("setup_changes", row)
        self._remember_key(profile, request_key)
        return _change(row)

    def _own_change(self, racer_id: str, change_id: str) -> Row | None:
        """The racer's change (None for another racer's or a missing one)."""
        row = self._tables.first("setup_changes", id=change_id)
        if row is None or self._event_row(racer_id, row["event_id"]) is None:
            return None
        return row

    @locked
    def accept_proposal(self, racer_id: str, change_id: str, *, bundle: bool = False
                        ) -> SetupEdit | None:
        done = self._decide(racer_id, change_id, lambda c, setup, runs, changes, tested: (
            rules.accept(c, setup, runs, changes, tested, bundle=bundle)))
        # The accepted change(s), not the ask's others it superseded.
        return None if done is None else SetupEdit(
            done[0], [c for c in done[2] if c.status == "accepted"])

    @locked
    def deny_proposal(self, racer_id: str, change_id: str) -> SetupChange | None:
        row = self._own_change(racer_id, change_id)
        updates = None if row is None else rules.deny(
            _change(row), self._changes_of(row["event_id"]))
        if row is None or updates is None:
            return None
        now = datetime.now(UTC)
        rows = [{**r, **updates[r["id"]], "updated_at": now} if r["id"] in updates else r
                for r in self._tables.read("setup_changes")]
        self._tables.write_all({"setup_changes": rows})
        self._refresh_figures(row["event_id"])
        return _change(next(r for r in rows if r["id"] == row["id"]))

    @locked
    def fresh_tyres(self, racer_id: str, event_id: str) -> EventSetup | None:
        if self._event_row(racer_id, event_id) is None:
            return None
        row = self._setup_row(event_id)
        if row is None:
            return None
        now = datetime.now(UTC)
        row = {**row, "tyres_fitted_at": now, "updated_at": now}
        self._tables.replace("event_setups", row)
        return _setup(row)
