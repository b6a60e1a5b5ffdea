"""Race Support over HTTP, on both stores: runs, pasted laps and confidence."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.conftest import hx, racer, store_of
from tests.race_helpers import KEY, add_run, laps_of, start_event, textarea


@pytest.fixture
def event(app, alice):
    return start_event(app)


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


def test_htmx_run_start_puts_the_lap_entry_first_and_the_forms_on_the_run(alice, app, event):
    """The runs section is first, run or not (issue 18): starting one swaps that section,
    and the note and symptom forms follow the new run out of band."""
    before = alice.get(f"/race/{event.id}").text
    assert before.index('<section id="runs"') < before.index('id="symptoms"')
    response = alice.post(f"/race/{event.id}/runs", data={"name": "Q2"}, headers=hx("runs"))
    assert response.status_code == 200
    assert "<html" not in response.text and 'class="card race-head"' not in response.text
    assert response.text.lstrip().startswith('<section id="runs"')
    assert response.text.index('id="f-laps"') < response.text.index('id="note-run"')
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
    assert re.search(r'<li class="left-out incident">\s*<span class="n">3</span>', page)


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


def test_a_lap_table_from_the_timing_site_is_previewed_then_saved(alice, app, event):
    run = add_run(app, event, "Q1")
    table = ("Lap\tTime\tGap\n1\t31.842\t+0.000\n2\t32.105\t+0.263\n"
             "3\t1:02.417\t+30.575\n4\t31.5\t-0.342\n")
    url = f"/race/{event.id}/runs/{run.id}/laps"
    preview = alice.post(url, data={"laps": table, "request_key": KEY}, headers=hx("runs"))
    assert preview.status_code == 200, preview.text
    assert "4 laps · best 31.500" in preview.text and "Save 4 laps" in preview.text
    assert laps_of(app, run) == []  # an interpreted table is shown before it is saved
    response = alice.post(url, data={"laps": textarea(preview.text, "laps"), "confirm": "1",
                                     "request_key": KEY}, headers=hx("runs"))
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
