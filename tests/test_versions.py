"""Two phones editing the same record, on both stores: the second save from an older
page gets the "yours vs stored" choice instead of silently undoing the first (issue 12,
finding 4). Shop Master, profile, car and the racer's own library baselines."""

from __future__ import annotations

import re
from datetime import date

from apex.catalogue import PRESETS
from tests.conftest import add_car, hx, racer, store_of
from tests.form_helpers import form_fields

NB48 = PRESETS["Tekno NB48 2.2"]


def radio(name: str, value: str, checked: bool) -> re.Pattern[str]:
    """A choice of the conflict form, checked or not."""
    return re.compile(rf'name="{name}" value="{re.escape(value)}"{" checked" if checked else ">"}')


def load(client, url: str, form_id: str) -> dict[str, str]:
    """What a phone holds after opening ``url``: the form as it would submit it."""
    page = client.get(url)
    assert page.status_code == 200
    return form_fields(page.text, form_id)


# --- Shop Master -------------------------------------------------------------------------

def test_shop_master_stale_save_offers_the_choice_and_keeps_both(alice, app):
    car = add_car(app)
    url = f"/garage/cars/{car.id}/setup"
    phone_a, phone_b = load(alice, url, "setup-form"), load(alice, url, "setup-form")
    assert alice.post(url, data={**phone_a, "DF": "6000"}).status_code == 303
    clash = alice.post(url, data={**phone_b, "SO_F": "500"}, headers=hx("setup-form"))
    assert clash.status_code == 409
    assert "Changed on another phone" in clash.text and "<html" not in clash.text
    # SO_F only this phone changed: it starts on "yours"; DF only the other: on stored.
    assert radio("SO_F", "500", True).search(clash.text)
    assert radio("SO_F", "450", False).search(clash.text)
    assert radio("DF", "6000", True).search(clash.text)
    assert radio("DF", "7000", False).search(clash.text)
    stored = store_of(app).get_car_config(racer(app), car.id)
    assert (stored.values["DF"], stored.values["SO_F"]) == (6000, 450)
    # Saving the choice as offered keeps both phones' changes.
    chosen = form_fields(clash.text, "setup-form")
    assert alice.post(url, data=chosen).status_code == 303
    stored = store_of(app).get_car_config(racer(app), car.id)
    assert (stored.values["DF"], stored.values["SO_F"]) == (6000, 500)
    assert stored.values["DR"] == NB48["DR"]


def test_shop_master_conflict_keep_mine_and_take_theirs(alice, app):
    car = add_car(app)
    url = f"/garage/cars/{car.id}/setup"
    phone_a, phone_b = load(alice, url, "setup-form"), load(alice, url, "setup-form")
    assert alice.post(url, data={**phone_a, "DF": "6000", "SO_R": "350"}).status_code == 303
    clash = alice.post(url, data={**phone_b, "DF": "8000"}, headers=hx("setup-form"))
    assert clash.status_code == 409
    # Both changed DF: it starts on "yours"; the racer keeps their DF, takes SO_R.
    assert radio("DF", "8000", True).search(clash.text)
    assert radio("DF", "6000", False).search(clash.text)
    assert alice.post(url, data=form_fields(clash.text, "setup-form")).status_code == 303
    stored = store_of(app).get_car_config(racer(app), car.id)
    assert (stored.values["DF"], stored.values["SO_R"]) == (8000, 350)
    # Another clash; this time "Keep stored" (theirs): the link back to the form.
    phone_c = load(alice, url, "setup-form")
    assert alice.post(url, data={**phone_c, "DF": "6500"}).status_code == 303
    clash = alice.post(url, data={**phone_c, "DF": "9000"}, headers=hx("setup-form"))
    assert clash.status_code == 409
    assert f'href="{url}"' in clash.text and "Keep stored" in clash.text
    theirs = form_fields(clash.text, "setup-form")
    theirs["DF"] = "6500"
    assert alice.post(url, data=theirs).status_code == 303
    assert store_of(app).get_car_config(racer(app), car.id).values["DF"] == 6500


