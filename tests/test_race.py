"""Race Support over HTTP: notes, symptoms, runs, laps and the setup drift, on both stores."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import CAR, NB48, hx, racer, store_of

KEY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def start_event(app, username="alice", name="Club day", nickname="Blue"):
    store = store_of(app)
    racer_id = racer(app, username)
    car = store.add_car(racer_id, {**CAR, "nickname": nickname}, NB48)
    return store.start_event(racer_id, {"name": name, "type": "Practice",
                                        "start_date": date.today(), "track": "Mac's Track",
                                        "car_id": car.id}, NB48)


def add_run(app, event, name="Practice 1", laps=(), username="alice"):
    store = store_of(app)
    run = store.add_run(racer(app, username), event.id, name)
    if laps:
        run = store.add_laps(racer(app, username), run.id, [Decimal(s) for s in laps])
    return run


def logs(app, event, username="alice"):
    return store_of(app).list_event_logs(racer(app, username), event.id)


def laps_of(app, run, username="alice"):
    return [lap.seconds for lap in store_of(app).get_run(racer(app, username), run.id).laps]


def textarea(html, name):
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return match and match.group(1)


@pytest.fixture
def event(app, alice):
    return start_event(app)


# --- the page ----------------------------------------------------------------------------

def test_page_has_every_section_most_used_first(alice, event):
    response = alice.get(f"/race/{event.id}")
    assert response.status_code == 200
    text = response.text
    ids = [text.index(f'<section id="{s}"') for s in ("notes", "symptoms", "runs", "setup-drift")]
    assert ids == sorted(ids)
    assert f'data-draft="apex:note:{event.id}"' in text
    assert re.search(r'<button[^>]*data-dictate="f-note"[^>]*hidden', text)
    assert text.count('name="symptom"') == 14
    assert f'href="/event/{event.id}"' in text and "Edit event setup" in text
    assert 'value="Practice 1"' in text  # the suggested first run
    assert "No runs yet" in text


def test_race_tab_goes_to_the_active_event(alice, app, event):
    response = alice.get("/race/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/race/{event.id}")


def test_race_tab_from_htmx_is_a_client_redirect(alice, event):
    response = alice.get("/race/", headers=hx("main"))
    assert response.status_code == 200
    assert response.headers["HX-Location"] == f"/race/{event.id}"


def test_race_tab_without_an_active_event_offers_to_start_one(alice, app):
    response = alice.get("/race/")
    assert response.status_code == 200
    assert "No active event" in response.text and 'href="/event/new"' in response.text
    closed = start_event(app, name="Last week")
    store_of(app).close_event(racer(app), closed.id, date.today())
    response = alice.get("/race/")
    assert response.status_code == 200 and "No active event" in response.text
    assert f'href="/race/{closed.id}"' in response.text


def test_race_needs_a_login(client):
    response = client.get("/race/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- quick notes -------------------------------------------------------------------------

def test_note_is_saved_with_keywords_track_car_event_and_run(alice, app, event):
    run = add_run(app, event)
    response = alice.post(f"/race/{event.id}/notes", data={
        "note": "Loose on entry, bottoming on the double", "run_id": run.id,
        "request_key": KEY})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#notes")
    (log,) = logs(app, event)
    assert (log.kind, log.note, log.run_id) == ("note", "Loose on entry, bottoming on the double",
                                                run.id)
    assert log.keywords == "bottoming loose entry"
    assert (log.track, log.event, log.car) == ("Mac's Track", "Club day", "Tekno NB48 2.2 “Blue”")
    page = alice.get(response.headers["Location"]).text
    assert "Note saved." in page
    assert f'data-draft-saved="apex:note:{event.id}"' in page  # app.js drops the draft
    assert '<span class="chip">bottoming</span>' in page and "Practice 1" in page


def test_htmx_note_answers_with_the_notes_section_marked_saved(alice, app, event):
    response = alice.post(f"/race/{event.id}/notes", data={"note": "Pushes mid"},
                          headers=hx("notes"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="notes"')
    assert f'data-draft-saved="apex:note:{event.id}"' in response.text
    assert textarea(response.text, "note") == ""
    assert "HX-Request" in response.headers["Vary"]
    assert [log.note for log in logs(app, event)] == ["Pushes mid"]


def test_retried_note_is_stored_once(alice, app, event):
    form = {"note": "Rear end steps out on exit", "request_key": KEY}
    assert alice.post(f"/race/{event.id}/notes", data=form, headers=hx("notes")).status_code == 200
    again = alice.post(f"/race/{event.id}/notes", data=form, headers=hx("notes"))
    assert again.status_code == 200 and "Already saved." in again.text
    assert len(logs(app, event)) == 1


def test_empty_note_is_422_and_saves_nothing(alice, app, event):
    response = alice.post(f"/race/{event.id}/notes", data={"note": "   "}, headers=hx("notes"))
    assert response.status_code == 422
    assert "Write the note first" in response.text and "<html" not in response.text
    assert "data-draft-saved" not in response.text
    assert logs(app, event) == []


def test_too_long_note_is_422_and_keeps_the_text(alice, app, event):
    text = "loose " * 400
    response = alice.post(f"/race/{event.id}/notes", data={"note": text, "request_key": KEY},
                          headers=hx("notes"))
    assert response.status_code == 422
    assert "At most 2000 characters." in response.text
    assert textarea(response.text, "note") == text and KEY in response.text
    assert logs(app, event) == []


def test_delete_note(alice, app, event):
    note = store_of(app).add_event_log(racer(app), event.id, "note", "typo")
    response = alice.post(f"/race/{event.id}/notes/{note.id}/delete", headers=hx("note-list"))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="note-list"')
    assert logs(app, event) == []
    assert alice.post(f"/race/{event.id}/notes/{note.id}/delete").status_code == 404


def test_a_note_of_another_event_is_not_deleted_through_this_one(alice, app, event):
    other = start_event(app, name="Other day", nickname="Red")
    note = store_of(app).add_event_log(racer(app), other.id, "note", "keep me")
    assert alice.post(f"/race/{event.id}/notes/{note.id}/delete").status_code == 404
    assert len(logs(app, other)) == 1


# --- symptoms ----------------------------------------------------------------------------

def test_symptom_is_logged_against_the_current_run(alice, app, event):
    add_run(app, event, "Practice 1")
    p2 = add_run(app, event, "Practice 2")
    response = alice.post(f"/race/{event.id}/symptoms",
                          data={"symptom": "push_entry", "run_id": p2.id, "request_key": KEY},
                          headers=hx("symptoms"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Logged Push entry · Practice 2 · <time" in response.text
    # The note list below is refreshed out of band with the new entry.
    assert '<div id="note-list" hx-swap-oob="true">' in response.text
    (log,) = logs(app, event)
    assert (log.kind, log.note, log.run_id, log.keywords) == (
        "symptom", "Push entry", p2.id, "entry")


def test_plain_symptom_tap_flashes_and_returns_to_the_buttons(alice, app, event):
    run = add_run(app, event)
    response = alice.post(f"/race/{event.id}/symptoms",
                          data={"symptom": "loose_exit", "run_id": run.id})
    assert response.status_code == 303 and response.headers["Location"].endswith("#symptoms")
    assert "Logged Loose exit · Practice 1." in alice.get(response.headers["Location"]).text
    assert logs(app, event)[0].keywords == "loose exit"


def test_retried_symptom_is_stored_once_but_another_button_still_counts(alice, app, event):
    for symptom in ("bottoming", "bottoming", "fade"):
        alice.post(f"/race/{event.id}/symptoms", data={"symptom": symptom, "request_key": KEY},
                   headers=hx("symptoms"))
    assert sorted(log.note for log in logs(app, event)) == ["Bottoming", "Fade"]


@pytest.mark.parametrize("symptom", ["", "understeer"])
def test_unknown_symptom_is_422(alice, app, event, symptom):
    response = alice.post(f"/race/{event.id}/symptoms", data={"symptom": symptom},
                          headers=hx("symptoms"))
    assert response.status_code == 422
    assert "Pick a symptom from the buttons." in response.text
    assert logs(app, event) == []


# --- runs and laps -----------------------------------------------------------------------

def test_start_a_run_and_the_next_name_is_suggested(alice, app, event):
    response = alice.post(f"/race/{event.id}/runs", data={"name": "Practice 1",
                                                          "request_key": KEY})
    assert response.status_code == 303 and response.headers["Location"].endswith("#runs")
    page = alice.get(f"/race/{event.id}").text
    assert "Add laps to Practice 1" in page and 'value="Practice 2"' in page
    again = alice.post(f"/race/{event.id}/runs", data={"name": "Practice 1", "request_key": KEY})
    assert again.status_code == 303
    assert len(store_of(app).list_runs(racer(app), event.id)) == 1


def test_htmx_run_start_moves_the_note_and_symptom_forms_to_it(alice, app, event):
    add_run(app, event, "Q1")
    response = alice.post(f"/race/{event.id}/runs", data={"name": "Q2"}, headers=hx("runs"))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="runs"')
    q2 = store_of(app).list_runs(racer(app), event.id)[-1]
    for marker in ("note-run", "symptom-run"):
        assert re.search(rf'<p id="{marker}" class="for-run" hx-swap-oob="true">For '
                         rf'<strong>Q2</strong><input type="hidden" name="run_id" '
                         rf'value="{q2.id}">', response.text)
    assert response.headers["HX-Replace-Url"] == f"/race/{event.id}"
    assert 'value="Q3"' in response.text


@pytest.mark.parametrize(("name", "message"), [
    ("", "Name the run"), ("x" * 41, "At most 40 characters."),
])
def test_bad_run_name_is_422(alice, app, event, name, message):
    response = alice.post(f"/race/{event.id}/runs", data={"name": name}, headers=hx("runs"))
    assert response.status_code == 422 and message in response.text
    assert store_of(app).list_runs(racer(app), event.id) == []


def test_ten_pasted_laps_in_mixed_formats_are_saved_in_order(alice, app, event):
    run = add_run(app, event)
    paste = "31.842, 32.1\n1:02.417\n30.5 30.6\n31\n29.999;30.001\n1:00.000 33.3s"
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps",
                          data={"laps": paste, "request_key": KEY})
    assert response.status_code == 303
    assert laps_of(app, run) == [Decimal(s) for s in (
        "31.842", "32.100", "62.417", "30.500", "30.600", "31.000", "29.999", "30.001",
        "60.000", "33.300")]
    page = alice.get(response.headers["Location"]).text
    assert "Added 10 laps to Practice 1." in page
    assert "1:02.417" in page and "29.999" in page
    assert re.search(r'<li class="best">\s*<span class="n">7</span>', page)
    assert re.search(r'<li class="crash">\s*<span class="n">3</span>', page)


def test_retried_lap_paste_is_stored_once(alice, app, event):
    run = add_run(app, event)
    form = {"laps": "31.1 31.2", "request_key": KEY}
    alice.post(f"/race/{event.id}/runs/{run.id}/laps", data=form, headers=hx("runs"))
    again = alice.post(f"/race/{event.id}/runs/{run.id}/laps", data=form, headers=hx("runs"))
    assert "Already saved." in again.text
    assert len(laps_of(app, run)) == 2


def test_a_paste_with_a_bad_line_is_422_naming_it_and_saves_nothing(alice, app, event):
    run = add_run(app, event)
    paste = "31.1\n32.2\n3x.1\n33"
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps", data={"laps": paste},
                          headers=hx("runs"))
    assert response.status_code == 422
    assert "<html" not in response.text
    assert "Line 3: “3x.1” not a lap time" in response.text
    assert "Nothing was saved." in response.text
    assert textarea(response.text, "laps") == paste
    assert laps_of(app, run) == []


def test_an_empty_paste_is_422(alice, app, event):
    run = add_run(app, event)
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps", data={"laps": " "},
                          headers=hx("runs"))
    assert response.status_code == 422 and "Enter at least one lap time." in response.text
    words = alice.post(f"/race/{event.id}/runs/{run.id}/laps", data={"laps": "fast ones"},
                       headers=hx("runs"))
    assert words.status_code == 422 and "No lap time in that text" in words.text
    assert textarea(words.text, "laps") == "fast ones"
    assert laps_of(app, run) == []


def test_a_lap_table_from_the_timing_site(alice, app, event):
    run = add_run(app, event, "Q1")
    table = ("Lap\tTime\tGap\n1\t31.842\t+0.000\n2\t32.105\t+0.263\n"
             "3\t1:02.417\t+30.575\n4\t31.5\t-0.342\n")
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps", data={"laps": table},
                          headers=hx("runs"))
    assert response.status_code == 200, response.text
    assert laps_of(app, run) == [Decimal("31.842"), Decimal("32.105"), Decimal("62.417"),
                                 Decimal("31.500")]
    assert "Added 4 laps to Q1." in response.text


def test_delete_a_lap(alice, app, event):
    run = add_run(app, event, laps=("31.1", "45.5", "31.3"))
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps/delete",
                          data={"lap": "2", "laps_seen": "3"}, headers=hx("runs"))
    assert response.status_code == 200 and "Deleted lap 2 (45.500)." in response.text
    assert laps_of(app, run) == [Decimal("31.100"), Decimal("31.300")]


def test_a_retried_lap_delete_does_not_delete_the_next_lap(alice, app, event):
    run = add_run(app, event, laps=("31.1", "45.5", "31.3"))
    form = {"lap": "2", "laps_seen": "3"}
    alice.post(f"/race/{event.id}/runs/{run.id}/laps/delete", data=form)
    again = alice.post(f"/race/{event.id}/runs/{run.id}/laps/delete", data=form,
                       headers=hx("runs"))
    assert again.status_code == 200 and "nothing was deleted" in again.text
    assert laps_of(app, run) == [Decimal("31.100"), Decimal("31.300")]


def test_confidence_is_set(alice, app, event):
    run = add_run(app, event)
    response = alice.post(f"/race/{event.id}/runs/{run.id}/confidence",
                          data={"confidence": "4"}, headers=hx("runs"))
    assert response.status_code == 200
    assert 'value="4" class="btn primary" aria-pressed="true"' in response.text
    assert store_of(app).get_run(racer(app), run.id).confidence == 4
    bad = alice.post(f"/race/{event.id}/runs/{run.id}/confidence", data={"confidence": "6"},
                     headers=hx("runs"))
    assert bad.status_code == 422 and "Pick 1 to 5." in bad.text
    assert store_of(app).get_run(racer(app), run.id).confidence == 4


def test_run_query_switches_the_current_run(alice, app, event):
    p1 = add_run(app, event, "Practice 1", laps=("31.5", "30.9"))
    add_run(app, event, "Practice 2")
    latest = alice.get(f"/race/{event.id}").text
    assert "Add laps to Practice 2" in latest
    assert f'href="/race/{event.id}?run={p1.id}#runs"' in latest
    assert "2 laps · best 30.900" in latest
    earlier = alice.get(f"/race/{event.id}?run={p1.id}").text
    assert "Add laps to Practice 1" in earlier
    assert f'name="run_id" value="{p1.id}"' in earlier  # notes go to the run on screen


# --- setup against the baseline ----------------------------------------------------------

def test_drift_shows_the_delta_after_an_event_setup_edit(alice, app, event):
    page = alice.get(f"/race/{event.id}").text
    assert "nothing has drifted" in page
    store_of(app).edit_event_setup(racer(app), event.id, {"SO_F": 500}, source="manual")
    section = alice.get(f"/race/{event.id}", headers=hx("setup-drift")).text
    assert section.lstrip().startswith('<section id="setup-drift"')
    assert "Front shock oil" in section and "+50 cSt" in section
    assert "450 → 500" in section and "manual" in section


# --- fragments ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["notes", "note-list", "symptoms", "runs", "setup-drift"])
def test_htmx_get_returns_only_the_section(alice, event, target):
    response = alice.get(f"/race/{event.id}", headers=hx(target))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert re.match(rf'\s*<(section|div) id="{target}"', response.text)
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_navigation_gets_the_page(alice, event):
    response = alice.get(f"/race/{event.id}", headers={**hx("runs"), "HX-Boosted": "true"})
    assert "<!doctype html>" in response.text


# --- isolation ---------------------------------------------------------------------------

@pytest.fixture
def bob_and_alices(app, client, auth):
    """Alice's event, run and note; then bob is the one logged in."""
    auth.signup("alice")
    event = start_event(app)
    run = add_run(app, event, laps=("31.1", "31.2"))
    note = store_of(app).add_event_log(racer(app), event.id, "note", "mine")
    auth.logout()
    auth.signup("bob")
    return client, event, run, note


