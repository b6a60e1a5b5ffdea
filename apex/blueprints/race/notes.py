"""Quick notes and symptom taps: track logs written at the event, against the run on screen."""

from __future__ import annotations

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex.auth_setup import current_racer_id
from apex.blueprints.event.blueprint import own_event
from apex.blueprints.race.blueprint import bp
from apex.blueprints.race.views import answer, done, own_run, race_context, refuse_closed, replay
from apex.db import get_store
from apex.note_pages import note_page
from apex.note_tags import tag_keywords
from apex.schemas import form_dict
from apex.schemas.race import NoteSchema, SymptomSchema
from apex.symptoms import BY_KEY
from apex.write_once import once

LOGS_CHECKED = 1000  # a delete must name a note of this event; a day has far fewer


@bp.post("/<event_id>/notes")
@once(replay("notes", "Already saved.", "note_notice", form_run=True, note_saved=True,
             category="note-saved", oob=("note_list",)))
def add_note(event_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event = own_event(event_id)
    values = form_dict(request.form)
    run_id = values.get("run_id") or None
    if (closed := refuse_closed(event, "notes", run_id)) is not None:
        return closed
    try:
        data = NoteSchema().load(values)
    except ValidationError as err:
        context = race_context(event, run_id, note_values=values, note_errors=err.messages)
        return answer(context, 422)
    run = own_run(event, data["run_id"]) if data["run_id"] else None
    text = data["note"]
    log = get_store().add_event_log(
        racer_id, event.id, "note", text, run_id=run.id if run else None,
        keywords=" ".join(tag_keywords(text)))  # its key: apex.write_once
    # None: this very form was saved before (a retry after a lost answer).
    message = "Note saved." if log else "Already saved."
    # NOTE: the "note-saved" flash (plain) and note_saved (HTMX) mark the answer that
    # lets app.js drop the draft it kept in localStorage.
    # HTMX: the emptied form, and the new note alone on top of the list (out of band); a
    # retry whose first answer was lost redraws the list (the phone never got the note).
    return done(event, message, "notes", run_id=run_id, category="note-saved",
                note_saved=True, note_notice=message, new_log=log,
                oob=("new_note",) if log else ("note_list",))


def _replay_delete(event_id: str, note_id: str) -> ResponseReturnValue:
    """A resend of a delete: the list without the note, its Undo still offered."""
    return done(own_event(event_id), "Note deleted.", "notes", note_list_notice="Note deleted.",
                undo_note_id=note_id, url={"undo_note": note_id})


@bp.post("/<event_id>/notes/<note_id>/delete")
@once(_replay_delete, scope=lambda note_id, **_: f"delete-note:{note_id}")
def delete_note(event_id: str, note_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event = own_event(event_id)
    if (closed := refuse_closed(event, "notes")) is not None:
        return closed
    store = get_store()
    logs = store.list_event_logs(racer_id, event.id, limit=LOGS_CHECKED)
    if not any(log.id == note_id for log in logs) or not store.delete_track_log(racer_id,
                                                                                   note_id):
        abort(404)
    # The answer offers Undo (it lasts race_rules.UNDO_WINDOW) until the list is redrawn.
    return done(event, "Note deleted.", "notes", note_list_notice="Note deleted.",
                undo_note_id=note_id, url={"undo_note": note_id})


@bp.post("/<event_id>/notes/<note_id>/undo")
@once(replay("notes", "Note restored.", "note_list_notice"),
      scope=lambda note_id, **_: f"undo-note:{note_id}")
def undo_note(event_id: str, note_id: str) -> ResponseReturnValue:
    """The deleted note back as it was: 404 when it is not the racer's, or its undo
    is over (it may be purged already)."""
    racer_id = current_racer_id()
    event = own_event(event_id)
    if (closed := refuse_closed(event, "notes")) is not None:
        return closed
    log = get_store().restore_track_log(racer_id, note_id)
    if log is None:
        abort(404)
    return done(event, "Note restored.", "notes", note_list_notice="Note restored.")


@bp.get("/<event_id>/notes")
def event_notes(event_id: str) -> ResponseReturnValue:
    """Every note of the event, a page at a time (apex.note_pages)."""
    racer_id = current_racer_id()
    event = own_event(event_id)
    return note_page(
        lambda before, limit: get_store().page_track_logs(
            racer_id, event_id=event.id, before=before, limit=limit),
        heading=f"{event.name} · {event.track}", show_event=False,
        back_url=url_for("race.show", event_id=event.id, _anchor="notes"),
        back_label="Race Support")


@bp.post("/<event_id>/symptoms")
@once(replay("symptoms", "Already logged.", "symptom_notice", form_run=True,
             oob=("note_list",)),
      scope=lambda **_: request.form.get("symptom", ""))
def log_symptom(event_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event = own_event(event_id)
    values = form_dict(request.form)
    run_id = values.get("run_id") or None
    if (closed := refuse_closed(event, "symptoms", run_id)) is not None:
        return closed
    try:
        data = SymptomSchema().load(values)
    except ValidationError as err:
        return answer(race_context(event, run_id, symptom_errors=err.messages), 422)
    run = own_run(event, data["run_id"]) if data["run_id"] else None
    symptom = BY_KEY[data["symptom"]]
    # NOTE: one form serves every button: its key plus the symptom is what a retry
    # repeats (the scope of its key, apex.write_once), so a retried tap is stored once
    # and another button still counts.
    log = get_store().add_event_log(
        racer_id, event.id, "symptom", symptom.label, run_id=run.id if run else None,
        keywords=" ".join(tag_keywords(symptom.label)))
    where = f" · {run.name}" if run else ""
    message = f"Logged {symptom.label}{where}." if log else "Already logged."
    return done(event, message, "symptoms", run_id=run_id,
                oob=("new_note",) if log else ("note_list",),
                symptom_logged=log, symptom_notice=message, new_log=log)