def test_shop_master_stale_resubmit_of_the_same_values_is_saved(alice, app):
    car = add_car(app)
    url = f"/garage/cars/{car.id}/setup"
    phone = load(alice, url, "setup-form")
    assert alice.post(url, data={**phone, "DF": "6000"}).status_code == 303
    # The answer was lost; the phone sends the same form again (its old version).
    again = alice.post(url, data={**phone, "DF": "6000"}, headers=hx("setup-form"))
    assert again.status_code == 200 and "Changed on another phone" not in again.text
    assert store_of(app).get_car_config(racer(app), car.id).values["DF"] == 6000


def test_shop_master_is_stale_after_a_push_from_an_event(alice, app):
    """A write that is not the form (push, library copy, power change) moves the version
    on too, so an open Shop Master page cannot silently undo it."""
    car = add_car(app)
    url = f"/garage/cars/{car.id}/setup"
    phone = load(alice, url, "setup-form")
    store_of(app).change_car_config(racer(app), car.id, {"DF": 5000}, "pushed")
    clash = alice.post(url, data={**phone, "SO_F": "500"}, headers=hx("setup-form"))
    assert clash.status_code == 409 and radio("DF", "5000", True).search(clash.text)


# --- profile -----------------------------------------------------------------------------

def test_profile_stale_save_offers_the_choice(alice, app):
    url = "/garage/profile"
    phone_a, phone_b = load(alice, url, "profile-form"), load(alice, url, "profile-form")
    assert alice.post(url, data={**phone_a, "name": "Alice Ortiz"}).status_code == 303
    clash = alice.post(url, data={**phone_b, "transponder": "8421337"},
                       headers=hx("profile-form"))
    assert clash.status_code == 409 and "Changed on another phone" in clash.text
    assert radio("transponder", "8421337", True).search(clash.text)
    assert radio("name", "Alice Ortiz", True).search(clash.text)
    assert radio("name", "alice", False).search(clash.text)
    assert store_of(app).get_profile(racer(app)).transponder == ""
    assert alice.post(url, data=form_fields(clash.text, "profile-form")).status_code == 303
    profile = store_of(app).get_profile(racer(app))
    assert (profile.name, profile.transponder) == ("Alice Ortiz", "8421337")


def test_profile_stale_resubmit_of_the_same_values_is_saved(alice, app):
    url = "/garage/profile"
    phone = load(alice, url, "profile-form")
    assert alice.post(url, data={**phone, "name": "Al"}).status_code == 303
    assert alice.post(url, data={**phone, "name": "Al"}).status_code == 303
    assert store_of(app).get_profile(racer(app)).name == "Al"


# --- the car record ----------------------------------------------------------------------

def test_car_stale_save_offers_the_choice(alice, app):
    car = add_car(app)
    url = f"/garage/cars/{car.id}/edit"
    phone_a, phone_b = load(alice, url, "car-form"), load(alice, url, "car-form")
    assert alice.post(url, data={**phone_a, "nickname": "Red"}).status_code == 303
    clash = alice.post(url, data={**phone_b, "class_name": "1/8 Truggy"})
    assert clash.status_code == 409 and "Changed on another phone" in clash.text
    assert radio("class_name", "1/8 Truggy", True).search(clash.text)
    assert radio("nickname", "Red", True).search(clash.text)
    assert radio("nickname", "Blue", False).search(clash.text)
    assert store_of(app).get_car(racer(app), car.id).class_name == "1/8 Buggy"
    assert alice.post(url, data=form_fields(clash.text, "car-form")).status_code == 303
    saved = store_of(app).get_car(racer(app), car.id)
    assert (saved.nickname, saved.class_name) == ("Red", "1/8 Truggy")


