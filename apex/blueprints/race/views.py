"""The Race Support page: which event, which run, and everything its sections show.

Routes that change something live in ``notes.py`` (notes, symptoms) and
``runs.py`` (runs, laps, confidence); they all answer through ``answer``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue

from apex.advisor.guards import tyre_limit, tyre_runs
from apex.advisor.rules import RULES
from apex.auth_setup import current_racer_id
from apex.blueprints.event.blueprint import own_event, to_open_event
from apex.blueprints.race.blueprint import bp
from apex.catalogue import LABELS
from apex.compare import compare_setups
from apex.db import get_store
from apex.htmx import after_write, render, target_block
from apex.lap_stats import REFERENCE_MIN_LAPS, RunStats, lap_rows
from apex.models import Event, Run, SetupChange
from apex.race_rules import UNDO_WINDOW
from apex.symptoms import grouped
from apex.write_once import not_written

PAGE = "race/show.html"
# HX-Target id -> block. A saved note or symptom adds itself to the list out of band
# ("new_note"); a deleted one redraws "note-list".
BLOCKS = {"notes": "notes", "note-box": "note_box", "note-list": "note_list",
          "symptoms": "symptoms", "runs": "runs", "setup-drift": "setup_drift"}
# The newest notes and symptoms on the page; the rest are a tap away on "All notes" (paged).
# Each costs the page some 20 µs of server time and 150 B on the wire (issue 17).
NOTES_SHOWN = 10
NOTES_FIRST = 1  # of those, shown unfolded; the others fold under "Earlier"
CLOSED = "This event is closed: nothing was saved."
UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)

_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


@bp.get("/")
def current() -> ResponseReturnValue:
    """The racer's most recent active event, or a page saying there is none."""
    return to_open_event(_show, "race.show", "race/none.html")


@bp.get("/<event_id>")
def show(event_id: str) -> ResponseReturnValue:
    return _show(own_event(event_id))


def _show(event: Event) -> ResponseReturnValue:
    # After a plain (no-JS) delete the page offers its Undo, as the HTMX answer does.
    lap = request.args.get("undo_lap", "")
    return answer(race_context(event, request.args.get("run") or None,
                               undo_note_id=request.args.get("undo_note") or None,
                               undo_lap=int(lap) if lap.isdigit() else None))


# --- shared by the section views ----------------------------------------------------------

def race_context(event: Event, run_id: str | None = None, **overrides: Any
                 ) -> dict[str, Any]:
    """What the page (or the one section asked for) shows; forms start empty.

    ``run_id`` is the run on screen (404 if it is not this event's); else the latest run.
    The costly parts (the runs' figures and lap rows, the notes, the setup) are left to
    ``answer``, which adds those of the blocks it renders (``complete``).
    """
    runs, run, figures = _runs(event, run_id)
    context: dict[str, Any] = {
        "event": event, "readonly": not event.is_active, "runs": runs, "run": run,
        "figures": figures,
        "run_names": {r.id: r.name for r in runs},
        "phases": grouped(), "next_run_name": next_run_name(runs),
        "note_values": {}, "note_errors": {}, "symptom_errors": {}, "run_values": {},
        "run_errors": {}, "lap_values": {}, "lap_errors": {}, "line_errors": [],
        "line_source": "paste", "lap_drivers": [], "lap_preview": None,
        "undo_note_id": None, "undo_lap": None, "undo_minutes": UNDO_MINUTES,
        "notes_first": NOTES_FIRST, "notes_shown": NOTES_SHOWN, "new_log": None,
        # "Edit laps": the lap rows offer delete (a link's ?edit=laps, a delete form's field).
        "edit_laps": request.values.get("edit") == "laps",
        # The lap list is folded on a plain visit; after a lap write it is open.
        "laps_open": request.args.get("laps") == "open",
    }
    context.update(overrides)
    return context


def _runs(event: Event, run_id: str | None
          ) -> tuple[list[Run], Run | None, Mapping[str, RunStats | None]]:
    """The event's runs, the one on screen and their stored figures (apex.figures: no lap
    is worked over per page). Only the shown run's laps are read (a season's event holds
    600): the others show their lap count and figures. Under ``REFERENCE_MIN_LAPS`` laps
    it is flagged against the day's other runs (``lap_stats.lap_rows``), whose laps are
    read then."""
    store, racer_id = get_store(), current_racer_id()
    runs, figures = store.runs_with_figures(racer_id, event.id)
    head = pick_run(runs, run_id)
    if head is None:
        return runs, None, figures
    run = store.get_run(racer_id, head.id)
    if run is None:  # deleted since the list was read
        abort(404)
    if len(run.laps) < REFERENCE_MIN_LAPS and len(runs) > 1:
        runs = store.list_runs(racer_id, event.id)
        return runs, pick_run(runs, run.id), figures
    return [run if r.id == run.id else r for r in runs], run, figures


# The parts of the context only some blocks show, by block (None: the whole page). A note
# saved answers with its box and the new note: no run's figures, no note list, no setup.
PARTS: dict[str | None, tuple[str, ...]] = {
    None: ("figures", "logs", "setup"), "runs": ("figures",), "notes": ("logs",),
    "note_list": ("logs",), "setup_drift": ("setup",)}


