"""Shop Master: each car's baseline setup, its form and its printable sheet."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import versions
from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.blueprints.garage.cars import own_car
from apex.catalogue import LABELS, PARAM_KEYS, as_texts, for_power, packages
from apex.db import get_store
from apex.htmx import after_write, render
from apex.models import Setup
from apex.schemas import form_dict
from apex.schemas.setup import ShopMasterSchema
from apex.store import StaleEditError

PAGE = "garage/setup.html"
BLOCKS = {"setup-form": "setup_form"}


def _own_setup(car_id: str) -> Setup:
    setup = get_store().get_car_config(current_racer_id(), car_id)
    if setup is None:
        abort(404)
    return setup


def _form_values(setup: Setup) -> dict[str, str]:
    """The form of a stored Shop Master: its texts, the version and what it shows."""
    texts = as_texts(setup.values)
    return {**texts, "version": str(setup.version), "seen": versions.seen_text(texts)}


@bp.get("/cars/<car_id>/setup")
def edit_setup(car_id: str) -> ResponseReturnValue:
    car = own_car(car_id)
    setup = _own_setup(car_id)
    return render(PAGE, BLOCKS, car=car, setup=setup, values=_form_values(setup), errors={},
                  packages=packages(car.power))


@bp.post("/cars/<car_id>/setup")
def save_setup(car_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    car = own_car(car_id)
    values = form_dict(request.form)
    if car.archived:  # read-only until restored (apex.car_rules); the page says so
        return render(PAGE, BLOCKS, 422, car=car, setup=_own_setup(car_id), values=values,
                      errors={}, packages=packages(car.power))
    try:
        data = ShopMasterSchema().load(values)
    except ValidationError as err:
        return render(PAGE, BLOCKS, 422, car=car, setup=_own_setup(car_id), values=values,
                      errors=err.messages, packages=packages(car.power))
    mine = for_power(data, car.power)
    try:
        saved = get_store().save_car_config(racer_id, car_id, mine, version=data["version"])
    except StaleEditError as stale:
        # Saved from an older page: the racer picks, value by value (never a silent undo).
        stored: Setup = stale.current
        return render(PAGE, BLOCKS, 409, car=car, setup=stored, values={}, errors={},
                      packages=packages(car.power),
                      choice=versions.choice(as_texts(stored.values), as_texts(mine),
                                             versions.read_seen(data["seen"]), LABELS,
                                             PARAM_KEYS, stored.version))
    if saved is None:
        abort(404)
    return after_write(
        lambda: render(PAGE, BLOCKS, car=car, setup=saved, values=_form_values(saved),
                       errors={}, packages=packages(car.power),
                       saved_at=saved.updated_at or datetime.now(UTC)),
        "Shop Master saved.", "garage.edit_setup", car_id=car_id)


@bp.get("/cars/<car_id>/sheet")
def show_sheet(car_id: str) -> ResponseReturnValue:
    car = own_car(car_id)
    setup = _own_setup(car_id)
    return render("garage/sheet.html", {}, car=car, setup=setup, values=as_texts(setup.values),
                  packages=packages(car.power))
