"""A car's power (nitro or electric): chosen with the car, changed only with the racer's yes
when it would empty Shop Master fields, and never guessed against the starting setup."""

from __future__ import annotations

from apex.catalogue import ELECTRIC, NITRO, PRESETS
from tests.conftest import CAR, racer, store_of


def _car_id(app) -> str:
    return store_of(app).list_cars(racer(app))[0].id


def test_a_preset_chooses_the_power_and_a_contradiction_is_refused(alice, app):
    response = alice.post("/garage/cars", data={**CAR, "preset": "Tekno NB48 2.2",
                                                "power": ELECTRIC})
    assert response.status_code == 422 and "is a nitro car" in response.text
    assert store_of(app).list_cars(racer(app)) == []
    assert alice.post("/garage/cars", data={**CAR, "power": ELECTRIC}).status_code == 303
    car = store_of(app).get_car(racer(app), _car_id(app))
    assert car.power == ELECTRIC
    # An empty Shop Master loses nothing: the power changes at once.
    response = alice.post(f"/garage/cars/{car.id}/edit", data={**CAR, "power": NITRO})
    assert response.status_code == 303
    assert store_of(app).get_car(racer(app), car.id).power == NITRO


def test_a_power_change_that_would_empty_values_asks_first_and_changes_nothing(alice, app):
    alice.post("/garage/cars", data={**CAR, "preset": "Tekno NB48 2.2"})
    car_id = _car_id(app)
    before = store_of(app).get_car_config(racer(app), car_id).values
    response = alice.post(f"/garage/cars/{car_id}/edit", data={**CAR, "power": ELECTRIC})
    assert response.status_code == 422
    assert "Venturi 7.0 mm" in response.text and "Clutch bell 13 T" in response.text
    assert 'name="confirm_power"' in response.text
    assert '<option selected>electric<' in response.text  # what the racer picked stays
    assert store_of(app).get_car(racer(app), car_id).power == NITRO
    assert store_of(app).get_car_config(racer(app), car_id).values == before


def test_a_confirmed_power_change_empties_the_other_powers_fields_and_notes_them(alice, app):
    alice.post("/garage/cars", data={**CAR, "preset": "Tekno NB48 2.2"})
    car_id = _car_id(app)
    response = alice.post(f"/garage/cars/{car_id}/edit",
                          data={**CAR, "power": ELECTRIC, "confirm_power": "1"})
    assert response.status_code == 303
    store = store_of(app)
    assert store.get_car(racer(app), car_id).power == ELECTRIC
    values = store.get_car_config(racer(app), car_id).values
    nitro = PRESETS["Tekno NB48 2.2"]
    assert values == {**nitro, "Venturi": None, "Pipe": None, "Clutch": None, "Bell": None}
    note = store.list_track_logs(racer(app), limit=1)[0]
    assert note.kind == "change"
    assert "now electric" in note.note and "Venturi 7.0 mm" in note.note
    assert "Pipe REDS 2143" in note.note and "Clutch 4-shoe medium" in note.note
