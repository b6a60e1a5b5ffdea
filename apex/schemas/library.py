"""Library forms: a baseline (where, when, who, and its setup) and a search."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from marshmallow.types import ErrorMessages

from apex.catalogue import PARAMS, PRESETS
from apex.models import LIBRARY_SOURCES
from apex.schemas import CreateFormSchema, FormSchema, VersionedFormSchema
from apex.schemas.setup import ParamField


def _text(max_len: int, *, label: str = "") -> fields.String:
    too_long = validate.Length(max=max_len, error=f"At most {max_len} characters.")
    if label:
        return fields.String(required=True, validate=too_long,
                             error_messages={"required": f"Enter the {label}."})
    return fields.String(load_default="", validate=too_long)


_DATE: ErrorMessages = {
    "required": "Enter the date it ran.", "invalid": "Enter a date like 2025-11-02."}
_BASELINE_FIELDS: dict[str, fields.Field[Any]] = {
    "track": _text(80, label="track"),
    "brand": _text(40, label="brand"),
    "vehicle": _text(40, label="vehicle"),
    "condition": _text(80),
    "date": fields.Date(required=True, error_messages=_DATE),
    "source": fields.String(
        required=True, validate=validate.OneOf(LIBRARY_SOURCES, error="Pick a source."),
        error_messages={"required": "Pick a source."}),
    "driver_name": _text(80),
    "notes": _text(500),
}

# A baseline form: its fields and every catalogue parameter, checked as in Shop Master.
BaselineSchema = CreateFormSchema.from_dict(
    {**_BASELINE_FIELDS, **{p.key: ParamField(p) for p in PARAMS}}, name="BaselineSchema")


class EditBaselineSchema(BaselineSchema, VersionedFormSchema):  # type: ignore[valid-type,misc]
    """Editing one's own baseline: the version its page showed, too."""

# Promoting a Shop Master: the fields only; the values come from the car.
PromoteSchema = CreateFormSchema.from_dict(
    {**{k: f for k, f in _BASELINE_FIELDS.items() if k not in ("brand", "vehicle")},
     "car_id": fields.String(required=True,
                             error_messages={"required": "Pick one of your cars."})},
    name="PromoteSchema")


CURSOR = r"^(\d{4}-\d\d-\d\d\.\d{1,12})?$"


class SearchSchema(FormSchema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    brand = fields.String(load_default="", validate=validate.Length(max=40))
    vehicle = fields.String(load_default="", validate=validate.Length(max=40))
    track = fields.String(load_default="", validate=validate.Length(max=80))
    condition = fields.String(load_default="", validate=validate.Length(max=80))
    date_from = fields.Date(load_default=None, error_messages={"invalid": "Use a date."})
    date_to = fields.Date(load_default=None, error_messages={"invalid": "Use a date."})
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000),
                          error_messages={"invalid": "Use a page number."})
    # Keyset paging links (apex.models.cursor): "2025-11-02.123".
    after = fields.String(load_default="", validate=validate.Regexp(CURSOR))
    before = fields.String(load_default="", validate=validate.Regexp(CURSOR))


class RangesSchema(FormSchema):
    """Community ranges: a car (mine) and/or brand + vehicle, optionally track and condition."""

    car = fields.String(load_default="", validate=validate.Length(max=40))
    brand = fields.String(load_default="", validate=validate.Length(max=40))
    vehicle = fields.String(load_default="", validate=validate.Length(max=40))
    track = fields.String(load_default="", validate=validate.Length(max=80))
    condition = fields.String(load_default="", validate=validate.Length(max=80))


# Starting values a racer can pick when adding a baseline by hand.
STARTING_SETUPS = tuple(PRESETS)
