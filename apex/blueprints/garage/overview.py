"""The Garage page and its sponsor list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from marshmallow import ValidationError

from apex.auth_setup import current_racer_id
from apex.blueprints.auth import login
from apex.blueprints.garage.blueprint import bp
from apex.catalogue import POWERS, PRESETS
from apex.db import get_store
from apex.htmx import after_write, render, target_block
from apex.schemas import form_dict
from apex.schemas.garage import SponsorSchema
from apex.store import DuplicateError

PAGE = "garage/index.html"
BLOCKS = {"sponsors": "sponsors", "cars": "cars"}
NOTEBOOK_SIZE = 8  # the latest notes and recorded changes shown on the Garage


def garage_context(racer_id: str, **overrides: object) -> dict[str, Any]:
    """What the Garage page shows, or only what the targeted block needs (the sponsor
    list alone loads no cars, notebook or events); forms start empty unless overridden."""
    block = target_block(BLOCKS)
    context = _page_context(racer_id) if block is None else {}
    for name, part in SECTIONS.items():
        if block in (None, name):
            context.update(part(racer_id))
    context.update(overrides)
    return context


def _page_context(racer_id: str) -> dict[str, Any]:
    """What only the whole page shows: the profile card, today's events, the notebook."""
    store = get_store()
    profile = store.get_profile(racer_id)
    if profile is None:
        abort(404)
    return {
        "profile": profile,
        "logs": store.list_track_logs(racer_id, limit=NOTEBOOK_SIZE),
        "active_events": [e for e in store.list_events(racer_id) if e.is_active],
    }


def _sponsors_context(racer_id: str) -> dict[str, Any]:
    return {"sponsors": get_store().list_sponsors(racer_id),
            "sponsor_values": {}, "sponsor_errors": {}}


def _cars_context(racer_id: str) -> dict[str, Any]:
    return {"cars": get_store().list_cars(racer_id),
            "archived_cars": get_store().list_cars(racer_id, archived=True),
            "presets": list(PRESETS),
            "powers": list(POWERS), "car_values": {}, "car_errors": {}}


# Block -> its context: a fragment request computes only its own block's.
SECTIONS: dict[str, Callable[[str], dict[str, Any]]] = {
    "sponsors": _sponsors_context, "cars": _cars_context}


@bp.get("/")
def show_garage() -> ResponseReturnValue:
    return render(PAGE, BLOCKS, **garage_context(current_racer_id()))


def index() -> ResponseReturnValue:
    """``/``: the Garage for a racer, the login page for anyone else, answered at once
    (no redirect: one round trip)."""
    return show_garage() if current_user.is_authenticated else login()


@bp.post("/sponsors")
def add_sponsor() -> ResponseReturnValue:
    racer_id = current_racer_id()
    values = form_dict(request.form)
    try:
        data = SponsorSchema().load(values)
        added = get_store().add_sponsor(racer_id, data["name"], data["category"],
                                        request_key=data["request_key"])
    except ValidationError as err:
        return _sponsors_invalid(racer_id, values, err.messages_dict)
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
    return after_write(
        lambda: render(PAGE, BLOCKS, **garage_context(racer_id, sponsor_notice=message)),
        message, "garage.show_garage", _anchor="sponsors")
