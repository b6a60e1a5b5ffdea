"""Stored run figures and change outcomes on CSV files (the rule: apex.figures).

``FigureMethods`` (a base class of ``CsvStore``) rewrites one event's rows of
``run_figures`` and ``change_outcomes`` inside the write that changed them (the
store's transaction: one journal record with the laps), and reads them through
``CsvTables.where``'s indexes, never the laps. Its ``change_outcomes`` rows are the
maintained summary "what worked here" is summed from (apex.figures.tried_from).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from apex import figures
from apex.figures import HistoryFigures, TriedRow
from apex.lap_stats import COMPARABLE_MIN_CLEAN, RunStats
from apex.models import Event, Run
from apex.paging import EventCursor
from apex.stores.csv_events import _audit, _change, _change_order
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_runs import RaceRows, run_order


class FigureMethods(RaceRows):
    """Stored figures: part of ``CsvStore`` (a base class of it)."""

    list_events: Callable[..., list[Event]]  # EventMethods'
    list_runs: Callable[..., list[Run]]  # RunMethods'

    def _refresh_figures(self, event_id: str) -> None:
        """Rewrite the event's figures and outcomes from its laps and changes (the
        caller holds the store's transaction)."""
        runs = [self._run(r) for r in sorted(self._tables.where("runs", "event_id", event_id),
                                             key=run_order)]
        changes = [_change(r) for r in sorted(self._tables.where(
            "setup_changes", "event_id", event_id), key=_change_order)]
        run_rows, outcome_rows = figures.event_rows(event_id, runs, changes)
        self._tables.set_where("run_figures", "event_id", event_id, run_rows)
        self._tables.set_where("change_outcomes", "event_id", event_id, outcome_rows)

    def _refresh_events(self, event_ids: Collection[str]) -> None:
        for event_id in sorted(event_ids):
            self._refresh_figures(event_id)

    def _refresh_imported(self, written: dict[str, Sequence[Row]]) -> None:
        """Remake the figures of every event an import wrote rows of."""
        events, runs = figures.touched(written)
        events |= {r["event_id"] for run_id in runs
                   for r in [self._tables.first("runs", id=run_id)] if r is not None}
        self._refresh_events(events)

    def _refresh_all(self) -> None:
        """Every event's figures (the upgrade that creates the tables)."""
        self._refresh_events({r["id"] for r in self._tables.read("events")})

    def _own_events(self, racer_id: str) -> dict[str, Row]:
        """The racer's events (whose car still exists), by id."""
        cars = {r["id"] for r in self._tables.read("vehicles") if r["profile_id"] == racer_id}
        return {r["id"]: r for r in self._tables.read("events")
                if r["profile_id"] == racer_id and r["vehicle_id"] in cars}

    @locked
    def run_figures(self, racer_id: str, event_id: str) -> dict[str, RunStats | None]:
        if self._event_row(racer_id, event_id) is None:
            return {}
        rows = sorted(self._tables.where("run_figures", "event_id", event_id),
                      key=lambda r: r["position"])
        return figures.event_stats(rows)

    @locked
    def runs_with_figures(self, racer_id: str, event_id: str
                          ) -> tuple[list[Run], Mapping[str, RunStats | None]]:
        return (self.list_runs(racer_id, event_id, laps=False),
                self.run_figures(racer_id, event_id))

    @locked
    def history_figures(self, racer_id: str, *, track: str = "", condition: str = "",
                        before: EventCursor | None = None,
                        limit: int | None = None) -> HistoryFigures:
        listed = self.list_events(racer_id, track=track, condition=condition, before=before,
                                  limit=limit)
        events = {e.id for e in listed}
        audits: dict[str, Row] = {}
        for row in self._tables.read("audits"):
            if row["event_id"] in events and (row["event_id"] not in audits or row[
                    "created_at"] > audits[row["event_id"]]["created_at"]):
                audits[row["event_id"]] = row
        runs = [r for e in events for r in self._tables.where("run_figures", "event_id", e)]
        outcomes = [r for e in events for r in self._tables.where("change_outcomes",
                                                                  "event_id", e)
                    if r["counted"]]
        outcomes.sort(key=lambda r: (r["event_id"], r["position"]))
        return HistoryFigures(listed,
                              {k: _audit(v) for k, v in audits.items()}, runs, outcomes)

    @locked
    def tried_at(self, racer_id: str, track: str, condition: str = "", *,
                 leave_out: Sequence[str] = ()) -> list[TriedRow]:
        car_of = {e["id"]: e["vehicle_id"] for e in self._own_events(racer_id).values()
                  if e["track"].casefold() == track.casefold()
                  and (not condition or e["condition"].casefold() == condition.casefold())
                  and e["id"] not in leave_out}
        return figures.tried_from(
            (r for e in car_of for r in self._tables.where("change_outcomes", "event_id", e)),
            car_of)

    @locked
    def best_top5(self, racer_id: str, car_id: str, track: str, *,
                  leave_out: Sequence[str] = ()) -> float | None:
        events = [e for e in self._own_events(racer_id).values()
                  if e["vehicle_id"] == car_id and e["id"] not in leave_out
                  and e["track"].casefold() == track.casefold()]
        found = [r["top5"] for e in events
                 for r in self._tables.where("run_figures", "event_id", e["id"])
                 if r["clean"] >= COMPARABLE_MIN_CLEAN and r["top5"] is not None]
        return min(found, default=None)