def test_bob_gets_404_for_alices_race_day(app, bob_and_alices):
    bob, event, run, note = bob_and_alices
    e, r = event.id, run.id
    assert bob.get(f"/race/{e}").status_code == 404
    assert bob.get(f"/race/{e}", headers=hx("runs")).status_code == 404
    for url, form in [
        (f"/race/{e}/notes", {"note": "hi"}),
        (f"/race/{e}/symptoms", {"symptom": "fade"}),
        (f"/race/{e}/runs", {"name": "Q1"}),
        (f"/race/{e}/runs/{r}/laps", {"laps": "30.1"}),
        (f"/race/{e}/runs/{r}/laps/delete", {"lap": "1", "laps_seen": "2"}),
        (f"/race/{e}/runs/{r}/confidence", {"confidence": "5"}),
        (f"/race/{e}/notes/{note.id}/delete", {}),
    ]:
        assert bob.post(url, data=form).status_code == 404, url
    alice_id = racer(app, "alice")
    assert len(store_of(app).get_run(alice_id, r).laps) == 2
    assert store_of(app).get_run(alice_id, r).confidence is None
    assert [log.note for log in store_of(app).list_event_logs(alice_id, e)] == ["mine"]


def test_bob_cannot_use_alices_run_on_his_own_event(app, bob_and_alices):
    bob, _, run, _ = bob_and_alices
    own = start_event(app, "bob")
    assert bob.get(f"/race/{own.id}?run={run.id}").status_code == 404
    assert bob.post(f"/race/{own.id}/runs/{run.id}/laps", data={"laps": "30"}).status_code == 404
    response = bob.post(f"/race/{own.id}/notes", data={"note": "x", "run_id": run.id})
    assert response.status_code == 404
    assert logs(app, own, "bob") == []


