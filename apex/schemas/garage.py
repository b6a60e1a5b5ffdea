"""Profile, sponsor and car forms."""

from __future__ import annotations

from marshmallow import fields, validate

from apex.catalogue import PRESETS
from apex.models import EXPERIENCE_LEVELS
from apex.schemas import CreateFormSchema, FormSchema

TRANSPONDER = validate.Regexp(r"^\d{0,12}$", error="Digits only, at most 12.")


def text_field(max_len: int, *, required: bool = False, label: str = "") -> fields.String:
    """A trimmed text field of at most ``max_len``; required ones say "Enter the {label}."."""
    if required:
        return fields.String(
            required=True,
            validate=validate.Length(max=max_len, error=f"At most {max_len} characters."),
            error_messages={"required": f"Enter the {label}."},
        )
    too_long = validate.Length(max=max_len, error=f"At most {max_len} characters.")
    return fields.String(load_default="", validate=too_long)


class ProfileSchema(FormSchema):
    name = text_field(80, required=True, label="name you race under")
    email = fields.String(
        load_default="",
        validate=validate.Email(error="Enter a valid email or leave it empty."),
    )
    facebook = text_field(100)
    instagram = text_field(100)
    transponder = fields.String(load_default="", validate=TRANSPONDER)
    experience_level = fields.String(
        load_default="",
        validate=validate.OneOf(("", *EXPERIENCE_LEVELS), error="Pick a level from the list."),
    )
    driving_style = text_field(200)


class SponsorSchema(CreateFormSchema):
    name = text_field(60, required=True, label="sponsor's name")
    category = text_field(40)


class CarSchema(FormSchema):
    brand = text_field(40, required=True, label="brand")
    model = text_field(40, required=True, label="model")
    nickname = text_field(40)
    transponder = fields.String(load_default="", validate=TRANSPONDER)
    class_name = text_field(40)


class NewCarSchema(CarSchema, CreateFormSchema):
    preset = fields.String(
        load_default="",
        validate=validate.OneOf(("", *PRESETS), error="Pick a starting setup from the list."),
    )
