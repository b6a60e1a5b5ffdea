"""Runs and their laps: start a run, delete a lap, flag one by hand, rate confidence
(laps in: laps_in.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, make_response, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema, ValidationError

from apex.auth_setup import current_racer_id
from apex.blueprints.event.blueprint import own_event
from apex.blueprints.race.blueprint import bp
from apex.blueprints.race.views import (
    answer,
    done,
    own_run,
    race_context,
    refuse_closed,
    replay,
)
from apex.db import get_store
from apex.htmx import after_write
from apex.lap_input import format_lap
from apex.models import Event, Run
from apex.schemas import form_dict
from apex.schemas.race import (
    ConfidenceSchema,
    DeleteLapSchema,
    FlagLapSchema,
    RunSchema,
    UndoLapSchema,
)
from apex.store import DuplicateError
from apex.write_once import not_written, once

LAPS_CHANGED = ("The laps changed since this list was shown (that lap deleted already, or "
                "laps added): nothing was deleted. Check the list and try again.")
FLAG_CHANGED = ("The laps changed since this list was shown: nothing was flagged. Check the "
                "list and try again.")
LAPS_OPEN = {"laps": "open"}  # the page after a lap write (no JavaScript): the list unfolded
FLAGGED = {"out": "left out of the figures", "in": "counted in the figures",
           "": "flagged by its time again"}


def _replay_start(event_id: str) -> ResponseReturnValue:
    return _started(own_event(event_id), "Already started.")


@bp.post("/<event_id>/runs")
@once(_replay_start)
def start_run(event_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event = own_event(event_id)
    if (closed := refuse_closed(event, "runs")) is not None:
        return closed
    values = form_dict(request.form)
    try:
        data = RunSchema().load(values)
    except ValidationError as err:
        return answer(race_context(event, run_values=values, run_errors=err.messages), 422)
    store = get_store()
    run_id = str(data["run_id"]) if data["run_id"] else None
    if run_id and (started := store.get_run(racer_id, run_id)) and started.event_id == event.id:
        not_written()  # this very run, sent again with another key
        return _started(event, "Already started.")
    try:
        run = store.add_run(racer_id, event.id, data["name"], run_id=run_id)
    except DuplicateError as taken:  # another racer's run (or another event's): never theirs
        shown = {k: v for k, v in values.items() if k != "run_id"}  # a new id to try
        return answer(race_context(event, run_values=shown,
                                   run_errors={taken.field: [taken.message]}), 422)
    return _started(event, f"Started {run.name}." if run else "Already started.")


def _started(event: Event, message: str) -> ResponseReturnValue:
    # A reload must show the new run, not a ?run= the page was opened with.
    replace_url = {"HX-Replace-Url": url_for("race.show", event_id=event.id)}
    # NOTE: the runs section is first on the page (race/show.html): it is swapped, and the
    # note and symptom forms follow the new run out of band (they now log against it).
    return after_write(
        lambda: answer(race_context(event, run_notice=message), oob=("run_markers",),
                       headers=replace_url),
        message, "race.show", event_id=event.id, _anchor="runs")


def _replay_delete(event_id: str, run_id: str) -> ResponseReturnValue:
    """A resend of a lap delete: the laps as they are, its Undo still offered."""
    event = own_event(event_id)
    lap = request.form.get("lap", "")
    undo = int(lap) if lap.isdigit() else None
    message = f"Lap {lap} deleted." if undo else "Already deleted."
    return done(event, message, "runs", run_id=own_run(event, run_id).id, run_notice=message,
                undo_lap=undo, url={"undo_lap": undo, "edit": "laps"})


@bp.post("/<event_id>/runs/<run_id>/laps/delete")
@once(_replay_delete,
      scope=lambda **_: f"delete-lap:{request.form.get('lap', '')}")
def delete_lap(event_id: str, run_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event, run, data = posted_to_run(event_id, run_id, DeleteLapSchema, "laps_errors")
    lap = next((lap for lap in run.laps if lap.lap_number == data["lap"]), None)
    # NOTE: laps renumber after a delete, so a retried or crossed delete would hit the
    # next lap: only delete from the list the racer saw.
    if lap is None or data["laps_seen"] not in (None, len(run.laps)):
        not_written()
        return done(event, LAPS_CHANGED, "runs", run_id=run.id, run_notice=LAPS_CHANGED,
                    url=LAPS_OPEN)
    if get_store().delete_lap(racer_id, run.id, lap.lap_number) is None:
        abort(404)
    message = f"Deleted lap {lap.lap_number} ({format_lap(lap.seconds)})."
    # The answer offers Undo (it lasts race_rules.UNDO_WINDOW) until the laps are redrawn.
    return done(event, message, "runs", run_id=run.id, run_notice=message,
                undo_lap=lap.lap_number, url={"undo_lap": lap.lap_number, "edit": "laps"})


@bp.post("/<event_id>/runs/<run_id>/laps/<int:lap_number>/flag")
@once(replay("runs", "Already saved.", "run_notice", url=LAPS_OPEN),
      scope=lambda lap_number, **_: f"flag:{lap_number}:{request.form.get('flag', '')}")
def flag_lap(event_id: str, run_id: str, lap_number: int) -> ResponseReturnValue:
    """A tap on a lap: left out (a pit stop, a cut) or counted, whatever its time says."""
    racer_id = current_racer_id()
    event, run, data = posted_to_run(event_id, run_id, FlagLapSchema, "laps_errors")
    lap = next((lap for lap in run.laps if lap.lap_number == lap_number), None)
    if lap is None or data["laps_seen"] not in (None, len(run.laps)):
        not_written()
        return done(event, FLAG_CHANGED, "runs", run_id=run.id, run_notice=FLAG_CHANGED,
                    url=LAPS_OPEN)
    if get_store().set_lap_flag(racer_id, run.id, lap_number, data["flag"]) is None:
        abort(404)
    message = f"Lap {lap_number} ({format_lap(lap.seconds)}) {FLAGGED[data['flag']]}."
    return done(event, message, "runs", run_id=run.id, run_notice=message, url=LAPS_OPEN)


@bp.post("/<event_id>/runs/<run_id>/laps/undo")
@once(replay("runs", "Already back.", "run_notice", url=LAPS_OPEN),
      scope=lambda **_: f"undo-lap:{request.form.get('lap', '')}")
def undo_lap(event_id: str, run_id: str) -> ResponseReturnValue:
    """The lap last deleted from that place back in it: 404 when the run is not the
    racer's or there is nothing to undo (its undo is over)."""
    racer_id = current_racer_id()
    event, run, data = posted_to_run(event_id, run_id, UndoLapSchema, "laps_errors")
    restored = get_store().restore_lap(racer_id, run.id, data["lap"])
    if restored is None:
        abort(404)
    lap = restored.laps[min(data["lap"], len(restored.laps)) - 1]
    message = f"Lap {lap.lap_number} ({format_lap(lap.seconds)}) is back."
    return done(event, message, "runs", run_id=run.id, run_notice=message,
                url={**LAPS_OPEN, "edit": "laps" if request.form.get("edit") == "laps" else None})


