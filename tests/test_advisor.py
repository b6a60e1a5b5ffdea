"""Setup Advisor (tab 2) over HTTP, on both stores: ask, guards shown, accept, deny."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import CAR, EVENT, NB48, hx, racer, store_of

CLUB_DAY = {**EVENT, "name": "Club day", "surface": "Wet", "condition": "Smooth",
            "traction": "Medium", "temperature": 20, "practice_rounds": 4,
            "qualifying_rounds": 3}


@pytest.fixture
def event(app, alice):
    store, rid = store_of(app), racer(app)
    car = store.add_car(rid, CAR, NB48)
    ev = store.start_event(rid, {**CLUB_DAY, "car_id": car.id}, NB48)
    run = store.add_run(rid, ev.id, "Practice 1")
    store.add_laps(rid, run.id, [Decimal("31.5"), Decimal("31.4")])
    store.set_run_confidence(rid, run.id, 4)
    return ev


def pending(app, event):
    return [c for c in store_of(app).list_changes(racer(app), event.id) if c.status == "pending"]


def test_push_on_entry_proposes_a_thinner_front_diff_first(alice, app, event):
    response = alice.post(f"/advisor/{event.id}/ask",
                          data={"symptom": "push_entry", "note": "tight hairpin"},
                          headers=hx("advice"))
    assert response.status_code == 200 and "<html" not in response.text
    proposals = pending(app, event)
    assert 1 <= len(proposals) <= 3
    first = proposals[0]
    assert (first.parameter, first.old_value, first.new_value, first.source) == (
        "DF", "7000", "6000", "advisor")
    assert first.reason.startswith("Push entry: ")
    assert "Front diff oil" in response.text and "Accept" in response.text
    (log,) = store_of(app).list_event_logs(racer(app), event.id)
    assert (log.kind, log.note) == ("symptom", "Push entry: tight hairpin")
    race = alice.get(f"/race/{event.id}")
    assert "Advice waiting:" in race.text and "7000 → 6000" in race.text


def test_accept_applies_it_to_the_event_setup_and_records_the_change(alice, app, event):
    alice.post(f"/advisor/{event.id}/ask", data={"symptom": "push_entry"})
    first = pending(app, event)[0]
    response = alice.post(f"/advisor/{event.id}/proposals/{first.id}/accept",
                          headers=hx("advice"))
    assert response.status_code == 200 and "Applied: Front diff oil 7000 → 6000" in response.text
    rid = racer(app)
    assert store_of(app).get_event_setup(rid, event.id).values["DF"] == 6000
    accepted = next(c for c in store_of(app).list_changes(rid, event.id) if c.id == first.id)
    assert (accepted.status, accepted.source, accepted.version) == ("accepted", "advisor", 2)
    page = alice.get(f"/event/{event.id}")
    assert "7000 → 6000" in page.text and "advisor" in page.text


def test_deny_records_a_denial_and_the_advisor_moves_on(alice, app, event):
    alice.post(f"/advisor/{event.id}/ask", data={"symptom": "push_entry"})
    for proposal in pending(app, event):
        assert alice.post(f"/advisor/{event.id}/proposals/{proposal.id}/deny").status_code == 303
    rid = racer(app)
    denied = {c.parameter for c in store_of(app).list_changes(rid, event.id)
              if c.status == "denied"}
    assert "DF" in denied
    assert store_of(app).get_event_setup(rid, event.id).version == 1
    alice.post(f"/advisor/{event.id}/ask", data={"symptom": "push_entry"})
    assert not {c.parameter for c in pending(app, event)} & denied


def test_a_low_confidence_run_stops_the_advice_and_says_why(alice, app, event):
    rid = racer(app)
    run = store_of(app).add_run(rid, event.id, "Practice 2")
    store_of(app).set_run_confidence(rid, run.id, 2)
    response = alice.post(f"/advisor/{event.id}/ask", data={"symptom": "loose_exit"},
                          follow_redirects=True)
    assert response.status_code == 200
    assert "Confidence gate" in response.text
    assert pending(app, event) == []


def test_a_retried_ask_stores_its_proposals_once(alice, app, event):
    form = {"symptom": "bottoming", "request_key": "b" * 32}
    alice.post(f"/advisor/{event.id}/ask", data=form)
    first = len(pending(app, event))
    alice.post(f"/advisor/{event.id}/ask", data=form)
    assert len(pending(app, event)) == first > 0
    assert len(store_of(app).list_event_logs(racer(app), event.id)) == 1


@pytest.mark.parametrize(("form", "message"), [
    ({}, "Pick what the car does."),
    ({"symptom": "wobbly"}, "Pick what the car does from the list."),
    ({"symptom": "push_mid", "temperature_now": "hot"}, "Enter a whole number of °C."),
])
def test_bad_asks_are_422_and_store_nothing(alice, app, event, form, message):
    response = alice.post(f"/advisor/{event.id}/ask", data=form, headers=hx("advice"))
    assert response.status_code == 422 and message in response.text
    assert pending(app, event) == []


def test_the_advisor_tab_opens_the_active_event_at_once(alice, app, event):
    """One round trip per tap: the event's advisor itself (a 302, or HX-Location, before)."""
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        response = alice.get("/advisor/", headers=headers)
        assert response.status_code == 200, headers
        assert "Location" not in response.headers and "HX-Location" not in response.headers
        assert f'/advisor/{event.id}/ask' in response.text


def test_another_racers_event_and_proposals_are_404(alice, app, event, auth, client):
    alice.post(f"/advisor/{event.id}/ask", data={"symptom": "push_entry"})
    proposal = pending(app, event)[0]
    auth.logout()
    auth.signup("bob")
    for url in (f"/advisor/{event.id}", ):
        assert client.get(url).status_code == 404
    for url in (f"/advisor/{event.id}/ask",
                f"/advisor/{event.id}/proposals/{proposal.id}/accept",
                f"/advisor/{event.id}/proposals/{proposal.id}/deny"):
        assert client.post(url, data={"symptom": "push_entry"}).status_code == 404, url
    assert pending(app, event)[0].status == "pending"


def test_a_proposal_overtaken_by_a_manual_change_can_only_be_dismissed(alice, app, event):
    alice.post(f"/advisor/{event.id}/ask", data={"symptom": "push_entry"})
    first = pending(app, event)[0]  # DF 7000 -> 6000
    rid = racer(app)
    store_of(app).edit_event_setup(rid, event.id, {"DF": 6500}, source="manual")
    page = alice.get(f"/advisor/{event.id}")
    assert "Out of date: Front diff oil is 6500 now." in page.text
    response = alice.post(f"/advisor/{event.id}/proposals/{first.id}/accept",
                          follow_redirects=True)
    assert "the setup moved since this was proposed" in response.text
    assert store_of(app).get_event_setup(rid, event.id).values["DF"] == 6500
