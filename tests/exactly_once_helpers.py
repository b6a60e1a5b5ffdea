"""The race-day writes of the exactly-once tests (test_exactly_once*.py): for each, what
to arrange, where it posts, a good and a bad form, and the stored state it changes.

A day at the track arranged straight in the store: alice's car and open event, a run
"Practice 1" with 5 laps and confidence 4 (the advisor answers with proposals).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.conftest import CAR, EVENT, NB48, hx, racer, store_of

LAPS = ("31.5", "31.4", "31.6", "31.3", "31.7")


def new_key() -> str:
    return str(uuid.uuid4())


def race_day(app, username="alice"):
    """A car, an open event and a run with 5 laps, all ``username``'s: (event, run)."""
    store, rid = store_of(app), racer(app, username)
    car = store.add_car(rid, CAR, NB48)
    event = store.start_event(rid, {**EVENT, "surface": "Wet", "condition": "Smooth",
                                    "traction": "Medium", "temperature": 20,
                                    "car_id": car.id}, NB48)
    run = store.add_run(rid, event.id, "Practice 1")
    store.add_laps(rid, run.id, [Decimal(s) for s in LAPS])
    store.set_run_confidence(rid, run.id, 4)
    return event, store.get_run(rid, run.id)


@dataclass
class Day:
    """What a case works on: the app, alice's client, event and run, and what the
    case's ``arrange`` made (``made``)."""

    app: Any
    client: Any
    event: Any
    run: Any
    made: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self):
        return store_of(self.app)

    @property
    def rid(self) -> str:
        return racer(self.app)

    def changes(self):
        return self.store.list_changes(self.rid, self.event.id)

    def logs(self):
        return [(log.kind, log.note) for log in self.store.list_event_logs(self.rid,
                                                                             self.event.id)]

    def laps(self):
        run = self.store.get_run(self.rid, self.run.id)
        return [(lap.lap_number, lap.seconds, lap.flag) for lap in run.laps]


@dataclass
class Write:
    """One race-day write: ``url(day)``, ``good(day)`` and ``bad(day)`` forms (None: it
    takes no input to get wrong), the HTMX target it swaps, ``state(day)`` to compare."""

    name: str
    url: Callable[[Day], str]
    good: Callable[[Day], dict]
    state: Callable[[Day], Any]
    target: str
    bad: Callable[[Day], dict] | None = None
    arrange: Callable[[Day], None] = lambda day: None


def _ask(day: Day) -> None:
    response = day.client.post(f"/advisor/{day.event.id}/ask", data={"symptom": "push_entry"})
    assert response.status_code == 303
    day.made["proposal"] = next(c for c in day.changes() if c.status == "pending")


def _accepted_change(day: Day) -> None:
    edit = day.store.edit_event_setup(day.rid, day.event.id, {"SO_F": 500}, source="manual")
    day.made["change"] = edit.changes[0]


def _deleted_lap(day: Day) -> None:
    day.store.delete_lap(day.rid, day.run.id, 2)


def _note(day: Day) -> None:
    day.made["note"] = day.store.add_event_log(day.rid, day.event.id, "note", "hot track")


def _deleted_note(day: Day) -> None:
    _note(day)
    day.store.delete_track_log(day.rid, day.made["note"].id)


def _setup_form(day: Day, **changes: str) -> dict:
    setup = day.store.get_event_setup(day.rid, day.event.id)
    form = {k: "" if v is None else str(v) for k, v in setup.values.items()}
    return {**form, "version": str(setup.version), **changes}


def _best_then_changed(day: Day) -> None:
    day.store.edit_event_setup(day.rid, day.event.id, {"DF": 6000}, source="manual")


def _setup_state(day: Day):
    setup = day.store.get_event_setup(day.rid, day.event.id)
    return setup.version, len(day.changes())


def _race(day: Day, path: str = "") -> str:
    return f"/race/{day.event.id}{path}"


def _run(day: Day, path: str) -> str:
    return f"/race/{day.event.id}/runs/{day.run.id}{path}"


