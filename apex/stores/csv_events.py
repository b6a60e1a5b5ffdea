"""The race day on CSV files: events, their setup and its changes, runs, laps, notes.

``EventMethods`` is a base class of ``CsvStore``; each method is one transaction
(the store's lock held). Rows are reached through their event, and an event
only through its racer and a car that still exists: another racer's ids, and
the orphans a crash or a deleted car leaves, read as missing. A write that
touches two tables goes through ``CsvTables.write_all`` (every temp file
written before the first rename).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from apex.catalogue import BY_KEY, PARAM_KEYS, Value, coerce
from apex.event_setup import as_text, edit_changes, history_records
from apex.models import (
    EVENT_NUMBERS,
    EVENT_TEXTS,
    Audit,
    Car,
    Event,
    EventRecord,
    EventSetup,
    Lap,
    Run,
    SetupChange,
    SetupEdit,
    TrackLog,
)
from apex.store import DuplicateError, StaleSetupError
from apex.stores import library_rules as rules
from apex.stores.csv_tables import CsvTables, Row, locked

_EVENT_FIELDS = ("name", "type", "start_date", "end_date", "track", "track_size", "traction",
                 "surface", "condition", "temperature", "practice_rounds", "qualifying_rounds",
                 "status", "baseline", "created_at")
_CHANGE_FIELDS = ("id", "event_id", "parameter", "old_value", "new_value", "source", "reason",
                  "status", "version", "run_before", "run_after", "verdict", "created_at")


def _now_row(**cols: Any) -> Row:
    now = datetime.now(UTC)
    return {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, **cols}


def _event(row: Row) -> Event:
    return Event(row["id"], row["profile_id"], row["vehicle_id"],
                 **{f: row[f] for f in _EVENT_FIELDS})


def _setup(row: Row) -> EventSetup:
    return EventSetup(row["event_id"], row["version"], {k: row[k] for k in PARAM_KEYS},
                      row["updated_at"])


def _change(row: Row) -> SetupChange:
    return SetupChange(**{f: row[f] for f in _CHANGE_FIELDS})


def _run_order(row: Row) -> tuple:
    return (row["started_at"], row["created_at"], row["id"])


def _change_order(row: Row) -> tuple:
    return (row["created_at"], row["version"] is None, row["version"] or 0, row["id"])


def _run(row: Row, laps: list[Row]) -> Run:
    return Run(row["id"], row["event_id"], row["name"], row["started_at"],
               row["setup_version"], row["confidence"],
               tuple(Lap(r["run_id"], r["lap_number"], r["seconds"])
                     for r in sorted(laps, key=lambda r: r["lap_number"])))


_AUDIT_FIELDS = ("id", "event_id", "rating", "symptom", "gain", "observation", "best_lap",
                 "change_id", "created_at")


def _audit(row: Row) -> Audit:
    return Audit(**{f: row[f] for f in _AUDIT_FIELDS})


def _audit_row(event_id: str, audit: Mapping[str, Any]) -> Row:
    best = audit.get("best_lap")
    return {"id": str(uuid.uuid4()), "event_id": event_id, "change_id": None,
            "rating": int(audit["rating"]),
            **{f: str(audit.get(f) or "") for f in ("symptom", "gain", "observation")},
            "best_lap": None if best is None else Decimal(best).quantize(Decimal("0.001")),
            "created_at": datetime.now(UTC)}


def _car_label(tables: CsvTables, car_id: str) -> str:
    row = tables.first("vehicles", id=car_id)
    return "" if row is None else Car(row["id"], row["profile_id"], row["brand"], row["model"],
                                      row["nickname"]).label


class EventMethods:
    """The race-day part of ``CsvStore`` (a base class of it), on its ``_tables``,
    ``_racer``, ``_key_used`` and ``_remember_key``."""

    _tables: CsvTables

    # -- finding rows through their racer ------------------------------------

    def _event_row(self, racer_id: str, event_id: str) -> Row | None:
        row = self._tables.first("events", id=event_id, profile_id=racer_id)
        if row is None or self._tables.first("vehicles", id=row["vehicle_id"]) is None:
            return None
        return row

    def _setup_row(self, event_id: str) -> Row | None:
        return self._tables.first("event_setups", event_id=event_id)

    def _run_row(self, racer_id: str, run_id: str) -> Row | None:
        row = self._tables.first("runs", id=run_id)
        if row is None or self._event_row(racer_id, row["event_id"]) is None:
            return None
        return row

    def _run(self, row: Row) -> Run:
        return _run(row, [r for r in self._tables.read("laps") if r["run_id"] == row["id"]])

    # -- events ----------------------------------------------------------------

    @locked
    def start_event(
        self, racer_id: str, data: Mapping[str, Any], values: Mapping[str, Value],
        *, request_key: str | None = None,
    ) -> Event | None:
        """The setup first, then the event: a crash between leaves an ignored orphan."""
        profile = self._racer(racer_id)
        car = self._tables.first("vehicles", id=str(data.get("car_id")), profile_id=racer_id)
        if car is None:
            raise LookupError("no such car")
        if self._key_used(profile, request_key):
            return None
        if any(r["vehicle_id"] == car["id"] and r["status"] == "active"
               for r in self._tables.read("events")):
            raise DuplicateError("car_id", rules.EVENT_OPEN)
        event = _now_row(
            profile_id=racer_id, vehicle_id=car["id"],
            **{f: str(data.get(f) or "") for f in EVENT_TEXTS},
            **{f: data.get(f) for f in EVENT_NUMBERS},
            start_date=data["start_date"], end_date=None, status="active",
            baseline=str(data.get("baseline") or ""))
        setup = _now_row(event_id=event["id"], version=1,
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
    def list_events(self, racer_id: str) -> list[Event]:
        cars = {r["id"] for r in self._tables.read("vehicles") if r["profile_id"] == racer_id}
        mine = [r for r in self._tables.read("events")
                if r["profile_id"] == racer_id and r["vehicle_id"] in cars]
        mine.sort(key=lambda r: r["id"])
        mine.sort(key=lambda r: (r["start_date"], r["created_at"]), reverse=True)
        return [_event(r) for r in mine]

    @locked
    def close_event(self, racer_id: str, event_id: str, end_date: date,
                    audit: Mapping[str, Any] | None = None) -> Event | None:
        """The audit, the verdicts and the event's status in one ``write_all``."""
        row = self._event_row(racer_id, event_id)
        if row is None:
            return None
        if row["status"] != "active":
            return _event(row)
        now = datetime.now(UTC)
        row = {**row, "status": "closed", "end_date": max(end_date, row["start_date"]),
               "updated_at": now}
        tables: dict[str, list[Row]] = {
            "events": [row if r["id"] == row["id"] else r for r in self._tables.read("events")]}
        if audit is not None:
            new = _audit_row(event_id, audit)
            verdict = _audit(new).verdict
            tables["audits"] = [*self._tables.read("audits"), new]
            tables["setup_changes"] = [
                {**r, "verdict": verdict, "updated_at": now}
                if r["event_id"] == event_id and r["status"] == "accepted" and not r["verdict"]
                else r for r in self._tables.read("setup_changes")]
        self._tables.write_all(tables)
        return _event(row)

    @locked
    def reopen_event(self, racer_id: str, event_id: str) -> Event | None:
        row = self._event_row(racer_id, event_id)
        if row is None or row["status"] == "active":
            return None if row is None else _event(row)
        if any(r["vehicle_id"] == row["vehicle_id"] and r["status"] == "active"
               for r in self._tables.read("events")):
            raise DuplicateError("car_id", rules.EVENT_OPEN)
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
    def event_history(self, racer_id: str) -> list[EventRecord]:
        events = self.list_events(racer_id)
        ids = {e.id for e in events}
        runs = sorted((r for r in self._tables.read("runs") if r["event_id"] in ids),
                      key=_run_order)
        laps: dict[str, list[Row]] = {}
        for lap in self._tables.read("laps"):
            laps.setdefault(lap["run_id"], []).append(lap)
        changes = sorted((r for r in self._tables.read("setup_changes") if r["event_id"] in ids),
                         key=_change_order)
        audits: dict[str, Row] = {}
        for row in self._tables.read("audits"):
            if row["event_id"] in ids and (row["event_id"] not in audits or row["created_at"]
                                           > audits[row["event_id"]]["created_at"]):
                audits[row["event_id"]] = row
        return history_records(
            events, [_run(r, laps.get(r["id"], [])) for r in runs],
            [_change(r) for r in changes], {k: _audit(v) for k, v in audits.items()})

    # -- the event setup and its changes -----------------------------------------

    @locked
    def get_event_setup(self, racer_id: str, event_id: str) -> EventSetup | None:
        if self._event_row(racer_id, event_id) is None:
            return None
        row = self._setup_row(event_id)
        return None if row is None else _setup(row)

    def _edit(self, setup_row: Row, values: Mapping[str, Value], source: str, reason: str,
              extra: Mapping[str, list[Row]] | None = None) -> SetupEdit:
        """Save the changed parameters and their change rows (and ``extra`` tables) together."""
        current = _setup(setup_row)
        changes = edit_changes(current.values, values)
        if not changes:
            if extra:
                self._tables.write_all(extra)
            return SetupEdit(current, [])
        version = current.version + 1
        now = datetime.now(UTC)
        saved = {**setup_row, **{c.key: c.after for c in changes}, "version": version,
                 "updated_at": now}
        runs = [r for r in self._tables.read("runs") if r["event_id"] == setup_row["event_id"]]
        last_run = max(runs, key=_run_order)["id"] if runs else None
        new = [_now_row(event_id=setup_row["event_id"], parameter=c.key,
                        old_value=as_text(c.key, c.before), new_value=as_text(c.key, c.after),
                        source=source, reason=reason, status="accepted", version=version,
                        run_before=last_run, run_after=None, verdict="")
               for c in changes]
        stored_changes = (extra or {}).get("setup_changes", self._tables.read("setup_changes"))
        setups = [saved if r["id"] == saved["id"] else r
                  for r in self._tables.read("event_setups")]
        self._tables.write_all({**(extra or {}), "event_setups": setups,
                                "setup_changes": [*stored_changes, *new]})
        return SetupEdit(_setup(saved), [_change(r) for r in new])

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
        if version is not None and version != row["version"]:
            raise StaleSetupError(_setup(row))
        return self._edit(row, values, source, reason)

    @locked
    def list_changes(self, racer_id: str, event_id: str) -> list[SetupChange]:
        if self._event_row(racer_id, event_id) is None:
            return []
        mine = [r for r in self._tables.read("setup_changes") if r["event_id"] == event_id]
        mine.sort(key=_change_order)
        return [_change(r) for r in mine]

    @locked
    def revert_change(self, racer_id: str, change_id: str) -> SetupEdit | None:
        # The parameter must still hold the new value: else a later change would go too.
        found = self._change_and_setup(racer_id, change_id, "accepted", holding="new_value")
        if found is None:
            return None
        row, setup = found
        reverted = {**row, "status": "reverted", "updated_at": datetime.now(UTC)}
        changes = [reverted if r["id"] == row["id"] else r
                   for r in self._tables.read("setup_changes")]
        old = coerce(BY_KEY[row["parameter"]], row["old_value"])
        return self._edit(setup, {row["parameter"]: old}, row["source"],
                          f"Undo: back to {row['old_value'] or 'unset'}",
                          extra={"setup_changes": changes})

    # -- advisor proposals ---------------------------------------------------------

    @locked
    def propose_change(self, racer_id: str, event_id: str, parameter: str, value: Value,
                       reason: str, *, request_key: str | None = None) -> SetupChange | None:
        param = BY_KEY[parameter]
        profile = self._racer(racer_id)
        setup = self._setup_row(event_id) if self._event_row(racer_id, event_id) else None
        if setup is None:
            raise LookupError("no such event")
        if self._key_used(profile, request_key):
            return None
        row = _now_row(event_id=event_id, parameter=parameter,
                       old_value=as_text(parameter, setup[parameter]),
                       new_value=as_text(parameter, coerce(param, value)), source="advisor",
                       reason=reason, status="pending", version=None, run_before=None,
                       run_after=None, verdict="")
        self._tables.insert("setup_changes", row)
        self._remember_key(profile, request_key)
        return _change(row)

    def _own_change(self, racer_id: str, change_id: str, status: str) -> Row | None:
        """The racer's change of a catalogue parameter, in ``status`` (None otherwise)."""
        row = self._tables.first("setup_changes", id=change_id)
        if (row is None or row["status"] != status or row["parameter"] not in BY_KEY
                or self._event_row(racer_id, row["event_id"]) is None):
            return None
        return row

    def _change_and_setup(self, racer_id: str, change_id: str, status: str, *,
                          holding: str) -> tuple[Row, Row] | None:
        """The racer's change in ``status`` and its event setup row, when the setup still
        holds the change's ``holding`` value ("old_value" or "new_value"); else None."""
        row = self._own_change(racer_id, change_id, status)
        setup = None if row is None else self._setup_row(row["event_id"])
        if row is None or setup is None:
            return None
        if as_text(row["parameter"], setup[row["parameter"]]) != row[holding]:
            return None
        return row, setup

    @locked
    def accept_proposal(self, racer_id: str, change_id: str) -> SetupEdit | None:
        """The setup and the proposal, now its accepted change, in one ``write_all``."""
        # The parameter must still hold the value it was proposed from.
        found = self._change_and_setup(racer_id, change_id, "pending", holding="old_value")
        if found is None:
            return None
        row, setup = found
        key = row["parameter"]
        now = datetime.now(UTC)
        saved = {**setup, key: coerce(BY_KEY[key], row["new_value"]),
                 "version": setup["version"] + 1, "updated_at": now}
        runs = [r for r in self._tables.read("runs") if r["event_id"] == row["event_id"]]
        accepted = {**row, "status": "accepted", "old_value": as_text(key, setup[key]),
                    "version": saved["version"], "created_at": now, "updated_at": now,
                    "run_before": max(runs, key=_run_order)["id"] if runs else None}
        self._tables.write_all({
            "event_setups": [saved if r["id"] == saved["id"] else r
                             for r in self._tables.read("event_setups")],
            "setup_changes": [accepted if r["id"] == row["id"] else r
                              for r in self._tables.read("setup_changes")]})
        return SetupEdit(_setup(saved), [_change(accepted)])

    @locked
    def deny_proposal(self, racer_id: str, change_id: str) -> SetupChange | None:
        row = self._own_change(racer_id, change_id, "pending")
        if row is None:
            return None
        row = {**row, "status": "denied", "updated_at": datetime.now(UTC)}
        self._tables.replace("setup_changes", row)
        return _change(row)

    # -- runs and laps --------------------------------------------------------------

    @locked
    def add_run(self, racer_id: str, event_id: str, name: str,
                *, request_key: str | None = None) -> Run | None:
        profile = self._racer(racer_id)
        setup = self._setup_row(event_id) if self._event_row(racer_id, event_id) else None
        if setup is None:
            raise LookupError("no such event")
        if self._key_used(profile, request_key):
            return None
        run = _now_row(event_id=event_id, name=name, started_at=datetime.now(UTC),
                       confidence=None, setup_version=setup["version"])
        self._tables.insert("runs", run)
        self._remember_key(profile, request_key)
        return self._run(run)

    @locked
    def list_runs(self, racer_id: str, event_id: str) -> list[Run]:
        if self._event_row(racer_id, event_id) is None:
            return []
        mine = sorted((r for r in self._tables.read("runs") if r["event_id"] == event_id),
                      key=_run_order)
        return [self._run(r) for r in mine]

    @locked
    def get_run(self, racer_id: str, run_id: str) -> Run | None:
        row = self._run_row(racer_id, run_id)
        return None if row is None else self._run(row)

    @locked
    def add_laps(self, racer_id: str, run_id: str, seconds: list[Decimal],
                 *, request_key: str | None = None) -> Run | None:
        row = self._run_row(racer_id, run_id)
        if row is None:
            return None
        profile = self._racer(racer_id)
        if not self._key_used(profile, request_key):
            laps = self._tables.read("laps")
            done = sum(1 for r in laps if r["run_id"] == run_id)
            now = datetime.now(UTC)
            new = [{"id": str(uuid.uuid4()), "run_id": run_id, "lap_number": done + i,
                    "seconds": Decimal(s).quantize(Decimal("0.001")), "created_at": now}
                   for i, s in enumerate(seconds, start=1)]
            # A run's first laps test the accepted changes its setup version already had.
            waiting = {"run_after": run_id, "updated_at": now}
            changes = [{**r, **waiting} if r["event_id"] == row["event_id"]
                       and r["run_after"] is None and r["status"] == "accepted"
                       and r["version"] is not None and r["version"] <= row["setup_version"]
                       and new else r for r in self._tables.read("setup_changes")]
            self._tables.write_all({"laps": [*laps, *new], "setup_changes": changes})
            self._remember_key(profile, request_key)
        return self._run(row)

    @locked
    def delete_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        row = self._run_row(racer_id, run_id)
        if row is None:
            return None
        laps = self._tables.read("laps")
        if any(r["run_id"] == run_id and r["lap_number"] == lap_number for r in laps):
            kept = [r for r in laps if not (r["run_id"] == run_id
                                            and r["lap_number"] == lap_number)]
            self._tables.write("laps", [
                {**r, "lap_number": r["lap_number"] - 1}
                if r["run_id"] == run_id and r["lap_number"] > lap_number else r
                for r in kept])
        return self._run(row)

    @locked
    def set_run_confidence(self, racer_id: str, run_id: str, confidence: int | None
                           ) -> Run | None:
        row = self._run_row(racer_id, run_id)
        if row is None:
            return None
        row = {**row, "confidence": confidence, "updated_at": datetime.now(UTC)}
        self._tables.replace("runs", row)
        return self._run(row)

    # -- notes and symptoms written at the event -------------------------------------

    @locked
    def add_event_log(
        self, racer_id: str, event_id: str, kind: str, note: str, *, run_id: str | None = None,
        keywords: str = "", request_key: str | None = None,
    ) -> TrackLog | None:
        rules.check_kind(kind)
        profile = self._racer(racer_id)
        event = self._event_row(racer_id, event_id)
        if event is None or (run_id and self._tables.first(
                "runs", id=run_id, event_id=event_id) is None):
            raise LookupError("no such event or run")
        if self._key_used(profile, request_key):
            return None
        now = datetime.now(UTC)
        row = {"id": str(uuid.uuid4()), "profile_id": racer_id, "timestamp": now, "kind": kind,
               "note": note, "track": event["track"],
               "car": _car_label(self._tables, event["vehicle_id"]), "event": event["name"],
               "keywords": keywords, "lap_time": None, "event_id": event_id,
               "run_id": run_id or None, "created_at": now}
        self._tables.insert("track_logs", row)
        self._remember_key(profile, request_key)
        return _log(row)

    @locked
    def list_event_logs(self, racer_id: str, event_id: str, *, limit: int = 100
                        ) -> list[TrackLog]:
        if limit <= 0 or self._event_row(racer_id, event_id) is None:
            return []
        mine = [r for r in self._tables.read("track_logs")
                if r["event_id"] == event_id and r["profile_id"] == racer_id]
        mine.sort(key=lambda r: (r["timestamp"], r["created_at"], r["id"]), reverse=True)
        return [_log(r) for r in mine[:limit]]

    @locked
    def delete_track_log(self, racer_id: str, log_id: str) -> bool:
        return self._tables.remove("track_logs", id=log_id, profile_id=racer_id)


def _log(row: Row) -> TrackLog:
    return TrackLog(row["id"], row["profile_id"], row["timestamp"], row["kind"], row["note"],
                    row["track"], row["car"], row["event"], row["keywords"],
                    row["event_id"], row["run_id"])
