"""The closing audit: a rating, then a symptom (1-2) or a gain (4-5), an observation."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from apex.lap_input import parse_time
from apex.models import AUDIT_GAINS, AUDIT_SYMPTOMS
from apex.schemas import FormSchema

OBSERVATION_MAX = 2000


class LapTimeField(fields.Field):
    """A lap time as a racer types it (31.842 or 1:02.417), read by apex.lap_input."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_time(str(value))
        except ValueError as err:
            raise ValidationError(f"Best lap: {err}.") from None


class AuditSchema(FormSchema):
    rating = fields.Integer(
        required=True, strict=False,
        validate=validate.Range(1, 5, error="Rate the event from 1 to 5."),
        error_messages={"required": "Rate the event from 1 to 5.",
                        "invalid": "Rate the event from 1 to 5."})
    symptom = fields.String(load_default="", validate=validate.OneOf(
        ("", *AUDIT_SYMPTOMS), error="Pick what went wrong from the list."))
    gain = fields.String(load_default="", validate=validate.OneOf(
        ("", *AUDIT_GAINS), error="Pick what got better from the list."))
    observation = fields.String(load_default="", validate=validate.Length(
        max=OBSERVATION_MAX, error=f"At most {OBSERVATION_MAX} characters."))
    best_lap = LapTimeField(load_default=None)
    end_date = fields.Date(load_default=None,
                           error_messages={"invalid": "Enter a date, e.g. 2026-11-25."})

    @validates_schema
    def _symptom_or_gain(self, data: dict[str, Any], **_: Any) -> None:
        """1-2 names what went wrong, 4-5 what got better, 3 neither (TUNING.md §5)."""
        rating = data.get("rating")
        if rating is None:
            return
        if rating <= 2 and not data.get("symptom"):
            raise ValidationError("A rating of 1 or 2: pick what went wrong.", "symptom")
        if rating >= 4 and not data.get("gain"):
            raise ValidationError("A rating of 4 or 5: pick what got better.", "gain")

    @post_load
    def _keep_only_the_matching_choice(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """A symptom picked before the rating was raised to 4 is not part of the audit."""
        rating = data["rating"]
        return {**data, "symptom": data["symptom"] if rating <= 2 else "",
                "gain": data["gain"] if rating >= 4 else ""}
