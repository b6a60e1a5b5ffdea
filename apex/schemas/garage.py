"""Profile, sponsor and car forms."""

from __future__ import annotations

from marshmallow import fields, validate

from apex.catalogue import PRESETS
from apex.models import EXPERIENCE_LEVELS
from apex.schemas import CreateFormSchema, FormSchema

TRANSPONDER = validate.Regexp(r"^\d{0,12}$", error="Digits only, at most 12.")


def _text(max_len: int, *, required: bool = False, label: str = "") -> fields.String:
    if required:
        return fields.String(
            required=True,
            validate=validate.Length(max=max_len, error=f"At most {max_len} characters."),
            error_messages={"required": f"Enter the {label}."},
        )
    too_long = validate.Length(max=max_len, error=f"At most {max_len} characters.")
    return fields.String(load_default="", validate=too_long)


class ProfileSchema(FormSchema):
    name = _text(80, required=True, label="name you race under")
    email = fields.String(
        load_default="",
        validate=validate.Email(error="Enter a valid email or leave it empty."),
    )
    facebook = _text(100)
    instagram = _text(100)
    transponder = fields.String(load_default="", validate=TRANSPONDER)
    experience_level = fields.String(
        load_default="",
        validate=validate.OneOf(("", *EXPERIENCE_LEVELS), error="Pick a level from the list."),
    )
    driving_style = _text(200)


class SponsorSchema(CreateFormSchema):
    name = _text(60, required=True, label="sponsor's name")
    category = _text(40)


class CarSchema(FormSchema):
    brand = _text(40, required=True, label="brand")
    model = _text(40, required=True, label="model")
    nickname = _text(40)
    transponder = fields.String(load_default="", validate=TRANSPONDER)
    class_name = _text(40)


class NewCarSchema(CarSchema, CreateFormSchema):
    preset = fields.String(
        load_default="",
        validate=validate.OneOf(("", *PRESETS), error="Pick a starting setup from the list."),
    )
