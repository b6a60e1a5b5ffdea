"""The Garage page and its sponsor list."""

from __future__ import annotations

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.catalogue import POWERS, PRESETS
from apex.db import get_store
from apex.htmx import render, see_other, wants_fragment
from apex.schemas import form_dict
from apex.schemas.garage import SponsorSchema
from apex.store import DuplicateError

PAGE = "garage/index.html"
BLOCKS = {"sponsors": "sponsors", "cars": "cars"}
NOTEBOOK_SIZE = 8  # the latest notes and recorded changes shown on the Garage


def garage_context(racer_id: str, **overrides: object) -> dict:
    """Everything the Garage page shows; forms start empty unless overridden."""
    store = get_store()
    profile = store.get_profile(racer_id)
    if profile is None:
        abort(404)
    context = {
        "profile": profile,
        "sponsors": store.list_sponsors(racer_id),
        "cars": store.list_cars(racer_id),
        "logs": store.list_track_logs(racer_id, limit=NOTEBOOK_SIZE),
        "active_events": [e for e in store.list_events(racer_id) if e.is_active],
        "presets": list(PRESETS),
        "powers": list(POWERS),
        "sponsor_values": {}, "sponsor_errors": {},
        "car_values": {}, "car_errors": {},
    }
    context.update(overrides)
    return context


@bp.get("/")
def show_garage() -> ResponseReturnValue:
    return render(PAGE, BLOCKS, **garage_context(current_racer_id()))


@bp.post("/sponsors")
def add_sponsor() -> ResponseReturnValue:
    racer_id = current_racer_id()
    values = form_dict(request.form)
    try:
        data = SponsorSchema().load(values)
        added = get_store().add_sponsor(racer_id, data["name"], data["category"],
                                        request_key=data["request_key"])
    except ValidationError as err:
        return _sponsors_invalid(racer_id, values, err.messages)
    except DuplicateError as err:
        return _sponsors_invalid(racer_id, values, {err.field: [err.message]})
    # None: this very form was saved before (a retry after a lost answer).
    message = f"Added sponsor {data['name']}." if added else "Already saved."
    return _sponsors_saved(racer_id, message)


@bp.post("/sponsors/<sponsor_id>/delete")
def delete_sponsor(sponsor_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    if not get_store().delete_sponsor(racer_id, sponsor_id):
        abort(404)
    return _sponsors_saved(racer_id, "Sponsor removed.")


def _sponsors_invalid(racer_id: str, values: dict, errors: dict) -> ResponseReturnValue:
    context = garage_context(racer_id, sponsor_values=values, sponsor_errors=errors)
    return render(PAGE, BLOCKS, 422, **context)


def _sponsors_saved(racer_id: str, message: str) -> ResponseReturnValue:
    if wants_fragment():
        return render(PAGE, BLOCKS, **garage_context(racer_id, sponsor_notice=message))
    flash(message)
    return see_other("garage.show_garage", _anchor="sponsors")
