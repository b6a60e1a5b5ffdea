"""Event Setup (tab 1) over HTTP, on both stores: start, edit with changes, clashes
between two phones, back to last known good, undo, push to Shop Master, close."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import NB48, add_car, hx, racer, store_of


@pytest.fixture
def alice(alice, app):
    """conftest's alice, with her car (every event needs one)."""
    add_car(app)
    return alice


def car_of(app, username="alice"):
    return store_of(app).list_cars(racer(app, username))[0]


def start_form(app, **fields):
    return {"car_id": car_of(app).id, "name": "Winter Cup", "type": "Practice",
            "start_date": "2026-11-21", "track": "Mac's Track", "track_size": "Large",
            "traction": "High", "surface": "Dry", "condition": "Bumpy", "temperature": "18",
            "practice_rounds": "4", "qualifying_rounds": "3", "baseline": "shop", **fields}


def start(client, app, **fields):
    response = client.post("/event/", data=start_form(app, **fields))
    assert response.status_code == 303, response.text
    return store_of(app).list_events(racer(app))[0]


def setup_form(app, event, **changes):
    setup = store_of(app).get_event_setup(racer(app), event.id)
    form = {k: "" if v is None else str(v) for k, v in setup.values.items()}
    return {**form, "version": str(setup.version), **changes}


# --- starting an event --------------------------------------------------------------------

def test_start_from_shop_master(alice, app):
    event = start(alice, app)
    assert (event.name, event.type, event.track, event.temperature, event.practice_rounds) == (
        "Winter Cup", "Practice", "Mac's Track", 18, 4)
    assert event.start_date == date(2026, 11, 21) and event.is_active
    setup = store_of(app).get_event_setup(racer(app), event.id)
    assert setup.values == NB48 and setup.version == 1
    page = alice.get(f"/event/{event.id}")
    assert page.status_code == 200
    assert "Winter Cup" in page.text and "18 °C / 64 °F" in page.text
    assert 'name="version" value="1"' in page.text


def _baseline(track, condition, day, brand="Tekno", vehicle="NB48 2.2", **values):
    fields = {"track": track, "brand": brand, "vehicle": vehicle, "condition": condition,
              "date": date.fromisoformat(day), "source": "Pro Sheet", "driver_name": "",
              "notes": ""}
    return fields, {**NB48, **values}


def test_start_from_a_library_baseline_suggested_for_track_and_condition(alice, app):
    store = store_of(app)
    added = store.add_library_baselines(racer(app), [
        _baseline("Thunder Alley", "High Traction, Smooth", "2026-10-01"),
        _baseline("Mac's Track", "Bumpy, Dusty", "2025-05-01", DF=6000),
        _baseline("Far Away", "Bumpy", "2026-11-01"),
        _baseline("Mac's Track", "Bumpy", "2026-11-02", brand="Associated", vehicle="RC8B4"),
    ])
    thunder, macs, far, other_car = (b.id for b in added)
    form = alice.get("/event/new", query_string={"track": "Mac's Track", "condition": "Bumpy"})
    radios = re.findall(r'name="baseline" value="(\w+)"', form.text)
    # The Shop Master, then this car's baselines: this track and condition, this
    # condition, the rest; never another car's.
    assert radios == ["shop", str(macs), str(far), str(thunder)]
    event = start(alice, app, baseline=str(macs))
    assert store.get_event_setup(racer(app), event.id).values["DF"] == 6000
    assert event.baseline == "library baseline Mac's Track 2025-05-01"
    assert str(other_car) not in radios


def test_suggestions_refresh_as_a_fragment(alice, app):
    response = alice.get("/event/new", query_string={"track": "x"},
                         headers=hx("baseline-choice"))
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="baseline-choice"' in response.text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Enter the event&#39;s name."),
    ("track", "", "Enter the track&#39;s name."),
    ("type", "Endurance", "Pick the event type from the list."),
    ("start_date", "21/11/2026", "Enter a date"),
    ("temperature", "95", "between -30 and 70"),
    ("practice_rounds", "two", "Enter a whole number."),
    ("condition", "Sticky", "Pick the surface condition from the list."),
])
def test_bad_start_is_422_with_the_field_named_and_nothing_started(alice, app, field, value,
                                                                   message):
    response = alice.post("/event/", data=start_form(app, **{field: value}),
                          headers=hx("start-form"))
    assert response.status_code == 422
    assert message in response.text
    assert "<html" not in response.text
    assert store_of(app).list_events(racer(app)) == []


def test_a_second_active_event_for_the_car_names_and_links_the_open_one(alice, app):
    event = start(alice, app)
    response = alice.post("/event/", data=start_form(app, name="Another"))
    assert response.status_code == 422
    assert "has an event open already" in response.text
    assert f"/event/{event.id}" in response.text and "Open Winter Cup" in response.text
    assert len(store_of(app).list_events(racer(app))) == 1


