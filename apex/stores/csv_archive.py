"""Archiving, restoring and deleting cars, a racer's export and account deletion, on
the CSV files. ``ArchiveMethods`` is a base class of ``CsvStore``; each method is one
transaction (``locked``): it reads, asks apex.car_rules (or apex.transfer.racer and
apex.race_rules.removal) and writes, as the PostgreSQL store does with the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from apex import car_rules, race_rules
from apex.models import CAR_FIELDS, Car
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_tables import CsvTables
from apex.transfer import Rows
from apex.transfer.racer import own_rows


def car(row: Row) -> Car:
    """A vehicles row as a Car."""
    return Car(id=row["id"], racer_id=row["profile_id"], **{f: row[f] for f in CAR_FIELDS},
               version=row.get("version") or 1, archived_at=row.get("archived_at"))


class ArchiveMethods:
    """The archive and account part of ``CsvStore`` (a base class of it)."""

    _tables: CsvTables
    dump_tables: Callable[[], Rows]  # CsvStore's

    @locked
    def archive_car(self, racer_id: str, car_id: str) -> Car | None:
        """CarRefused while the car has an open event (apex.car_rules)."""
        row = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
        if row is None or row.get("archived_at") is not None:
            return None if row is None else car(row)
        why = car_rules.archive_refusal(
            r["status"] for r in self._tables.read("events") if r["vehicle_id"] == car_id)
        if why:
            raise car_rules.CarRefused(why)
        new = {**row, "archived_at": datetime.now(UTC), "updated_at": datetime.now(UTC)}
        self._tables.replace("vehicles", new)
        return car(new)

    @locked
    def restore_car(self, racer_id: str, car_id: str) -> Car | None:
        row = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
        if row is None:
            return None
        new = {**row, "archived_at": None, "updated_at": datetime.now(UTC)}
        self._tables.replace("vehicles", new)
        return car(new)

    def _car_doom(self, racer_id: str, vehicle: Row) -> tuple[dict[str, set[str]], list[str]]:
        """The ids of everything of ``vehicle`` by table (events, runs, ...) and its notes."""
        events = {r["id"] for r in self._tables.read("events")
                  if r["vehicle_id"] == vehicle["id"]}
        runs = {r["id"] for r in self._tables.read("runs") if r["event_id"] in events}
        ids = {
            "events": events, "runs": runs,
            "laps": {r["id"] for r in self._tables.read("laps") if r["run_id"] in runs},
            "setup_changes": {r["id"] for r in self._tables.read("setup_changes")
                              if r["event_id"] in events},
            "audits": {r["id"] for r in self._tables.read("audits") if r["event_id"] in events},
        }
        cars = [r for r in self._tables.read("vehicles") if r["profile_id"] == racer_id]
        notes = [r for r in self._tables.read("track_logs") if r["profile_id"] == racer_id]
        return ids, car_rules.car_notes(vehicle, cars, notes, events)

    @locked
    def car_removal(self, racer_id: str, car_id: str) -> car_rules.CarRemoval | None:
        row = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
        if row is None:
            return None
        ids, notes = self._car_doom(racer_id, row)
        return car_rules.CarRemoval(
            len(ids["events"]), len(ids["runs"]), len(ids["laps"]), len(ids["setup_changes"]),
            len(ids["audits"]), len(notes))

    @locked
    def delete_car(self, racer_id: str, car_id: str) -> bool:
        """An archived car and everything of it (apex.car_rules): what hangs off it as
        PostgreSQL's ON DELETE rules say (apex.race_rules.removal), and its notes. The
        car goes first: a crash before the rest is written leaves only ignored orphans."""
        row = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
        if row is None or row.get("archived_at") is None:
            return False
        _ids, notes = self._car_doom(racer_id, row)
        tables = {t: self._tables.read(t) for t in race_rules.reaches("vehicles")}
        tables["track_logs"] = [r for r in tables["track_logs"] if r["id"] not in set(notes)]
        after = race_rules.removal(tables, "vehicles", {car_id})
        after["track_logs"] = after.get("track_logs", tables["track_logs"])
        self._tables.write("vehicles", after.pop("vehicles"))
        self._tables.write_all(after)
        return True

    @locked
    def export_racer(self, racer_id: str) -> Rows:
        return own_rows(self.dump_tables(), racer_id)

    @locked
    def delete_account(self, user_id: str) -> bool:
        """The user and every row of theirs, as PostgreSQL's ON DELETE rules say
        (apex.race_rules.removal); their shared library baselines stay, anonymised
        (apex.car_rules.anonymised). The user goes first: a crash before the rest is
        written leaves only orphans, which reads and exports ignore."""
        user = self._tables.first("users", id=user_id)
        if user is None:
            return False
        profile = self._tables.first("racer_profiles", user_id=user_id) or {}
        names = (user["username"], profile.get("name") or "")
        shared = {r["id"] for r in self._tables.read("master_library")
                  if r["submitted_by"] is not None and r["submitted_by"] == profile.get("id")}
        after = race_rules.removal({t: self._tables.read(t) for t in race_rules.reaches(
            "users")}, "users", {user_id})
        if shared:
            after["master_library"] = [
                car_rules.anonymised(r, names) if r["id"] in shared else r
                for r in after.get("master_library", self._tables.read("master_library"))]
        self._tables.write("users", after.pop("users"))
        self._tables.write_all(after)
        return True

