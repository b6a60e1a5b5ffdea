"""Profile, sponsor and car forms."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from apex.catalogue import NITRO, POWERS, PRESET_POWERS, PRESETS
from apex.models import EXPERIENCE_LEVELS
from apex.schemas import CreateFormSchema, FormSchema, VersionedFormSchema

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


class ProfileSchema(VersionedFormSchema):
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
    # Empty: the car keeps its power (a new car takes its starting setup's, else nitro).
    power = fields.String(
        load_default="",
        validate=validate.OneOf(("", *POWERS), error="Pick nitro or electric."),
    )


class EditCarSchema(CarSchema, VersionedFormSchema):
    # The racer's yes to a power change that empties the other power's Shop Master fields.
    confirm_power = fields.Boolean(load_default=False, truthy={"1", "on", "true"},
                                   falsy={"", "0", "off", "false"})


class NewCarSchema(CarSchema, CreateFormSchema):
    preset = fields.String(
        load_default="",
        validate=validate.OneOf(("", *PRESETS), error="Pick a starting setup from the list."),
    )

    @post_load
    def _power_of_preset(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """The starting setup chooses the power; a power that contradicts it is refused."""
        preset_power = PRESET_POWERS.get(data["preset"])
        if preset_power and data["power"] not in ("", preset_power):
            raise ValidationError(f"{data['preset']} is a {preset_power} car.", "power")
        return {**data, "power": data["power"] or preset_power or NITRO}