def test_a_retried_start_lands_on_the_same_event(alice, app):
    form = start_form(app, request_key="a" * 32)
    first = alice.post("/event/", data=form)
    again = alice.post("/event/", data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert len(store_of(app).list_events(racer(app))) == 1


def test_another_racers_car_in_the_form_is_404(alice, app, auth, client):
    alices_car = car_of(app).id
    auth.logout()
    auth.signup("bob")
    response = client.post("/event/", data={**start_form(app), "car_id": alices_car})
    assert response.status_code == 404
    assert store_of(app).list_events(racer(app, "bob")) == []


def test_the_active_event_is_there_on_another_phone(alice, app, auth, client):
    event = start(alice, app)
    auth.logout()
    auth.login("alice")
    listing = client.get("/event/")
    assert "Winter Cup" in listing.text and f"/race/{event.id}" in listing.text


# --- editing the event setup ------------------------------------------------------------

def test_an_edit_records_one_change_per_parameter(alice, app):
    event = start(alice, app)
    response = alice.post(f"/event/{event.id}/setup",
                          data=setup_form(app, event, DF="6000", SO_F="500"),
                          headers=hx("event-setup"))
    assert response.status_code == 200
    assert "Saved: 2 changes recorded." in response.text
    assert 'name="version" value="2"' in response.text
    changes = store_of(app).list_changes(racer(app), event.id)
    assert [(c.parameter, c.old_value, c.new_value, c.source) for c in changes] == [
        ("DF", "7000", "6000", "manual"), ("SO_F", "450", "500", "manual")]
    page = alice.get(f"/event/{event.id}")
    assert "Front diff" in page.text or "DF" in page.text
    assert "7000 → 6000" in page.text


def test_a_bad_edit_is_422_keeps_what_was_typed_and_records_nothing(alice, app):
    event = start(alice, app)
    response = alice.post(f"/event/{event.id}/setup",
                          data=setup_form(app, event, DF="6000", SO_F="9999"),
                          headers=hx("event-setup"))
    assert response.status_code == 422
    assert "Must be between 100 and 1500 cSt." in response.text
    assert 'value="9999"' in response.text and 'value="6000"' in response.text
    # The package holding the error opens (and says so when folded); the others stay folded.
    assert '<details class="pkg fold" id="pkg-suspension" open>' in response.text
    assert '<details class="pkg fold" id="pkg-geometry">' in response.text
    assert "Not saved: fix the values marked." in response.text
    assert store_of(app).list_changes(racer(app), event.id) == []
    assert store_of(app).get_event_setup(racer(app), event.id).values["DF"] == 7000


def test_a_stale_save_shows_theirs_against_stored_and_saves_the_choice(alice, app):
    event = start(alice, app)
    phone_a = setup_form(app, event, DF="6000")
    phone_b = setup_form(app, event, DF="8000", SO_F="500")
    assert alice.post(f"/event/{event.id}/setup", data=phone_a).status_code == 303
    clash = alice.post(f"/event/{event.id}/setup", data=phone_b, headers=hx("event-setup"))
    assert clash.status_code == 409
    assert "Changed on another phone" in clash.text
    # DF: both changed it, so the choice starts on theirs; SO_F only they changed.
    assert re.search(r'name="DF" value="8000" checked', clash.text)
    assert re.search(r'name="DF" value="6000">', clash.text)
    assert re.search(r'name="SO_F" value="500" checked', clash.text)
    assert 'name="version" value="2"' in clash.text
    assert store_of(app).get_event_setup(racer(app), event.id).values["DF"] == 6000
    # The racer keeps the stored DF and their SO_F.
    chosen = {**setup_form(app, event), "SO_F": "500"}
    assert alice.post(f"/event/{event.id}/setup", data=chosen).status_code == 303
    setup = store_of(app).get_event_setup(racer(app), event.id)
    assert (setup.values["DF"], setup.values["SO_F"], setup.version) == (6000, 500, 3)


def test_back_to_last_known_good_restores_the_best_runs_setup(alice, app):
    store = store_of(app)
    event = start(alice, app)
    rid = racer(app)
    good = store.add_run(rid, event.id, "Practice 1")
    store.add_laps(rid, good.id, [Decimal(s) for s in ("31.0", "31.2", "31.1", "31.3", "31.0")])
    store.edit_event_setup(rid, event.id, {"DF": 6000, "SO_F": 500}, source="manual")
    worse = store.add_run(rid, event.id, "Practice 2")
    store.add_laps(rid, worse.id, [Decimal(s) for s in ("32.0", "32.4", "32.2", "32.1", "32.3")])
    # faster, but 4 laps and a double hit: compared with nothing
    short = store.add_run(rid, event.id, "Practice 3")
    store.add_laps(rid, short.id, [Decimal(s) for s in ("30.0", "30.1", "12.0", "30.2")])
    store.edit_event_setup(rid, event.id, {"RH_F": Decimal("29")}, source="manual")
    page = alice.get(f"/event/{event.id}")
    # top-5 (31.0 + 31.0 + 31.1 + 31.2 + 31.3) / 5 = 31.12
    assert ("Best run: <strong>Practice 1</strong> — top-5 average 31.120 s, median 31.100 s"
            in page.text)
    response = alice.post(f"/event/{event.id}/restore")
    assert response.status_code == 303
    setup = store.get_event_setup(rid, event.id)
    assert setup.values == NB48
    restored = [c for c in store.list_changes(rid, event.id)
                if c.reason == "Back to last known good: Practice 1"]
    assert sorted((c.parameter, c.new_value) for c in restored) == [
        ("DF", "7000"), ("RH_F", "27.0"), ("SO_F", "450")]


def test_last_known_good_is_offered_only_while_the_values_differ(alice, app):
    """Compared by values, not version numbers (issue 18): once restored, or once the
    changes are undone by hand, the setup is on a new version with the same values."""
    store = store_of(app)
    event = start(alice, app)
    rid = racer(app)
    good = store.add_run(rid, event.id, "Practice 1")
    store.add_laps(rid, good.id, [Decimal(s) for s in ("31.0", "31.2", "31.1", "31.3", "31.0")])
    store.edit_event_setup(rid, event.id, {"DF": 6000, "SO_F": 500}, source="manual")
    offer = "Back to the Practice 1 setup (2 values)"
    assert offer in alice.get(f"/event/{event.id}").text
    assert alice.post(f"/event/{event.id}/restore").status_code == 303
    page = alice.get(f"/event/{event.id}").text
    assert "Back to the Practice 1 setup" not in page
    assert "The car is on that setup now." in page
    # By hand: DF away and back again, two versions later, the same values.
    store.edit_event_setup(rid, event.id, {"DF": 5000}, source="manual")
    assert "Back to the Practice 1 setup (1 value)" in alice.get(f"/event/{event.id}").text
    store.edit_event_setup(rid, event.id, {"DF": 7000}, source="manual")
    assert "Back to the Practice 1 setup" not in alice.get(f"/event/{event.id}").text


def test_restore_without_laps_says_so(alice, app):
    event = start(alice, app)
    response = alice.post(f"/event/{event.id}/restore", follow_redirects=True)
    assert "No run with 5 clean laps yet" in response.text
    assert store_of(app).list_changes(racer(app), event.id) == []


def test_undo_a_change(alice, app):
    event = start(alice, app)
    alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, SO_F="500"))
    change = store_of(app).list_changes(racer(app), event.id)[0]
    response = alice.post(f"/event/{event.id}/changes/{change.id}/revert",
                          follow_redirects=True)
    assert "back to 450" in response.text
    assert store_of(app).get_event_setup(racer(app), event.id).values["SO_F"] == 450


