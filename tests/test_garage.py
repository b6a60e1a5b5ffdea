"""The Garage over HTTP: profile, sponsors, cars and Shop Master, on both stores."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from apex.catalogue import ELECTRIC, NITRO, PARAMS, PRESETS, format_value
from tests.conftest import CAR, hx, make_app, racer, recorded_store_calls, store_of


def add_car(client, **fields):
    response = client.post("/garage/cars", data={**CAR, **fields})
    assert response.status_code == 303, response.text
    return response


def car_id_of(app, username="alice"):
    return store_of(app).list_cars(racer(app, username))[0].id


# --- profile -----------------------------------------------------------------------------

def test_profile_saves_every_field(alice, app):
    form = {"name": "Alice Ortiz", "email": "alice@race.example", "facebook": "alice.rc",
            "instagram": "@alice_rc", "transponder": "8421337", "experience_level": "Pro",
            "driving_style": "Late apex, smooth throttle"}
    response = alice.post("/garage/profile", data=form)
    assert response.status_code == 303
    profile = store_of(app).get_profile(racer(app))
    assert {k: getattr(profile, k) for k in form} == form
    assert "Alice Ortiz" in alice.get("/garage/").text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("experience_level", "Legend", "Pick a level from the list."),
    ("transponder", "12ab", "Digits only"),
    ("email", "nope", "Enter a valid email"),
    ("name", "", "Enter the name you race under."),
    ("driving_style", "x" * 201, "At most 200 characters."),
])
def test_profile_bad_input_is_422_and_saves_nothing(alice, app, field, value, message):
    form = {"name": "Alice", "transponder": "99", field: value}
    response = alice.post("/garage/profile", data=form, headers=hx("profile-form"))
    assert response.status_code == 422
    assert message in response.text
    assert "<html" not in response.text
    assert store_of(app).get_profile(racer(app)).name == "alice"


def test_profile_htmx_save_returns_the_form_with_notice(alice):
    response = alice.post("/garage/profile", data={"name": "Al"}, headers=hx("profile-form"))
    assert response.status_code == 200
    assert "Profile saved." in response.text and "<html" not in response.text


# --- sponsors ----------------------------------------------------------------------------

def test_add_and_remove_sponsor_with_htmx(alice, app):
    response = alice.post("/garage/sponsors", data={"name": "JConcepts", "category": "Tyres"},
                          headers=hx("sponsors"))
    assert response.status_code == 200
    assert 'id="sponsors"' in response.text and "JConcepts" in response.text
    assert "<html" not in response.text
    sponsor = store_of(app).list_sponsors(racer(app))[0]
    response = alice.post(f"/garage/sponsors/{sponsor.id}/delete", headers=hx("sponsors"))
    assert response.status_code == 200 and "JConcepts" not in response.text
    assert store_of(app).list_sponsors(racer(app)) == []


PAGE_ONLY = {"get_profile", "list_track_logs", "list_events"}


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "/garage/", None),
    ("post", "/garage/sponsors", {"name": "JConcepts"}),
])
def test_sponsor_fragment_loads_only_the_sponsors(alice, app, method, path, data):
    store_of(app).add_car(racer(app), CAR, PRESETS["Tekno NB48 2.2"])
    with recorded_store_calls(app) as calls:
        response = getattr(alice, method)(path, data=data, headers=hx("sponsors"))
    assert response.status_code == 200 and "<html" not in response.text
    assert "list_sponsors" in calls
    assert not {"list_cars", *PAGE_ONLY} & set(calls), calls
    with recorded_store_calls(app) as calls:  # the whole page still loads everything
        assert "<!doctype html>" in alice.get("/garage/").text
    assert {"list_sponsors", "list_cars", *PAGE_ONLY} <= set(calls)


def test_add_sponsor_plain_form_redirects_303(alice, app):
    response = alice.post("/garage/sponsors", data={"name": "REDS"})
    assert response.status_code == 303
    assert "REDS" in alice.get("/garage/").text


def test_duplicate_sponsor_is_422(alice, app):
    alice.post("/garage/sponsors", data={"name": "REDS"})
    response = alice.post("/garage/sponsors", data={"name": "reds"}, headers=hx("sponsors"))
    assert response.status_code == 422
    assert "You already have this sponsor." in response.text
    assert len(store_of(app).list_sponsors(racer(app))) == 1


def test_empty_sponsor_name_is_422(alice, app):
    response = alice.post("/garage/sponsors", data={"name": "  ", "category": "Oils"})
    assert response.status_code == 422
    assert "Enter the sponsor&#39;s name." in response.text
    assert 'value="Oils"' in response.text  # what was typed is kept


# --- cars --------------------------------------------------------------------------------

def test_add_car_with_empty_baseline(alice, app):
    add_car(alice)
    car = store_of(app).list_cars(racer(app))[0]
    assert (car.brand, car.model, car.nickname, car.transponder) == (
        CAR["brand"], CAR["model"], CAR["nickname"], CAR["transponder"])
    setup = store_of(app).get_car_config(racer(app), car.id)
    assert all(v is None for v in setup.values.values())


@pytest.mark.parametrize("preset", list(PRESETS))
def test_add_car_with_preset_gets_starting_values(alice, app, preset):
    add_car(alice, preset=preset)
    setup = store_of(app).get_car_config(racer(app), car_id_of(app))
    assert setup.values == PRESETS[preset]


def test_add_car_htmx_swaps_the_car_list(alice):
    response = alice.post("/garage/cars", data=CAR, headers=hx("cars"))
    assert response.status_code == 200
    assert 'id="cars"' in response.text and "NB48 2.2" in response.text
    assert "<html" not in response.text and 'id="sponsors"' not in response.text


@pytest.mark.parametrize(("fields", "message"), [
    ({"brand": ""}, "Enter the brand."),
    ({"model": "m" * 41}, "At most 40 characters."),
    ({"transponder": "abc"}, "Digits only"),
    ({"preset": "Mugen MBX8"}, "Pick a starting setup from the list."),
])
def test_add_car_bad_input_is_422_keeps_values_saves_nothing(alice, app, fields, message):
    response = alice.post("/garage/cars", data={**CAR, **fields}, headers=hx("cars"))
    assert response.status_code == 422
    assert message in response.text
    assert 'value="{}"'.format(CAR["nickname"]) in response.text
    assert store_of(app).list_cars(racer(app)) == []


def test_same_car_twice_is_refused(alice, app):
    add_car(alice)
    response = alice.post("/garage/cars", data={**CAR, "brand": "TEKNO"})
    assert response.status_code == 422
    assert "You already have this car" in response.text
    assert len(store_of(app).list_cars(racer(app))) == 1


def test_edit_car(alice, app):
    add_car(alice)
    car_id = car_id_of(app)
    assert alice.get(f"/garage/cars/{car_id}/edit").status_code == 200
    response = alice.post(f"/garage/cars/{car_id}/edit", data={**CAR, "nickname": "Spare"})
    assert response.status_code == 303
    assert store_of(app).get_car(racer(app), car_id).nickname == "Spare"


def test_edit_car_bad_input_keeps_old_values(alice, app):
    add_car(alice)
    car_id = car_id_of(app)
    response = alice.post(f"/garage/cars/{car_id}/edit", data={**CAR, "model": ""})
    assert response.status_code == 422
    assert store_of(app).get_car(racer(app), car_id).model == "NB48 2.2"


def test_remove_car_archives_it_then_delete_for_good_takes_it_and_its_baseline(alice, app):
    add_car(alice, preset="Tekno NB48 2.2")
    car_id = car_id_of(app)
    response = alice.post(f"/garage/cars/{car_id}/archive", headers=hx("cars"))
    assert response.status_code == 200 and "No cars yet." in response.text
    assert "Archived cars (1)" in response.text
    assert store_of(app).get_car_config(racer(app), car_id) is not None
    response = alice.post(f"/garage/cars/{car_id}/delete", data={"confirm_name": "Blue"})
    assert response.status_code == 303
    assert store_of(app).get_car(racer(app), car_id) is None
    assert store_of(app).get_car_config(racer(app), car_id) is None


# --- Shop Master -------------------------------------------------------------------------

def full_form() -> dict[str, str]:
    return {p.key: format_value(p, PRESETS["Tekno NT48 2.2"][p.key]) for p in PARAMS
            if p.fits(NITRO)}


def test_shop_master_form_lists_every_parameter_with_limits(alice, app):
    add_car(alice)
    text = alice.get(f"/garage/cars/{car_id_of(app)}/setup").text
    for p in PARAMS:
        if not p.fits(NITRO):  # a nitro car: no electric field
            assert f'id="p-{p.key}"' not in text
            continue
        tag = re.search(rf'<input id="p-{p.key}"[^>]*>', text).group(0)
        assert f'name="{p.key}"' in tag
        if p.is_numeric:
            assert f'min="{p.min}"' in tag and f'max="{p.max}"' in tag
            assert f'step="{p.step}"' in tag and 'type="number"' in tag
            if p.min >= 0:
                assert 'inputmode="' in tag  # the phone's number pad
    for group in ("Diffs", "Suspension", "Geometry", "Tires", "Power"):
        assert f"<legend>{group}</legend>" in text


def test_an_electric_car_shows_and_saves_only_its_powers_fields(alice, app):
    add_car(alice, preset="Tekno EB48 2.2")
    car_id = car_id_of(app)
    assert store_of(app).get_car(racer(app), car_id).power == ELECTRIC
    text = alice.get(f"/garage/cars/{car_id}/setup").text
    assert 'id="p-Pinion"' in text and 'id="p-Spur"' in text and 'id="p-Venturi"' not in text
    form = {**full_form(), "Pinion": "17", "Motor": "1900kV", "Timing": "10",
            "Battery": "4S 5000"}  # the nitro values of full_form are posted too
    assert alice.post(f"/garage/cars/{car_id}/setup", data=form).status_code == 303
    values = store_of(app).get_car_config(racer(app), car_id).values
    assert (values["Pinion"], values["Motor"], values["Timing"]) == (17, "1900kV", 10)
    assert values["Venturi"] is None and values["Bell"] is None and values["Spur"] == 50
    sheet = alice.get(f"/garage/cars/{car_id}/sheet").text
    assert "1900kV" in sheet and "Pinion" in sheet and "Venturi" not in sheet


def test_shop_master_saves_every_parameter(alice, app):
    add_car(alice)
    car_id = car_id_of(app)
    response = alice.post(f"/garage/cars/{car_id}/setup", data=full_form())
    assert response.status_code == 303
    setup = store_of(app).get_car_config(racer(app), car_id)
    assert setup.values == PRESETS["Tekno NT48 2.2"]
    assert 'value="-1.0"' in alice.get(f"/garage/cars/{car_id}/setup").text


def test_shop_master_htmx_save_returns_fragment_with_status(alice, app):
    add_car(alice)
    car_id = car_id_of(app)
    response = alice.post(f"/garage/cars/{car_id}/setup", data=full_form(),
                          headers=hx("setup-form"))
    assert response.status_code == 200
    assert "Saved at" in response.text and "<html" not in response.text
    assert response.text.lstrip().startswith('<form id="setup-form"')


@pytest.mark.parametrize(("key", "value", "message"), [
    ("DF", "7100", "Must be in steps of 500 cSt: try 7000 or 7500."),
    ("DF", "500", "Must be between 1000 and 100000 cSt."),
    ("SB_F", "4.1", "Must be between 0.0 and 4.0 mm."),
    ("Toe_F", "-1.2", "Must be in steps of 0.5°"),
    ("Bell", "13.5", "Must be in steps of 1 T"),
    ("SO_F", "thick", "Enter a whole number."),
    ("RH_F", "abc", "Enter a number"),
    ("Tread", "x" * 41, "At most 40 characters."),
])
def test_shop_master_bad_value_is_422_and_nothing_is_saved(alice, app, key, value, message):
    add_car(alice, preset="Tekno NB48 2.2")
    car_id = car_id_of(app)
    form = {**full_form(), key: value}
    response = alice.post(f"/garage/cars/{car_id}/setup", data=form, headers=hx("setup-form"))
    assert response.status_code == 422
    assert message in response.text
    assert f'id="e-{key}"' in response.text
    assert 'value="Pink"' in response.text  # the other typed values are kept
    assert store_of(app).get_car_config(racer(app), car_id).values == PRESETS["Tekno NB48 2.2"]


def test_clearing_a_parameter_stores_none(alice, app):
    add_car(alice, preset="Tekno NB48 2.2")
    car_id = car_id_of(app)
    alice.post(f"/garage/cars/{car_id}/setup", data={**full_form(), "Venturi": "", "Pipe": ""})
    values = store_of(app).get_car_config(racer(app), car_id).values
    assert values["Venturi"] is None and values["Pipe"] is None
    assert values["SB_F"] == Decimal("2.5")


def test_setup_sheet_shows_every_package_read_only(alice, app):
    add_car(alice, preset="Tekno NB48 2.2")
    text = alice.get(f"/garage/cars/{car_id_of(app)}/sheet").text
    assert "<input" not in text.split("<main")[1]
    for group in ("Diffs", "Suspension", "Geometry", "Tires", "Power"):
        assert f"<caption>{group}</caption>" in text
    assert "REDS 2143" in text and "4x1.2" in text and "-1.0" in text


# --- isolation ---------------------------------------------------------------------------

@pytest.fixture
def bobs_car(client, auth, app):
    """Bob owns a car and a sponsor; then Alice logs in."""
    auth.signup("bob")
    add_car(client, preset="Tekno NB48 2.2")
    client.post("/garage/sponsors", data={"name": "Bob's Oils"})
    bob = racer(app, "bob")
    auth.logout()
    auth.signup("alice")
    return store_of(app).list_cars(bob)[0], store_of(app).list_sponsors(bob)[0]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/garage/cars/{car}/setup"),
    ("get", "/garage/cars/{car}/sheet"),
    ("get", "/garage/cars/{car}/edit"),
    ("post", "/garage/cars/{car}/setup"),
    ("post", "/garage/cars/{car}/edit"),
    ("post", "/garage/cars/{car}/delete"),
    ("post", "/garage/sponsors/{sponsor}/delete"),
])
def test_another_racers_ids_are_404_and_change_nothing(client, app, bobs_car, method, path):
    car, sponsor = bobs_car
    url = path.format(car=car.id, sponsor=sponsor.id)
    form = {**CAR, "nickname": "stolen", **full_form(), "DF": "1000"}
    response = getattr(client, method)(url, data=form if method == "post" else None)
    assert response.status_code == 404
    bob = car.racer_id
    assert store_of(app).get_car(bob, car.id) == car
    assert store_of(app).get_car_config(bob, car.id).values == PRESETS["Tekno NB48 2.2"]
    assert store_of(app).list_sponsors(bob) == [sponsor]
    assert "Bob" not in response.text


def test_another_racers_cars_are_not_listed(client, app, bobs_car):
    text = client.get("/garage/").text
    assert bobs_car[0].id not in text and "Bob&#39;s Oils" not in text


def test_404_is_a_fragment_for_htmx(alice):
    response = alice.get("/garage/cars/nope/setup", headers=hx("setup-form"))
    assert response.status_code == 404
    assert "<html" not in response.text and "not here any more" in response.text


# --- persistence -------------------------------------------------------------------------

def test_data_survives_an_app_restart(alice, app, store_config):
    add_car(alice, preset="Tekno NT48 2.2")
    car_id = car_id_of(app)
    restarted = make_app(store_config, WTF_CSRF_ENABLED=False)
    try:
        other = restarted.test_client()  # a second browser: its own cookies
        other.post("/auth/login", data={"login": "alice", "password": "correct-horse-battery"})
        text = other.get(f"/garage/cars/{car_id}/setup").text
        assert 'value="Relapse"' in text and 'value="10000"' in text
    finally:
        restarted.extensions["apex.store"].close()


def test_second_browser_sees_first_ones_change_after_refresh(alice, app):
    add_car(alice)
    car_id = car_id_of(app)
    other = app.test_client()
    other.post("/auth/login", data={"login": "alice", "password": "correct-horse-battery"})
    assert 'value="6000"' not in other.get(f"/garage/cars/{car_id}/setup").text
    alice.post(f"/garage/cars/{car_id}/setup", data={"DF": "6000"})
    assert 'value="6000"' in other.get(f"/garage/cars/{car_id}/setup").text


# --- retried submits ---------------------------------------------------------------------

def test_retried_add_car_form_saves_once_and_says_so(alice, app):
    form = {**CAR, "request_key": "0f6c3a52-2f57-4a8e-9d1e-6a1f7d1f0001"}
    first = alice.post("/garage/cars", data=form, headers=hx("cars"))
    retry = alice.post("/garage/cars", data=form, headers=hx("cars"))
    assert first.status_code == retry.status_code == 200
    assert "Already saved." in retry.text
    assert len(store_of(app).list_cars(racer(app))) == 1


def test_create_forms_carry_a_fresh_request_key(alice):
    text = alice.get("/garage/").text
    keys = re.findall(r'name="request_key" value="([0-9a-f-]{36})"', text)
    assert len(keys) == 2 and keys[0] != keys[1]
    assert keys[0] not in alice.get("/garage/").text


def test_bad_request_key_is_422(alice, app):
    response = alice.post("/garage/sponsors", data={"name": "X", "request_key": "<script>"})
    assert response.status_code == 422
    assert "Reload the page." in response.text
    assert store_of(app).list_sponsors(racer(app)) == []


def test_nul_characters_are_dropped_not_a_server_error(alice, app):
    response = alice.post("/garage/profile", data={"name": "Al\x00ice", "driving_style": "\x00"})
    assert response.status_code == 303
    assert store_of(app).get_profile(racer(app)).name == "Alice"
    assert alice.get("/library/?q=a\x00b&brand=\x00").status_code == 200
