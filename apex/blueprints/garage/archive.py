"""Removing a car (archiving it), restoring it, and deleting an archived car for good.

Nothing of a racer's history goes by one tap (issue 12): "Remove" archives the car
and keeps every event, run, lap, change, audit and note; deleting for good is its
own page that shows what goes, offers the data export first, and wants the car's
name typed (apex.car_rules.confirm_name).
"""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask.typing import ResponseReturnValue

from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.blueprints.garage.cars import EDIT_PAGE, car_form_values, cars_saved, own_car
from apex.car_rules import WRONG_NAME, CarRefused, confirm_name, name_matches
from apex.catalogue import POWERS
from apex.db import get_store
from apex.htmx import redirect_to, render
from apex.models import Car

DELETE_PAGE = "garage/delete_car.html"
DELETE_BLOCKS = {"delete-car": "delete_car"}


@bp.post("/cars/<car_id>/archive")
def archive_car(car_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    car = own_car(car_id)
    try:
        if get_store().archive_car(racer_id, car_id) is None:
            abort(404)
    except CarRefused as refused:
        return render(EDIT_PAGE, {}, 422, car=car, values=car_form_values(car), errors={},
                      powers=POWERS, archive_error=refused.message)
    return cars_saved(racer_id, f"Archived {car.label}: its events and notes stay. "
                                "Restore it under Archived cars.")


@bp.post("/cars/<car_id>/restore")
def restore_car(car_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    car = get_store().restore_car(racer_id, car_id)
    if car is None:
        abort(404)
    return cars_saved(racer_id, f"Restored {car.label}.")


@bp.get("/cars/<car_id>/delete")
def confirm_delete_car(car_id: str) -> ResponseReturnValue:
    return _delete_page(own_car(car_id), {})


@bp.post("/cars/<car_id>/delete")
def delete_car(car_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    car = own_car(car_id)
    typed = request.form.get("confirm_name", "")
    if not car.archived:
        return _delete_page(car, {"confirm_name": [
            "Archive the car first (Remove from the garage on its Edit page)."]}, typed, 422)
    if not name_matches(car, typed):
        return _delete_page(car, {"confirm_name": [WRONG_NAME]}, typed, 422)
    if not get_store().delete_car(racer_id, car_id):
        abort(404)
    flash(f"Deleted {car.label} for good, with all of its history.")
    # The form swaps #delete-car over HTMX: a whole new page, so HX-Redirect, never a 303.
    return redirect_to(url_for("garage.show_garage", _anchor="cars"), 303)


def _delete_page(car: Car, errors: dict, typed: str = "", status: int = 200
                 ) -> ResponseReturnValue:
    removal = get_store().car_removal(current_racer_id(), car.id)
    if removal is None:
        abort(404)
    return render(DELETE_PAGE, DELETE_BLOCKS, status, car=car, removal=removal,
                  name=confirm_name(car), values={"confirm_name": typed}, errors=errors)