def test_undo_answers_at_the_change_list(alice, app):
    """Undo does not jump to the top (issue 18): without JavaScript the page comes back at
    #changes with the message there; with HTMX the list is swapped, the form follows."""
    event = start(alice, app)
    alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, SO_F="500", DF="6000"))
    so_f, df = sorted(store_of(app).list_changes(racer(app), event.id), key=lambda c: c.parameter,
                      reverse=True)
    plain = alice.post(f"/event/{event.id}/changes/{so_f.id}/revert")
    assert plain.status_code == 303 and plain.headers["Location"].endswith("#changes")
    page = alice.get(plain.headers["Location"]).text
    changes = page[page.index('<section class="card" id="changes"'):]
    assert "Undone: Front shock oil is back to 450." in changes
    assert page.count("Undone:") == 1  # said at the list, not at the top
    assert '<details class="pkg fold" id="pkg-suspension" open>' in page
    htmx = alice.post(f"/event/{event.id}/changes/{df.id}/revert", headers=hx("changes"))
    assert htmx.status_code == 200 and "<html" not in htmx.text
    assert htmx.text.lstrip().startswith('<section class="card" id="changes"')
    assert "Undone: Front diff oil is back to 7000." in htmx.text
    assert '<form id="event-setup" class="setup" method="post"' in htmx.text
    assert 'hx-swap-oob="true"' in htmx.text and 'value="7000"' in htmx.text


