"""The race day's runs, laps and notes on CSV files.

``RaceRows`` finds the race-day rows of a racer (an event only through its racer
and a car that still exists: another racer's ids, and the orphans a crash or a
removed car leaves, read as missing); ``RunMethods``, a base class of ``CsvStore``
beside ``EventMethods``, writes runs, laps and notes, each method one transaction
(the store's lock held). A run's first laps set the *run after* of the changes
apex.race_rules.tested_changes names.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from apex import lap_stats
from apex import race_rules as rules
from apex.models import Lap, Run, TrackLog, car_label
from apex.request_keys import RUN_ID_TAKEN
from apex.store import DuplicateError
from apex.stores import library_rules
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_tables import CsvTables


def now_row(**cols: object) -> Row:
    """A new row: a fresh uuid id and both timestamps."""
    now = datetime.now(UTC)
    return {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, **cols}


def run_order(row: Row) -> tuple:
    return (row["started_at"], row["created_at"], row["id"])


def run_with_laps(row: Row, laps: list[Row]) -> Run:
    """The run with its live laps (a deleted lap waits for its undo out of sight)."""
    live = [r for r in laps if r["deleted_at"] is None]
    return Run(row["id"], row["event_id"], row["name"], row["started_at"],
               row["setup_version"], row["confidence"],
               tuple(Lap(r["run_id"], r["lap_number"], r["seconds"], r["flag"])
                     for r in sorted(live, key=lambda r: r["lap_number"])))


def with_writes(rows: list[Row], writes: Mapping[str, Mapping[str, Any]], now: datetime
                ) -> list[Row]:
    """``rows`` with a rule's writes (id -> column -> value; ``rules.NOW`` is ``now``)."""
    return [{**r, **{c: now if v is rules.NOW else v for c, v in writes[r["id"]].items()}}
            if r["id"] in writes else r for r in rows]


def _log(row: Row) -> TrackLog:
    return TrackLog(row["id"], row["profile_id"], row["timestamp"], row["kind"], row["note"],
                    row["track"], row["car"], row["event"], row["keywords"],
                    row["event_id"], row["run_id"])


class RaceRows:
    """The race-day rows of a racer, for ``EventMethods`` and ``RunMethods``, on the
    store's ``_tables``, ``_racer``, ``_key_used`` and ``_remember_key``."""

    _tables: CsvTables
    _racer: Callable[[str], Row]
    _key_used: Callable[[Row, str | None], bool]
    _remember_key: Callable[[Row, str | None], None]
    # apex.stores.csv_figures.FigureMethods: the event's stored figures made again.
    _refresh_figures: Callable[[str], None]

    # -- finding rows through their racer ------------------------------------

    def _event_row(self, racer_id: str, event_id: str) -> Row | None:
        row = self._tables.first("events", id=event_id, profile_id=racer_id)
        if row is None or self._tables.first("vehicles", id=row["vehicle_id"]) is None:
            return None
        return row

    def _setup_row(self, event_id: str) -> Row | None:
        return self._tables.first("event_setups", event_id=event_id)

    def _own_setup_row(self, racer_id: str, event_id: str) -> Row:
        """The setup row of the racer's event; LookupError when the event is not theirs."""
        setup = self._setup_row(event_id) if self._event_row(racer_id, event_id) else None
        if setup is None:
            raise LookupError("no such event")
        return setup

    def _run_row(self, racer_id: str, run_id: str) -> Row | None:
        row = self._tables.first("runs", id=run_id)
        if row is None or self._event_row(racer_id, row["event_id"]) is None:
            return None
        return row

    def _event_rows(self, table: str, event_id: str) -> list[Row]:
        """The event's rows of ``table``, in the table's order (by an index: a season
        holds thousands of runs)."""
        return self._tables.where(table, "event_id", event_id)

    def _run(self, row: Row, laps: bool = True) -> Run:
        rows = self._tables.where("laps", "run_id", row["id"])
        if laps:
            return run_with_laps(row, rows)
        return replace(run_with_laps(row, []),
                       unread_laps=sum(1 for r in rows if r["deleted_at"] is None))