WRITES = [
    Write("note", lambda d: _race(d, "/notes"), lambda d: {"note": "loose on entry"},
          Day.logs, "note-box", bad=lambda d: {"note": ""}),
    Write("symptom", lambda d: _race(d, "/symptoms"), lambda d: {"symptom": "bottoming"},
          Day.logs, "symptoms", bad=lambda d: {"symptom": "nope"}),
    Write("confidence", lambda d: _run(d, "/confidence"), lambda d: {"confidence": "2"},
          lambda d: d.store.get_run(d.rid, d.run.id).confidence, "runs",
          bad=lambda d: {"confidence": "9"}),
    Write("start run", lambda d: _race(d, "/runs"),
          lambda d: {"name": "Q1", "run_id": d.made.setdefault("run_id", new_key())},
          lambda d: [r.id for r in d.store.list_runs(d.rid, d.event.id)], "runs",
          bad=lambda d: {"name": ""}),
    Write("laps pasted", lambda d: _run(d, "/laps"), lambda d: {"laps": "31.2 31.1"},
          Day.laps, "runs", bad=lambda d: {"laps": "fast"}),
    Write("lap flag", lambda d: _run(d, "/laps/3/flag"),
          lambda d: {"flag": "out", "laps_seen": "5"}, Day.laps, "runs",
          bad=lambda d: {"flag": "bogus", "laps_seen": "5"}),
    Write("lap delete", lambda d: _run(d, "/laps/delete"),
          lambda d: {"lap": "2", "laps_seen": "5"}, Day.laps, "runs",
          bad=lambda d: {"lap": "x", "laps_seen": "5"}),
    Write("lap undo", lambda d: _run(d, "/laps/undo"), lambda d: {"lap": "2"}, Day.laps,
          "runs", bad=lambda d: {"lap": "0"}, arrange=_deleted_lap),
    Write("note delete", lambda d: _race(d, f"/notes/{d.made['note'].id}/delete"),
          lambda d: {}, Day.logs, "note-list", arrange=_note),
    Write("note undo", lambda d: _race(d, f"/notes/{d.made['note'].id}/undo"),
          lambda d: {}, Day.logs, "note-list", arrange=_deleted_note),
    Write("fresh tyres", lambda d: _race(d, "/tyres/fresh"), lambda d: {},
          lambda d: d.store.get_event_setup(d.rid, d.event.id).tyres_fitted_at,
          "setup-drift"),
    Write("event setup save", lambda d: f"/event/{d.event.id}/setup",
          lambda d: d.made.setdefault("form", _setup_form(d, SO_F="500")), _setup_state,
          "event-setup", bad=lambda d: _setup_form(d, SO_F="lots")),
    Write("restore", lambda d: f"/event/{d.event.id}/restore", lambda d: {}, _setup_state,
          "", arrange=_best_then_changed),
    Write("revert change", lambda d: f"/event/{d.event.id}/changes/{d.made['change'].id}/revert",
          lambda d: {}, lambda d: [(c.id, c.status) for c in d.changes()], "changes",
          arrange=_accepted_change),
    Write("advisor ask", lambda d: f"/advisor/{d.event.id}/ask",
          lambda d: {"symptom": "push_entry"},
          lambda d: (d.logs(), [c.id for c in d.changes()]), "advice",
          bad=lambda d: {"symptom": "nope"}),
    Write("accept", lambda d: f"/advisor/{d.event.id}/proposals/{d.made['proposal'].id}/accept",
          lambda d: {}, lambda d: [(c.id, c.status) for c in d.changes()], "advice",
          arrange=_ask),
    Write("deny", lambda d: f"/advisor/{d.event.id}/proposals/{d.made['proposal'].id}/deny",
          lambda d: {}, lambda d: [(c.id, c.status) for c in d.changes()], "advice",
          arrange=_ask),
]


def post(day: Day, write: Write, form: dict, key: str):
    """The write as the page (HTMX) sends it; a plain form post for a no-HTMX one."""
    headers = hx(write.target) if write.target else {}
    return day.client.post(write.url(day), data={**form, "request_key": key}, headers=headers)


def lap_file(text: str) -> dict:
    return {"lapfile": (io.BytesIO(text.encode()), "laps.txt")}