@bp.post("/<event_id>/runs/<run_id>/confidence")
@once(replay("runs", "Already saved.", "run_notice"),
      scope=lambda **_: f"confidence:{request.form.get('confidence', '')}")
def set_confidence(event_id: str, run_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event, run, data = posted_to_run(event_id, run_id, ConfidenceSchema, "confidence_errors")
    if get_store().set_run_confidence(racer_id, run.id, data["confidence"]) is None:
        abort(404)
    message = f"Confidence {data['confidence']}/5 for {run.name}."
    return done(event, message, "runs", run_id=run.id, run_notice=message)


def posted_to_run(event_id: str, run_id: str, schema: type[Schema], errors_name: str,
                   **keep: Any) -> tuple[Event, Run, dict[str, Any]]:
    """The racer's event and run, and the form loaded by ``schema``.

    A closed event's answer (nothing written) or the 422 with ``errors_name`` set (and
    ``keep``, what the racer typed) ends the request here, through ``abort``.
    """
    event = own_event(event_id)
    run = own_run(event, run_id)
    if (closed := refuse_closed(event, "runs", run.id)) is not None:
        abort(make_response(closed))
    try:
        data = schema().load(form_dict(request.form))
    except ValidationError as err:
        shown: dict[str, Any] = {errors_name: err.messages, **keep}
        context = race_context(event, run.id, **shown)
        abort(make_response(answer(context, 422)))
    return event, run, data
