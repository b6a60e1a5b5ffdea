"""marshmallow schemas: every input is validated here before it reaches the Store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate


class FormSchema(Schema):
    """Base for HTML forms: trims text, ignores csrf_token and button names.

    An empty field counts as not given, so "required" reads as "Enter the …"
    and optional fields take their ``load_default``.
    """

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _trim(self, data: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        # NUL can be typed or pasted but never stored (PostgreSQL refuses it in text).
        trimmed = {k: v.replace("\x00", "").strip() if isinstance(v, str) else v
                   for k, v in data.items()}
        return {k: v for k, v in trimmed.items() if v != ""}


class CreateFormSchema(FormSchema):
    """A form that creates something: carries the one-time key of its rendering.

    A retried submit (the first answer lost on bad Wi-Fi) sends the same key, and
    the Store then knows the create was already done.
    """

    request_key = fields.String(
        load_default=None, validate=validate.Regexp(r"^[0-9a-f-]{32,36}$", error="Reload the page.")
    )


# The largest version a page can carry (the columns are PostgreSQL integers).
VERSION_MAX = 2**31 - 1


class VersionedFormSchema(FormSchema):
    """An edit form of a versioned record (apex.versions): the version its page was
    loaded at and the values it showed (``seen``: apex.versions.seen_text). A page
    without them (opened before versions existed) saves without the check."""

    version = fields.Integer(
        load_default=None, strict=False,
        validate=validate.Range(min=1, max=VERSION_MAX, error="Reload the page."),
        error_messages={"invalid": "Reload the page."})
    seen = fields.String(load_default=None)


def form_dict(form: Mapping[str, Any]) -> dict[str, Any]:
    """A request form as a plain dict of single values (what the racer typed)."""
    return {key: form.get(key) for key in form.keys()}
