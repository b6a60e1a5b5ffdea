"""The racer's profile: name, contact, transponder, level, driving style."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.db import get_store
from apex.htmx import after_write, render
from apex.models import EXPERIENCE_LEVELS, PROFILE_FIELDS
from apex.schemas import form_dict
from apex.schemas.garage import ProfileSchema

PAGE = "garage/profile.html"
BLOCKS = {"profile-form": "profile_form"}


@bp.get("/profile")
def edit_profile() -> ResponseReturnValue:
    profile = get_store().get_profile(current_racer_id())
    if profile is None:
        abort(404)
    values = {k: v for k, v in asdict(profile).items() if k in PROFILE_FIELDS}
    return render(PAGE, BLOCKS, values=values, errors={}, levels=EXPERIENCE_LEVELS)


@bp.post("/profile")
def update_profile() -> ResponseReturnValue:
    racer_id = current_racer_id()
    values = form_dict(request.form)
    try:
        data = ProfileSchema().load(values)
    except ValidationError as err:
        return render(PAGE, BLOCKS, 422, values=values, errors=err.messages,
                      levels=EXPERIENCE_LEVELS)
    if get_store().update_profile(racer_id, data) is None:
        abort(404)
    return after_write(
        lambda: render(PAGE, BLOCKS, values=data, errors={}, levels=EXPERIENCE_LEVELS,
                       notice="Profile saved."),
        "Profile saved.", "garage.show_garage")
