"""Every note a page at a time, and a note's undoable delete, on CSV files.

``NoteMethods`` is a base class of ``CsvStore`` (beside ``RunMethods``), each method
one transaction (the store's lock held). A delete only marks the note
(``deleted_at``); every read skips marked notes, Undo clears the mark within
apex.race_rules.UNDO_WINDOW, and the racer's notes whose undo is over are purged by
their next delete or undo.
"""

from __future__ import annotations

from datetime import UTC, datetime

from apex import race_rules as rules
from apex.models import TrackLog, car_label
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_runs import RaceRows, _log


class NoteMethods(RaceRows):
    """Note pages and undoable note deletes: part of ``CsvStore``."""

    @locked
    def page_track_logs(
        self, racer_id: str, *, event_id: str = "", car_id: str = "",
        before: tuple[datetime, str] | None = None, limit: int = 20,
    ) -> list[TrackLog] | None:
        if car_id:
            car = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
            if car is None:
                return None
            label = car_label(car["brand"], car["model"], car["nickname"])
            events = {r["id"] for r in self._tables.read("events") if r["vehicle_id"] == car_id}
            # A car's notes: those written at its events, and its notebook entries (no
            # event, the car's label: how the Garage notebook names a car).
            def wanted(r: Row) -> bool:
                return r["event_id"] in events if r["event_id"] else r["car"] == label
        elif self._event_row(racer_id, event_id) is not None:
            def wanted(r: Row) -> bool:
                return bool(r["event_id"] == event_id)
        else:
            return None
        mine = [r for r in self._tables.read("track_logs")
                if r["profile_id"] == racer_id and r["deleted_at"] is None and wanted(r)
                and (before is None or (r["timestamp"], r["id"]) < before)]
        mine.sort(key=lambda r: (r["timestamp"], r["id"]), reverse=True)
        return [_log(r) for r in mine[:max(limit, 0)]]

    @locked
    def delete_track_log(self, racer_id: str, log_id: str) -> bool:
        now = datetime.now(UTC)
        rows = self._purged_notes(racer_id, now)
        row = next((r for r in rows if r["id"] == log_id and r["profile_id"] == racer_id
                    and r["deleted_at"] is None), None)
        if row is not None or len(rows) < len(self._tables.read("track_logs")):
            self._tables.write("track_logs", [{**r, "deleted_at": now} if r is row else r
                                              for r in rows])
        return row is not None

    @locked
    def restore_track_log(self, racer_id: str, log_id: str) -> TrackLog | None:
        now = datetime.now(UTC)
        row = self._tables.first("track_logs", id=log_id, profile_id=racer_id)
        if row is None or row["deleted_at"] is None or not rules.note_restorable(row, now):
            return None
        back = {**row, "deleted_at": None}
        self._tables.write("track_logs", [back if r["id"] == log_id else r
                                          for r in self._purged_notes(racer_id, now)])
        return _log(back)

    def _purged_notes(self, racer_id: str, now: datetime) -> list[Row]:
        """Every note but the racer's whose undo is over."""
        before = rules.purge_before(now)
        return [r for r in self._tables.read("track_logs")
                if not (r["profile_id"] == racer_id and r["deleted_at"] is not None
                        and r["deleted_at"] < before)]