def test_saving_says_the_result_on_the_save_bar_and_opens_the_changed_package(alice, app):
    event = start(alice, app)
    response = alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, DF="6000"))
    page = alice.get(response.headers["Location"]).text
    bar = page[page.index('class="sticky-actions save-bar"'):]
    assert "Saved: 1 change recorded." in bar[:400] and page.count("Saved:") == 1
    assert '<details class="pkg fold" id="pkg-diffs" open>' in page
    assert '<details class="pkg fold" id="pkg-suspension">' in page
    assert 'href="#changes">Changes (1)</a>' in bar


def test_push_to_shop_master_shows_the_changes_first(alice, app):
    event = start(alice, app)
    alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, DF="6000"))
    preview = alice.get(f"/event/{event.id}/push")
    assert "7000 cSt → <strong>6000 cSt</strong>" in preview.text
    assert store_of(app).get_car_config(racer(app), event.car_id).values["DF"] == 7000
    assert alice.post(f"/event/{event.id}/push").status_code == 303
    assert store_of(app).get_car_config(racer(app), event.car_id).values["DF"] == 6000
    note = store_of(app).list_track_logs(racer(app))[0]
    assert note.kind == "change" and "Front diff oil 7000 → 6000 cSt" in note.note


def test_close_makes_the_event_read_only(alice, app):
    event = start(alice, app)
    assert alice.post(f"/analysis/{event.id}/close",
                      data={"rating": "3", "end_date": "2026-11-22"}).status_code == 303
    closed = store_of(app).get_event(racer(app), event.id)
    assert (closed.status, closed.end_date) == ("closed", date(2026, 11, 22))
    response = alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, DF="6000"),
                          follow_redirects=True)
    assert "This event is closed" in response.text
    assert store_of(app).list_changes(racer(app), event.id) == []
    # The car is free for a new event.
    start(alice, app, name="Next day")


# --- isolation ------------------------------------------------------------------------------

def test_another_racers_event_is_404_everywhere(alice, app, auth, client):
    event = start(alice, app)
    alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, DF="6000"))
    change = store_of(app).list_changes(racer(app), event.id)[0]
    form = setup_form(app, event, DF="1000")
    auth.logout()
    auth.signup("bob")
    for method, url, data in [
        ("get", f"/event/{event.id}", None),
        ("post", f"/event/{event.id}/setup", form),
        ("post", f"/event/{event.id}/restore", {}),
        ("post", f"/event/{event.id}/changes/{change.id}/revert", {}),
        ("get", f"/event/{event.id}/push", None),
        ("post", f"/event/{event.id}/push", {}),
        ("get", "/event/not-an-id", None),
    ]:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, url
    setup = store_of(app).get_event_setup(racer(app), event.id)
    assert setup.values["DF"] == 6000 and store_of(app).get_event(racer(app), event.id).is_active


def test_undo_is_offered_only_on_the_latest_change_of_a_parameter(alice, app):
    event = start(alice, app)
    alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, SO_F="500"))
    alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, SO_F="550"))
    older, latest = store_of(app).list_changes(racer(app), event.id)
    page = alice.get(f"/event/{event.id}").text
    assert f"/changes/{latest.id}/revert" in page and f"/changes/{older.id}/revert" not in page
    # Posted anyway (an old page): refused, nothing undone.
    response = alice.post(f"/event/{event.id}/changes/{older.id}/revert", follow_redirects=True)
    assert "was changed again since" in response.text
    assert store_of(app).get_event_setup(racer(app), event.id).values["SO_F"] == 550


def test_an_htmx_save_also_refreshes_the_change_list_out_of_band(alice, app):
    event = start(alice, app)
    response = alice.post(f"/event/{event.id}/setup", data=setup_form(app, event, DF="6000"),
                          headers=hx("event-setup"))
    assert response.status_code == 200 and "<html" not in response.text
    assert 'id="changes" hx-swap-oob="true"' in response.text
    assert "7000 → 6000" in response.text.split('id="changes"')[1]


def test_an_electric_cars_event_setup_shows_and_saves_only_its_powers_fields(alice, app):
    car = car_of(app)
    store_of(app).update_car(racer(app), car.id, {"power": "electric"})
    event = start(alice, app)  # from a Shop Master that still holds nitro values
    assert store_of(app).get_event_setup(racer(app), event.id).values["Venturi"] is None
    page = alice.get(f"/event/{event.id}").text
    assert 'id="p-Pinion"' in page and 'id="p-Spur"' in page and 'id="p-Venturi"' not in page
    form = setup_form(app, event, Pinion="16", Motor="2050kV 4-pole")
    assert alice.post(f"/event/{event.id}/setup", data=form).status_code == 303
    values = store_of(app).get_event_setup(racer(app), event.id).values
    assert (values["Pinion"], values["Motor"], values["Spur"]) == (16, "2050kV 4-pole", 48)
    assert values["Venturi"] is None and values["Bell"] is None  # nitro-only: emptied