class RunMethods(RaceRows):
    """Runs, laps and notes: part of ``CsvStore`` (a base class of it)."""

    # -- runs and laps --------------------------------------------------------------

    @locked
    def add_run(self, racer_id: str, event_id: str, name: str,
                *, request_key: str | None = None, run_id: str | None = None) -> Run | None:
        profile = self._racer(racer_id)
        setup = self._own_setup_row(racer_id, event_id)
        if self._key_used(profile, request_key):
            return None
        if run_id is not None and self._tables.first("runs", id=run_id) is not None:
            raise DuplicateError("run_id", RUN_ID_TAKEN)
        run = now_row(event_id=event_id, name=name, started_at=datetime.now(UTC),
                       confidence=None, setup_version=setup["version"])
        if run_id is not None:
            run["id"] = run_id
        self._tables.insert("runs", run)
        self._refresh_figures(event_id)
        self._remember_key(profile, request_key)
        return self._run(run)

    @locked
    def list_runs(self, racer_id: str, event_id: str, *, laps: bool = True) -> list[Run]:
        if self._event_row(racer_id, event_id) is None:
            return []
        mine = sorted(self._tables.where("runs", "event_id", event_id), key=run_order)
        return [self._run(r, laps) for r in mine]

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
            done = sum(1 for r in self._tables.where("laps", "run_id", run_id)
                       if r["deleted_at"] is None)
            now = datetime.now(UTC)
            new = [{"id": str(uuid.uuid4()), "run_id": run_id, "lap_number": done + i,
                    "seconds": Decimal(s).quantize(Decimal("0.001")), "created_at": now,
                    "deleted_at": None, "flag": ""}
                   for i, s in enumerate(seconds, start=1)]
            tested = set(rules.tested_changes(self._event_rows("setup_changes", row["event_id"]),
                                              row["setup_version"], len(new)))
            changes = [{**r, "run_after": run_id, "updated_at": now} if r["id"] in tested
                       else r for r in self._tables.read("setup_changes")]
            self._tables.write_all({"laps": [*laps, *new], "setup_changes": changes})
            self._refresh_figures(row["event_id"])
            self._remember_key(profile, request_key)
        return self._run(row)

    @locked
    def delete_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        row = self._run_row(racer_id, run_id)
        if row is None:
            return None
        now = datetime.now(UTC)
        laps = self._purged_laps(racer_id, now)
        live = [r for r in laps if r["run_id"] == run_id and r["deleted_at"] is None]
        writes = rules.lap_deletion(live, lap_number) or {}
        if writes or len(laps) < len(self._tables.read("laps")):
            self._tables.write("laps", with_writes(laps, writes, now))
        if writes:
            self._refresh_figures(row["event_id"])
        return self._run(row)

    @locked
    def restore_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        row = self._run_row(racer_id, run_id)
        if row is None:
            return None
        now = datetime.now(UTC)
        laps = self._tables.read("laps")
        mine = [r for r in laps if r["run_id"] == run_id]
        writes = rules.lap_restoring([r for r in mine if r["deleted_at"] is None],
                                     [r for r in mine if r["deleted_at"] is not None],
                                     lap_number, now)
        if writes is None:
            return None
        self._tables.write("laps", with_writes(self._purged_laps(racer_id, now), writes, now))
        self._refresh_figures(row["event_id"])
        return self._run(row)

    def _purged_laps(self, racer_id: str, now: datetime) -> list[Row]:
        """Every lap but the racer's whose undo is over."""
        before = rules.purge_before(now)
        runs = {r["id"] for r in self._tables.read("runs")
                if self._event_row(racer_id, r["event_id"]) is not None}
        return [r for r in self._tables.read("laps")
                if not (r["run_id"] in runs and r["deleted_at"] is not None
                        and r["deleted_at"] < before)]

    @locked
    def set_lap_flag(self, racer_id: str, run_id: str, lap_number: int, flag: str
                     ) -> Run | None:
        lap_stats.check_manual_flag(flag)
        row = self._run_row(racer_id, run_id)
        if row is None:
            return None
        hit = next((r for r in self._tables.where("laps", "run_id", run_id)
                    if r["deleted_at"] is None and r["lap_number"] == lap_number), None)
        if hit is not None and hit["flag"] != flag:
            self._tables.replace("laps", {**hit, "flag": flag})
            self._refresh_figures(row["event_id"])
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
        library_rules.check_kind(kind)
        profile = self._racer(racer_id)
        event = self._event_row(racer_id, event_id)
        if event is None or (run_id and self._tables.first(
                "runs", id=run_id, event_id=event_id) is None):
            raise LookupError("no such event or run")
        if self._key_used(profile, request_key):
            return None
        now = datetime.now(UTC)
        car = self._tables.first("vehicles", id=event["vehicle_id"])
        row = {"id": str(uuid.uuid4()), "profile_id": racer_id, "timestamp": now, "kind": kind,
               "note": note, "track": event["track"],
               "car": car_label(car["brand"], car["model"], car["nickname"]) if car else "",
               "event": event["name"],
               "keywords": keywords, "lap_time": None, "event_id": event_id,
               "run_id": run_id or None, "created_at": now, "deleted_at": None}
        self._tables.insert("track_logs", row)
        self._remember_key(profile, request_key)
        return _log(row)

    @locked
    def list_event_logs(self, racer_id: str, event_id: str, *, limit: int = 100
                        ) -> list[TrackLog]:
        if limit <= 0 or self._event_row(racer_id, event_id) is None:
            return []
        mine = [r for r in self._tables.read("track_logs") if r["event_id"] == event_id
                and r["profile_id"] == racer_id and r["deleted_at"] is None]
        mine.sort(key=lambda r: (r["timestamp"], r["created_at"], r["id"]), reverse=True)
        return [_log(r) for r in mine[:limit]]
