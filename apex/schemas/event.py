"""Event forms: start an event, edit its setup (with the version the page showed)."""

from __future__ import annotations

from marshmallow import fields, validate

from apex.models import CONDITIONS, EVENT_TYPES, SURFACES, TRACK_SIZES, TRACTIONS
from apex.schemas import CreateFormSchema
from apex.schemas.garage import text_field
from apex.schemas.setup import SetupSchema

SHOP_MASTER = "shop"


def _choice(options: tuple[str, ...], what: str, *, required: bool = False) -> fields.String:
    pick = validate.OneOf(options, error=f"Pick the {what} from the list.")
    if required:
        return fields.String(required=True, validate=pick,
                             error_messages={"required": f"Pick the {what}."})
    return fields.String(load_default="", validate=validate.OneOf(("", *options),
                                                                  error=pick.error))


def _count(lo: int, hi: int, what: str) -> fields.Integer:
    return fields.Integer(
        load_default=None, strict=False,
        validate=validate.Range(lo, hi, error=f"{what} must be between {lo} and {hi}."),
        error_messages={"invalid": "Enter a whole number."})


class StartEventSchema(CreateFormSchema):
    car_id = fields.String(required=True, error_messages={"required": "Pick the car."})
    name = text_field(80, required=True, label="event's name")
    type = _choice(EVENT_TYPES, "event type", required=True)
    start_date = fields.Date(required=True, error_messages={
        "required": "Enter the date.", "invalid": "Enter a date, e.g. 2026-11-25."})
    track = text_field(80, required=True, label="track's name")
    track_size = _choice(TRACK_SIZES, "track size")
    traction = _choice(TRACTIONS, "traction")
    surface = _choice(SURFACES, "surface")
    condition = _choice(CONDITIONS, "surface condition")
    temperature = _count(-30, 70, "Temperature (°C)")
    practice_rounds = _count(0, 50, "Practice rounds")
    qualifying_rounds = _count(0, 50, "Qualifying rounds")
    # "shop" (the car's Shop Master) or a library baseline's id
    baseline = fields.String(load_default=SHOP_MASTER, validate=validate.Regexp(
        r"^(shop|[0-9]{1,9})$", error="Pick a starting setup from the list."))


class EventSetupSchema(SetupSchema):  # type: ignore[valid-type,misc]
    version = fields.Integer(required=True, strict=False,
                             validate=validate.Range(min=1, error="Reload the page."),
                             error_messages={"required": "Reload the page.",
                                             "invalid": "Reload the page."})
