"""A car's notes, every one, a page at a time (apex.note_pages)."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue

from apex.auth_setup import current_racer_id
from apex.blueprints.garage.blueprint import bp
from apex.blueprints.garage.cars import own_car
from apex.db import get_store
from apex.note_pages import note_page


@bp.get("/cars/<car_id>/notes")
def car_notes(car_id: str) -> ResponseReturnValue:
    car = own_car(car_id)
    racer_id = current_racer_id()
    return note_page(
        lambda before, limit: get_store().page_track_logs(
            racer_id, car_id=car.id, before=before, limit=limit),
        heading=car.label, show_event=True, back_url=url_for("garage.show_garage"),
        back_label="Garage")