def test_car_stale_resubmit_of_the_same_values_is_saved(alice, app):
    car = add_car(app)
    url = f"/garage/cars/{car.id}/edit"
    phone = load(alice, url, "car-form")
    assert alice.post(url, data={**phone, "nickname": "Red"}).status_code == 303
    assert alice.post(url, data={**phone, "nickname": "Red"}).status_code == 303
    assert store_of(app).get_car(racer(app), car.id).nickname == "Red"


# --- the racer's own library baselines ---------------------------------------------------

def _my_baseline(app) -> int:
    fields = {"track": "Hangtown", "brand": "Tekno", "vehicle": "NB48 2.2",
              "condition": "Bumpy", "date": date(2025, 11, 20), "source": "Pro Sheet",
              "driver_name": "", "notes": ""}
    added = store_of(app).add_library_baselines(racer(app), [(fields, NB48)])
    return added[0].id


def test_library_baseline_stale_save_offers_the_choice(alice, app):
    bid = _my_baseline(app)
    url = f"/library/{bid}/edit"
    phone_a, phone_b = load(alice, url, "baseline-form"), load(alice, url, "baseline-form")
    assert alice.post(url, data={**phone_a, "notes": "Dry line"}).status_code == 303
    clash = alice.post(url, data={**phone_b, "DF": "6000"}, headers=hx("baseline-form"))
    assert clash.status_code == 409 and "Changed on another phone" in clash.text
    assert radio("DF", "6000", True).search(clash.text)
    assert radio("notes", "Dry line", True).search(clash.text)
    assert store_of(app).get_library_baseline(bid).values["DF"] == NB48["DF"]
    assert alice.post(url, data=form_fields(clash.text, "baseline-form")).status_code == 303
    saved = store_of(app).get_library_baseline(bid)
    assert (saved.notes, saved.values["DF"]) == ("Dry line", 6000)


def test_library_baseline_stale_resubmit_of_the_same_values_is_saved(alice, app):
    bid = _my_baseline(app)
    url = f"/library/{bid}/edit"
    phone = load(alice, url, "baseline-form")
    assert alice.post(url, data={**phone, "notes": "Dry"}).status_code == 303
    assert alice.post(url, data={**phone, "notes": "Dry"}).status_code == 303
    assert store_of(app).get_library_baseline(bid).notes == "Dry"


def test_a_tampered_version_is_a_clear_422_never_a_500(alice, app):
    car = add_car(app)
    url = f"/garage/cars/{car.id}/setup"
    phone = load(alice, url, "setup-form")
    for bad in ("x", "0", "-3", "99999999999999999999"):
        response = alice.post(url, data={**phone, "version": bad}, headers=hx("setup-form"))
        assert response.status_code == 422 and "Reload the page." in response.text


# --- a form sent back with errors keeps the version it was loaded at ----------------------

def test_a_stale_form_sent_back_with_errors_still_gets_the_choice(alice, app):
    """Fixing a typo must not turn an old page into a current one: the 422 form keeps the
    version it was loaded at, so its next save still gets the choice (event setup, the
    form versions came from, and the Shop Master alike)."""
    car = add_car(app)
    event = store_of(app).start_event(racer(app), {
        "car_id": car.id, "name": "Winter Cup", "type": "Practice",
        "start_date": date(2026, 11, 21)}, NB48)
    for url, form_id, post in ((f"/event/{event.id}", "event-setup", f"/event/{event.id}/setup"),
                               (f"/garage/cars/{car.id}/setup", "setup-form", None)):
        post = post or url
        phone_a, phone_b = load(alice, url, form_id), load(alice, url, form_id)
        assert alice.post(post, data={**phone_a, "DF": "6000"}).status_code == 303
        typo = alice.post(post, data={**phone_b, "SO_F": "9999"}, headers=hx(form_id))
        assert typo.status_code == 422
        fixed = {**form_fields(typo.text, form_id), "SO_F": "500"}
        clash = alice.post(post, data=fixed, headers=hx(form_id))
        assert clash.status_code == 409, url
        assert radio("DF", "6000", True).search(clash.text)
