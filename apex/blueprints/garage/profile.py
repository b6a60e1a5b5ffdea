"""The racer's profile: name, contact, transponder, level, driving style."""

from __future__ import annotations

from flask import abort, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import versions
from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.db import get_store
from apex.htmx import after_write, render
from apex.models import EXPERIENCE_LEVELS, PROFILE_FIELDS, Profile
from apex.schemas import form_dict
from apex.schemas.garage import ProfileSchema
from apex.store import StaleEditError

PAGE = "garage/profile.html"
BLOCKS = {"profile-form": "profile_form"}


# What the conflict choice calls each field (apex.versions.choice).
LABELS = {"name": "Name", "email": "Email", "facebook": "Facebook", "instagram": "Instagram",
          "transponder": "Transponder", "experience_level": "Experience level",
          "driving_style": "Driving style"}


def _texts(profile: Profile) -> dict[str, str]:
    return {k: getattr(profile, k) for k in PROFILE_FIELDS}


def _form_values(profile: Profile) -> dict[str, str]:
    """The form of the stored profile: its fields, the version and what it shows."""
    texts = _texts(profile)
    return {**texts, "version": str(profile.version), "seen": versions.seen_text(texts)}


@bp.get("/profile")
def edit_profile() -> ResponseReturnValue:
    profile = get_store().get_profile(current_racer_id())
    if profile is None:
        abort(404)
    return render(PAGE, BLOCKS, values=_form_values(profile), errors={}, levels=EXPERIENCE_LEVELS)


@bp.post("/profile")
def update_profile() -> ResponseReturnValue:
    racer_id = current_racer_id()
    values = form_dict(request.form)
    try:
        data = ProfileSchema().load(values)
    except ValidationError as err:
        return render(PAGE, BLOCKS, 422, values=values, errors=err.messages,
                      levels=EXPERIENCE_LEVELS)
    mine = {k: data[k] for k in PROFILE_FIELDS}
    try:
        saved = get_store().update_profile(racer_id, mine, version=data["version"])
    except StaleEditError as stale:
        # Saved from an older page: the racer picks, field by field (never a silent undo).
        stored: Profile = stale.current
        return render(PAGE, BLOCKS, 409, values={}, errors={}, levels=EXPERIENCE_LEVELS,
                      choice=versions.choice(_texts(stored), mine,
                                             versions.read_seen(data["seen"]), LABELS,
                                             PROFILE_FIELDS, stored.version))
    if saved is None:
        abort(404)
    return after_write(
        lambda: render(PAGE, BLOCKS, values=_form_values(saved), errors={},
                       levels=EXPERIENCE_LEVELS, notice="Profile saved."),
        "Profile saved.", "garage.show_garage")
