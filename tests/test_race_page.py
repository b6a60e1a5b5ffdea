"""Race Support over HTTP, on both stores: the page, the Race tab, the setup drift,
HTMX fragments, other racers' and other events' ids, and a closed event.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from apex.symptoms import SYMPTOMS
from tests.conftest import HX, hx, racer, store_of
from tests.race_helpers import add_run, laps_of, logs, start_event


@pytest.fixture
def event(app, alice):
    return start_event(app)


# --- the page ----------------------------------------------------------------------------

def test_page_has_every_section_in_the_order_of_the_day(alice, event):
    """The run first (a note attaches to it), then symptoms, then notes (issue 18)."""
    response = alice.get(f"/race/{event.id}")
    assert response.status_code == 200
    text = response.text
    ids = [text.index(f'<section id="{s}"') for s in ("runs", "symptoms", "notes", "setup-drift")]
    assert ids == sorted(ids)
    assert f'data-draft="apex:note:{event.id}"' in text
    assert re.search(r'<button[^>]*data-dictate="f-note"[^>]*hidden', text)
    assert text.count('name="symptom"') == len(SYMPTOMS)
    assert f'href="/event/{event.id}"' in text and "Edit event setup" in text
    assert 'value="Practice 1"' in text  # the suggested first run
    assert "No runs yet" in text


def test_race_tab_shows_the_active_event_at_once(alice, app, event):
    """One round trip per tap: the event's page itself, no redirect (a 302 before)."""
    response = alice.get("/race/")
    assert response.status_code == 200 and "Location" not in response.headers
    assert f'action="/race/{event.id}/notes"' in response.text


def test_race_tab_tapped_with_htmx_is_the_page_not_a_client_redirect(alice, event):
    """A boosted tab tap: the page in one answer (an HX-Location hop before)."""
    response = alice.get("/race/", headers={**HX, "HX-Boosted": "true"})
    assert response.status_code == 200 and "HX-Location" not in response.headers
    assert response.headers["HX-Replace-Url"] == f"/race/{event.id}"  # no request
    assert f'action="/race/{event.id}/notes"' in response.text and "<html" in response.text


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