def complete(context: dict[str, Any], blocks: Sequence[str | None]) -> dict[str, Any]:
    """``context`` with the parts ``blocks`` show added (what a caller gave is kept)."""
    event: Event = context["event"]
    runs: list[Run] = context["runs"]
    run: Run | None = context["run"]
    racer_id = current_racer_id()
    parts: dict[str, Any] = {}
    for part in dict.fromkeys(p for block in blocks for p in PARTS.get(block, ())):
        if part == "figures":
            stats: Mapping[str, RunStats | None] = context["figures"]
            parts.update({
                "stats": stats.get(run.id) if run else None,
                "lap_rows": lap_rows(runs, run, stats.get(run.id)) if run else [],
                # Each run's best clean lap (never a short lap: a double transponder hit).
                "bests": {rid: s.best for rid, s in stats.items() if s is not None}})
        elif part == "logs":
            parts["logs"] = get_store().list_event_logs(racer_id, event.id,
                                                        limit=NOTES_SHOWN)
        elif part == "setup":  # with the car, which the whole page's header names
            parts.update(_setup_context(racer_id, event, runs))
    return {**parts, **context}


def _setup_context(racer_id: str, event: Event, runs: list[Run]) -> dict[str, Any]:
    store = get_store()
    setup = store.get_event_setup(racer_id, event.id)
    car, shop = store.get_car_with_config(racer_id, event.car_id) or (None, None)
    drift = compare_setups(shop.values, setup.values).differences if shop and setup else None
    changes = store.list_changes(racer_id, event.id)
    return {"car": car, "drift": drift, "changes": changes, "labels": LABELS,
            "tyres": tyre_count(event, runs, changes, setup.tyres_fitted_at if setup else None),
            "tyres_notice": ""}


def tyre_count(event: Event, runs: list[Run], changes: list[SetupChange],
               fitted: datetime | None) -> dict[str, Any] | None:
    """"Tyres: 4 of 6 runs" (TUNING §2): runs on these tyres against the surface's wear
    limit, ``warn`` from the advisor's warning share (§3.2); None without a limit."""
    limit = tyre_limit(event, RULES)
    if limit is None:
        return None
    done_runs = tyre_runs(runs, changes, fitted)
    return {"runs": done_runs, "limit": limit,
            "warn": done_runs >= RULES.tyre_warning_share * limit}


def answer(context: dict[str, Any], status: int = 200, oob: Sequence[str] = (),
           headers: dict[str, str] | None = None) -> ResponseReturnValue:
    """The page, or the targeted section plus ``oob`` blocks swapped out of band."""
    block = target_block(BLOCKS)
    blocks = [None] if block is None else [block, *oob]
    body, status = render(PAGE, BLOCKS, status, oob=oob, **complete(context, blocks))
    return body, status, headers or {}


def done(event: Event, message: str, anchor: str, *, run_id: str | None = None,
         category: str = "message", oob: Sequence[str] = (),
         headers: dict[str, str] | None = None, url: Mapping[str, Any] | None = None,
         **overrides: Any) -> ResponseReturnValue:
    """After a write: the updated section for HTMX, else flash + 303 back to the page
    (``url``: more of its query string, as ``show`` reads it)."""
    return after_write(
        lambda: answer(race_context(event, run_id, **overrides), oob=oob, headers=headers),
        message, "race.show", category=category, event_id=event.id, run=run_id,
        _anchor=anchor, **(url or {}))


def refuse_closed(event: Event, anchor: str, run_id: str | None = None
                  ) -> ResponseReturnValue | None:
    """A closed event is read-only: say so and write nothing (None when it is open)."""
    if event.is_active:
        return None
    not_written()
    return after_write(lambda: answer(race_context(event, run_id, closed_notice=CLOSED)),
                       CLOSED, "race.show", event_id=event.id, _anchor=anchor)


def replay(anchor: str, message: str, notice: str, *, form_run: bool = False,
           **overrides: Any) -> Callable[..., ResponseReturnValue]:
    """A race-day write's answer to a resend (apex.write_once): the section as it is now,
    ``message`` said in its ``notice`` (``form_run``: the run on screen is the form's
    ``run_id``, not the URL's; ``overrides``: more of ``done``'s arguments)."""
    def answer_replay(event_id: str, run_id: str | None = None, **_: Any) -> ResponseReturnValue:
        event = own_event(event_id)
        shown = (request.form.get("run_id") or None) if form_run else run_id
        shown_notice: dict[str, Any] = {notice: message}
        return done(event, message, anchor, run_id=shown, **shown_notice, **overrides)
    return answer_replay


def pick_run(runs: list[Run], run_id: str | None) -> Run | None:
    """The asked-for run of this event (404 otherwise), or the latest one."""
    if not run_id:
        return runs[-1] if runs else None
    run = next((r for r in runs if r.id == run_id), None)
    if run is None:
        abort(404)
    return run


def own_run(event: Event, run_id: str) -> Run:
    """The racer's run of this event, or 404 (another event's run too)."""
    run = get_store().get_run(current_racer_id(), run_id)
    if run is None or run.event_id != event.id:
        abort(404)
    return run


def next_run_name(runs: list[Run]) -> str:
    """"Q3" after "Q2", else the next practice number."""
    if not runs:
        return "Practice 1"
    match = _TRAILING_NUMBER.match(runs[-1].name)
    if match:
        return f"{match[1]}{int(match[2]) + 1}"[:40]
    practices = sum(1 for r in runs if r.name.casefold().startswith("practice"))
    return f"Practice {practices + 1}"
