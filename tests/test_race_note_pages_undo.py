"""Every note reachable a page at a time, and Undo after deleting a note or a lap, over
HTTP on both stores (issue 12)."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from tests.conftest import hx, racer, store_of
from tests.race_helpers import add_run, laps_of, logs, start_event


@pytest.fixture
def event(app, alice):
    return start_event(app)


def _texts(page: str) -> list[str]:
    return re.findall(r'<p class="text">([^<]*)</p>', page)


def _more(page: str) -> str | None:
    match = re.search(r'<a class="btn more" href="([^"]+)"', page)
    return html.unescape(match[1]) if match else None


def _every_page(client, url: str) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(_texts(response.text))
        url = _more(response.text)
    return pages


def test_45_notes_are_all_reachable_page_by_page_newest_first(alice, app, event):
    for i in range(45):
        store_of(app).add_event_log(racer(app), event.id, "note", f"note {i}")
    race = alice.get(f"/race/{event.id}").text
    assert f'href="/race/{event.id}/notes"' in race  # "All notes" on Race Support
    pages = _every_page(alice, f"/race/{event.id}/notes")
    assert [len(p) for p in pages] == [20, 20, 5]
    assert [t for p in pages for t in p] == [f"note {i}" for i in reversed(range(45))]


def test_more_appends_the_next_page_as_a_fragment(alice, app, event):
    for i in range(25):
        store_of(app).add_event_log(racer(app), event.id, "note", f"note {i}")
    first = alice.get(f"/race/{event.id}/notes").text
    assert 'hx-target="#notes-more"' in first and 'hx-swap="outerHTML"' in first
    response = alice.get(_more(first), headers=hx("notes-more"))
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith("<li")
    assert _texts(response.text) == [f"note {i}" for i in reversed(range(5))]
    assert _more(response.text) is None  # the last page has no "More"


def test_the_notes_of_a_car_are_reachable_from_the_garage(alice, app, event):
    rid = racer(app)
    for i in range(45):
        store_of(app).add_event_log(rid, event.id, "note", f"note {i}")
    garage = alice.get("/garage/").text
    assert f'href="/garage/cars/{event.car_id}/notes"' in garage
    pages = _every_page(alice, f"/garage/cars/{event.car_id}/notes")
    assert [t for p in pages for t in p] == [f"note {i}" for i in reversed(range(45))]


def test_another_racers_notes_pages_are_404(app, client, auth, event):
    auth.logout()
    auth.signup("bob")
    assert client.get(f"/race/{event.id}/notes").status_code == 404
    assert client.get(f"/garage/cars/{event.car_id}/notes").status_code == 404


@pytest.mark.parametrize("query", ["before=yesterday&before_id=x", "before_id=nope",
                                   "before=2026-01-01T00:00:00%2B00:00&before_id=nope"])
def test_a_bad_page_link_is_400_not_500(alice, event, query):
    response = alice.get(f"/race/{event.id}/notes?{query}", headers=hx("notes-more"))
    assert response.status_code == 400 and "<html" not in response.text


def test_a_deleted_note_can_be_undone_and_comes_back_exactly(alice, app, event):
    note = store_of(app).add_event_log(racer(app), event.id, "note", "loose on exit",
                                       keywords="exit loose")
    response = alice.post(f"/race/{event.id}/notes/{note.id}/delete", headers=hx("note-list"))
    assert response.status_code == 200 and "Deleted" in response.text
    undo = f"/race/{event.id}/notes/{note.id}/undo"
    assert f'action="{undo}"' in response.text and ">Undo<" in response.text
    assert logs(app, event) == []
    assert "loose on exit" not in alice.get(f"/race/{event.id}/notes").text
    back = alice.post(undo, headers=hx("note-list"))
    assert back.status_code == 200 and "loose on exit" in back.text
    assert logs(app, event) == [note]
    assert alice.post(undo).status_code == 404  # nothing left to undo


def test_a_plain_delete_lands_on_the_page_with_its_undo(alice, app, event):
    note = store_of(app).add_event_log(racer(app), event.id, "note", "typo")
    response = alice.post(f"/race/{event.id}/notes/{note.id}/delete")
    assert response.status_code == 303
    page = alice.get(response.headers["Location"]).text
    assert f'action="/race/{event.id}/notes/{note.id}/undo"' in page
    assert alice.post(f"/race/{event.id}/notes/{note.id}/undo").status_code == 303
    assert logs(app, event) == [note]


def test_another_racer_cannot_delete_or_undo_a_note(app, client, auth, event):
    note = store_of(app).add_event_log(racer(app), event.id, "note", "mine")
    auth.logout()
    auth.signup("bob")
    bobs = start_event(app, "bob")
    assert client.post(f"/race/{bobs.id}/notes/{note.id}/delete").status_code == 404
    store_of(app).delete_track_log(racer(app), note.id)
    assert client.post(f"/race/{bobs.id}/notes/{note.id}/undo").status_code == 404
    assert client.post(f"/race/{event.id}/notes/{note.id}/undo").status_code == 404
    assert logs(app, event) == []


def test_a_deleted_lap_leaves_the_stats_and_undo_puts_it_back(alice, app, event):
    run = add_run(app, event, laps=("31.1", "45.5", "31.3"))
    response = alice.post(f"/race/{event.id}/runs/{run.id}/laps/delete",
                          data={"lap": "2", "laps_seen": "3"}, headers=hx("runs"))
    assert response.status_code == 200 and "Deleted lap 2 (45.500)" in response.text
    undo = f"/race/{event.id}/runs/{run.id}/laps/undo"
    assert f'action="{undo}"' in response.text and ">Undo<" in response.text
    assert "<dt>Laps</dt><dd>2</dd>" in response.text
    back = alice.post(undo, data={"lap": "2"}, headers=hx("runs"))
    assert back.status_code == 200 and "<dt>Laps</dt><dd>3</dd>" in back.text
    assert laps_of(app, run) == [Decimal("31.100"), Decimal("45.500"), Decimal("31.300")]
    assert alice.post(undo, data={"lap": "2"}).status_code == 404
    bad = alice.post(undo, data={"lap": "two"}, headers=hx("runs"))
    assert bad.status_code == 422


def test_another_racer_cannot_undo_a_lap(app, client, auth, event):
    run = add_run(app, event, laps=("31.1", "45.5"))
    store_of(app).delete_lap(racer(app), run.id, 1)
    auth.logout()
    auth.signup("bob")
    assert client.post(f"/race/{event.id}/runs/{run.id}/laps/undo",
                       data={"lap": "1"}).status_code == 404
    assert laps_of(app, run) == [Decimal("45.500")]
