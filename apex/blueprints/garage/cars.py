"""The fleet: add and edit cars (archive, restore and delete: garage/archive.py)."""

from __future__ import annotations

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import versions
from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.blueprints.garage.overview import BLOCKS as GARAGE_BLOCKS
from apex.blueprints.garage.overview import PAGE as GARAGE_PAGE
from apex.blueprints.garage.overview import garage_context
from apex.catalogue import BY_KEY, LABELS, POWERS, PRESETS, Value, empty_setup, for_power, with_unit
from apex.db import get_store
from apex.htmx import after_write, render, see_other
from apex.models import CAR_FIELDS, Car
from apex.schemas import form_dict
from apex.schemas.garage import EditCarSchema, NewCarSchema
from apex.store import DuplicateError, StaleEditError

EDIT_PAGE = "garage/car.html"
EDIT_BLOCKS = {"car-form": "car_form"}


@bp.post("/cars")
def add_car() -> ResponseReturnValue:
    racer_id = current_racer_id()
    values = form_dict(request.form)
    try:
        data = NewCarSchema().load(values)
        baseline = for_power(PRESETS.get(data["preset"], empty_setup()), data["power"])
        fields = {k: data[k] for k in CAR_FIELDS}
        car = get_store().add_car(racer_id, fields, baseline, request_key=data["request_key"])
    except ValidationError as err:
        return _cars_invalid(racer_id, values, err.messages_dict)
    except DuplicateError as err:
        return _cars_invalid(racer_id, values, {err.field: [err.message]})
    # None: this very form was saved before (a retry after a lost answer).
    message = f"Added {car.label}." if car else "Already saved."
    return cars_saved(racer_id, message, new_car_id=car and car.id)


def _cars_invalid(racer_id: str, values: dict, errors: dict) -> ResponseReturnValue:
    context = garage_context(racer_id, car_values=values, car_errors=errors)
    return render(GARAGE_PAGE, GARAGE_BLOCKS, 422, **context)


def cars_saved(racer_id: str, message: str, **overrides: object) -> ResponseReturnValue:
    return after_write(
        lambda: render(GARAGE_PAGE, GARAGE_BLOCKS,
                       **garage_context(racer_id, car_notice=message, **overrides)),
        message, "garage.show_garage", _anchor="cars")


# What the conflict choice calls each field (apex.versions.choice).
CAR_LABELS = {"brand": "Brand", "model": "Model", "nickname": "Nickname",
              "transponder": "Transponder", "class_name": "Class", "power": "Power"}


def _car_texts(car: Car) -> dict[str, str]:
    return {k: getattr(car, k) for k in CAR_FIELDS}


@bp.get("/cars/<car_id>/edit")
def edit_car(car_id: str) -> ResponseReturnValue:
    car = own_car(car_id)
    return render(EDIT_PAGE, EDIT_BLOCKS, car=car, values=car_form_values(car), errors={},
                  powers=POWERS)


def car_form_values(car: Car) -> dict[str, str]:
    """The edit form as the stored car fills it (with the version it was read at)."""
    texts = _car_texts(car)
    return {**texts, "version": str(car.version), "seen": versions.seen_text(texts)}


@bp.post("/cars/<car_id>/edit")
def update_car(car_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    car = own_car(car_id)
    values = form_dict(request.form)

    def invalid(errors: dict, *, confirm_power: bool = False) -> ResponseReturnValue:
        return render(EDIT_PAGE, EDIT_BLOCKS, 422, car=car, values=values, errors=errors,
                      powers=POWERS, confirm_power=confirm_power)

    if car.archived:  # read-only until restored: the page shows Restore, not the form
        return invalid({})
    try:
        data = EditCarSchema().load(values)
    except ValidationError as err:
        return invalid(err.messages_dict)
    emptied = _emptied_by(racer_id, car, data["power"])
    if emptied and not data["confirm_power"]:
        # Never drop a racer's values unasked: name them and wait for a yes.
        return invalid({"power": [f"An {data['power']} car has no {_listed(emptied)}. "
                                  "Changing the power empties them from its Shop Master "
                                  "(a notebook entry keeps them). Tick the box to go on."]},
                       confirm_power=True)
    mine = {k: data[k] for k in CAR_FIELDS}
    try:
        updated = get_store().update_car(racer_id, car_id, mine, version=data["version"])
    except DuplicateError as err:
        return invalid({err.field: [err.message]})
    except StaleEditError as stale:
        # Saved from an older page: the racer picks, field by field (never a silent undo).
        stored: Car = stale.current
        mine["power"] = mine["power"] or stored.power  # empty: "keep the power"
        return render(EDIT_PAGE, EDIT_BLOCKS, 409, car=stored, values={}, errors={},
                      powers=POWERS, choice=versions.choice(
                          _car_texts(stored), mine, versions.read_seen(data["seen"]),
                          CAR_LABELS, CAR_FIELDS, stored.version))
    if updated is None:
        abort(404)
    if emptied:
        get_store().change_car_config(
            racer_id, car_id, dict.fromkeys(emptied),
            f"{updated.label} is now {updated.power}: emptied {_listed(emptied)}.")
    flash(f"Saved {updated.label}.")
    return see_other("garage.show_garage", _anchor="cars")


def _emptied_by(racer_id: str, car: Car, power: str) -> dict[str, Value]:
    """The Shop Master values a change of ``car`` to ``power`` empties (the other power's)."""
    if not power or power == car.power:
        return {}
    setup = get_store().get_car_config(racer_id, car.id)
    return {k: v for k, v in (setup.values if setup else {}).items()
            if v is not None and not BY_KEY[k].fits(power)}


def _listed(values: dict[str, Value]) -> str:
    """``Venturi 7.0 mm, Pipe REDS 2143``: what a racer reads of some values."""
    return ", ".join(f"{LABELS[k]} {with_unit(BY_KEY[k], v)}" for k, v in values.items())


def own_car(car_id: str) -> Car:
    """The racer's car, or 404 (missing and not-yours look the same)."""
    car = get_store().get_car(current_racer_id(), car_id)
    if car is None:
        abort(404)
    return car
