"""Race Support forms: quick notes, symptom taps, runs, lap pastes and confidence."""

from __future__ import annotations

from marshmallow import fields, validate

from apex.lap_stats import MANUAL_FLAGS
from apex.schemas import CreateFormSchema, FormSchema
from apex.symptoms import BY_KEY

NOTE_MAX = 2000
RUN_NAME_MAX = 40
# A lap table copied from a timing site carries many columns; 200 laps fit easily.
LAPS_TEXT_MAX = 30_000


def _run_id() -> fields.String:
    """The run the page showed; the view checks it belongs to the event."""
    return fields.String(load_default=None, validate=validate.Length(max=64))


class NoteSchema(CreateFormSchema):
    note = fields.String(
        required=True,
        validate=validate.Length(max=NOTE_MAX, error=f"At most {NOTE_MAX} characters."),
        error_messages={"required": "Write the note first: it is empty."},
    )
    run_id = _run_id()


class SymptomSchema(CreateFormSchema):
    symptom = fields.String(
        required=True,
        validate=validate.OneOf(tuple(BY_KEY), error="Pick a symptom from the buttons."),
        error_messages={"required": "Pick a symptom from the buttons."},
    )
    run_id = _run_id()


class RunSchema(CreateFormSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(max=RUN_NAME_MAX, error=f"At most {RUN_NAME_MAX} characters."),
        error_messages={"required": "Name the run, e.g. Practice 2, Q3 or A-Main."},
    )
    # The new run's id, made on the phone (rendered by the server, or the outbox's
    # crypto.randomUUID()), so laps can be sent to it before the server answered.
    run_id = fields.UUID(load_default=None, error_messages={
        "invalid_uuid": "Reload the page: this run's id is not one."})


class LapsSchema(CreateFormSchema):
    laps = fields.String(
        required=True,
        validate=validate.Length(max=LAPS_TEXT_MAX, error="That paste is too long for one run."),
        error_messages={"required": "Enter at least one lap time."},
    )
    # The lap preview's answers: whose laps (a table of several drivers), and "Save"
    # (confirm) or "Edit". The laps themselves are re-read from the text, never posted.
    driver = fields.String(load_default=None, validate=validate.Length(max=200))
    confirm = fields.Boolean(load_default=False)
    edit = fields.Boolean(load_default=False)


class LapFileSchema(CreateFormSchema):
    """An uploaded lap file's form: the file itself is read by apex.lap_reader."""


class ConfidenceSchema(FormSchema):
    confidence = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=5, error="Pick 1 to 5."),
        error_messages={"required": "Pick 1 to 5.", "invalid": "Pick 1 to 5."},
    )


class DeleteLapSchema(FormSchema):
    lap = fields.Integer(
        required=True, validate=validate.Range(min=1, error="No such lap."),
        error_messages={"required": "No such lap.", "invalid": "No such lap."},
    )
    # How many laps the page showed: a retried or crossed delete must not hit another lap.
    laps_seen = fields.Integer(load_default=None, validate=validate.Range(min=0))


class FlagLapSchema(FormSchema):
    """A tap on a lap: the racer's own flag for it (apex.lap_stats.MANUAL_FLAGS)."""

    flag = fields.String(
        load_default="", validate=validate.OneOf(MANUAL_FLAGS, error="No such lap flag."))
    # As for a delete: the flag applies to the list as shown (laps renumber).
    laps_seen = fields.Integer(load_default=None, validate=validate.Range(min=0))


class UndoLapSchema(FormSchema):
    """Undo of a lap delete: the place the lap was deleted from."""

    lap = fields.Integer(
        required=True, validate=validate.Range(min=1, error="No such lap."),
        error_messages={"required": "No such lap.", "invalid": "No such lap."},
    )
