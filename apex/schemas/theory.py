"""Theory library forms: an upload's title and category, and a search."""

from __future__ import annotations

from marshmallow import fields, validate

from apex.schemas import CreateFormSchema, FormSchema
from apex.theory import CATEGORIES

TITLE_MAX = 120
_PICK_CATEGORY = "Pick a category."


class UploadSchema(CreateFormSchema):
    """The fields beside the file (the view checks the file itself: apex.theory)."""

    title = fields.String(
        required=True, error_messages={"required": "Enter a title."},
        validate=validate.Length(max=TITLE_MAX, error=f"At most {TITLE_MAX} characters."))
    category = fields.String(
        required=True, error_messages={"required": _PICK_CATEGORY},
        validate=validate.OneOf(CATEGORIES, error=_PICK_CATEGORY))


class SearchSchema(FormSchema):
    q = fields.String(load_default="", validate=validate.Length(
        max=200, error="At most 200 characters."))
    category = fields.String(load_default="", validate=validate.OneOf(
        CATEGORIES, error="Pick a category from the list."))