def test_a_run_of_another_event_is_404(alice, app, event):
    other = start_event(app, name="Other day", nickname="Red")
    elsewhere = add_run(app, other, "Q1")
    assert alice.get(f"/race/{event.id}?run={elsewhere.id}").status_code == 404
    for url, form in [
        (f"/race/{event.id}/runs/{elsewhere.id}/laps", {"laps": "30.1"}),
        (f"/race/{event.id}/runs/{elsewhere.id}/confidence", {"confidence": "3"}),
        (f"/race/{event.id}/symptoms", {"symptom": "fade", "run_id": elsewhere.id}),
    ]:
        assert alice.post(url, data=form).status_code == 404, url
    assert laps_of(app, elsewhere) == [] and logs(app, event) == []


# --- a closed event ----------------------------------------------------------------------

@pytest.fixture
def closed(app, event):
    run = add_run(app, event, laps=("31.1", "31.2"))
    store_of(app).add_event_log(racer(app), event.id, "note", "Held pace all day")
    store_of(app).close_event(racer(app), event.id, date.today())
    return event, run


def test_closed_event_shows_its_data_without_forms(alice, closed):
    event, _ = closed
    page = alice.get(f"/race/{event.id}").text
    assert "This event is closed" in page
    assert "Held pace all day" in page and "31.100" in page
    assert "<textarea" not in page and 'name="symptom"' not in page
    assert 'method="post" action="/race/' not in page


def test_posts_to_a_closed_event_write_nothing(alice, app, closed):
    event, run = closed
    plain = alice.post(f"/race/{event.id}/notes", data={"note": "late note"})
    assert plain.status_code == 303
    assert "This event is closed: nothing was saved." in alice.get(plain.headers["Location"]).text
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps", data={"laps": "30"},
                          headers=hx("runs"))
    assert response.status_code == 200
    assert "This event is closed: nothing was saved." in response.text
    for url, form in [(f"/race/{event.id}/symptoms", {"symptom": "fade"}),
                      (f"/race/{event.id}/runs", {"name": "Q9"}),
                      (f"/race/{event.id}/runs/{run.id}/confidence", {"confidence": "2"}),
                      (f"/race/{event.id}/runs/{run.id}/laps/delete", {"lap": "1"})]:
        assert alice.post(url, data=form).status_code == 303, url
    assert [log.note for log in logs(app, event)] == ["Held pace all day"]
    stored = store_of(app).list_runs(racer(app), event.id)
    assert [(r.name, len(r.laps), r.confidence) for r in stored] == [("Practice 1", 2, None)]
