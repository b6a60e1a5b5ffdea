"""Asking the advisor: a symptom, optionally a note, the temperature now, "insist"."""

from __future__ import annotations

from marshmallow import fields, validate

from apex.schemas import CreateFormSchema
from apex.symptoms import BY_KEY


class AskSchema(CreateFormSchema):
    symptom = fields.String(
        required=True,
        validate=validate.OneOf(tuple(BY_KEY), error="Pick what the car does from the list."),
        error_messages={"required": "Pick what the car does."})
    note = fields.String(load_default="", validate=validate.Length(
        max=500, error="At most 500 characters."))
    temperature_now = fields.Integer(
        load_default=None, strict=False,
        validate=validate.Range(-30, 70, error="Temperature must be between -30 and 70 °C."),
        error_messages={"invalid": "Enter a whole number of °C."})
    insist = fields.Boolean(load_default=False, truthy={"1", "on", "yes", "true"},
                            falsy={"0", "off", "no", "false"})
