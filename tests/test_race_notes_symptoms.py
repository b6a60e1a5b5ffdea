"""Race Support over HTTP, on both stores: quick notes and symptom buttons."""

from __future__ import annotations

import pytest

from tests.conftest import hx, racer, recorded_store_calls, store_of
from tests.race_helpers import KEY, add_run, logs, start_event, textarea


@pytest.fixture
def event(app, alice):
    return start_event(app)


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


def test_htmx_note_answers_with_the_form_and_the_new_note_only(alice, app, event):
    """A saved note costs what changed (issue 17): the emptied form (marked saved, so
    app.js drops the draft) and the new note added on top of the list out of band; the
    earlier notes are not sent again."""
    for text in ("Earlier one", "Earlier two", "Earlier three", "Earlier four"):
        store_of(app).add_event_log(racer(app), event.id, "note", text)
    response = alice.post(f"/race/{event.id}/notes", data={"note": "Pushes mid"},
                          headers=hx("note-box"))
    assert response.status_code == 200
    body = response.text
    assert "<html" not in body and body.lstrip().startswith('<div id="note-box"')
    assert f'data-draft-saved="apex:note:{event.id}"' in body
    assert textarea(body, "note") == "" and "Note saved." in body
    assert '<ul hx-swap-oob="afterbegin:#recent-notes"><li class="log note">' in body
    assert "Pushes mid" in body and "Earlier" not in body
    assert len(response.get_data()) < 2000
    assert [log.note for log in logs(app, event)][0] == "Pushes mid"


def test_page_shows_the_newest_notes_and_sends_older_ones_to_all_notes(alice, app, event):
    """A season's day can hold dozens of notes: Race Support shows the newest NOTES_SHOWN
    (one unfolded, the rest under Earlier) and a way to the others, on the paged list."""
    from apex.blueprints.race.views import NOTES_SHOWN
    for n in range(NOTES_SHOWN + 2):
        store_of(app).add_event_log(racer(app), event.id, "note", f"Note number {n}")
    page = alice.get(f"/race/{event.id}").text
    assert page.count('<li class="log note">') == NOTES_SHOWN
    assert f"Note number {NOTES_SHOWN + 1}" in page and "Note number 1<" not in page
    assert f'href="/race/{event.id}/notes">Older: all notes</a>' in page
    everything = alice.get(f"/race/{event.id}/notes").text
    assert "Note number 0" in everything and "Note number 1<" in everything


def test_page_with_few_notes_has_no_older_link(alice, app, event):
    store_of(app).add_event_log(racer(app), event.id, "note", "Only one")
    page = alice.get(f"/race/{event.id}").text
    assert "Only one" in page and "Older: all notes" not in page


def test_htmx_note_and_symptom_read_only_what_their_answer_shows(alice, app, event):
    """A saved note or symptom answers with its box and the new note (issue 17: the CPU
    of a race-day tap): the runs are read (the run on screen, its name; their stored
    figures come in the same query), the laps' figures are not worked over, the notes
    list and the setup are not read; a retry redraws the list, so reads it."""
    add_run(app, event, laps=("31.5", "31.2", "31.9"))
    with recorded_store_calls(app) as calls:
        assert alice.post(f"/race/{event.id}/notes", data={"note": "Pushes", "request_key": KEY},
                          headers=hx("note-box")).status_code == 200
    assert "runs_with_figures" in calls and "add_event_log" in calls
    assert not {"list_event_logs", "get_event_setup", "list_changes",
                "get_car_with_config", "run_figures", "list_runs"} & set(calls)
    with recorded_store_calls(app) as calls:
        again = alice.post(f"/race/{event.id}/notes", data={"note": "Pushes", "request_key": KEY},
                           headers=hx("note-box"))
    assert "list_event_logs" in calls and 'id="note-list" hx-swap-oob="true"' in again.text
    with recorded_store_calls(app) as calls:
        assert alice.post(f"/race/{event.id}/symptoms", data={"symptom": "push_entry"},
                          headers=hx("symptoms")).status_code == 200
    assert not {"list_event_logs", "get_event_setup", "list_changes"} & set(calls)
    with recorded_store_calls(app) as calls:
        page = alice.get(f"/race/{event.id}")
    assert {"runs_with_figures", "list_event_logs", "get_event_setup",
            "get_car_with_config"} <= set(calls)
    # One read for both: the car and its Shop Master; the runs and their figures.
    assert not {"get_car", "get_car_config", "run_figures", "list_runs"} & set(calls)
    assert "31.200" in page.text and "Pushes" in page.text


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
    # The new entry goes on top of the note list, out of band (not the whole list).
    assert '<ul hx-swap-oob="afterbegin:#recent-notes"><li class="log symptom">' in response.text
    assert 'id="note-list"' not in response.text
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
