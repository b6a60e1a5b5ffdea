"""Laps in through the one reader, over HTTP on both stores: the driver question, the
preview, Save and Edit, a lap file, refusals that name the line (issue 13)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import hx, running_app, store_of
from tests.race_helpers import KEY, add_run, laps_of, start_event, textarea
from tests.test_csrf import signed_up_client, token_from

CORPUS = Path(__file__).parent / "fixtures" / "laps"
LIVERC = (CORPUS / "liverc_multi_driver.txt").read_text(encoding="utf-8")
MIKE = [Decimal(s) for s in ("41.002", "40.888", "40.700", "40.650", "40.610")]


@pytest.fixture
def event(app, alice):
    return start_event(app)


def url(event, run, tail=""):
    return f"/race/{event.id}/runs/{run.id}/laps{tail}"


def test_liverc_multi_driver_asks_whose_laps_then_previews_then_saves(alice, app, event):
    run = add_run(app, event, "A-Main")
    question = alice.post(url(event, run), data={"laps": LIVERC, "request_key": KEY},
                          headers=hx("runs"))
    assert question.status_code == 200 and "Whose laps?" in question.text
    names = re.findall(r'<button type="submit" name="driver" value="([^"]+)"', question.text)
    assert names == ["JOHN SMITH", "MIKE JONES", "ANNA BERG"]
    assert f'value="{KEY}"' in question.text  # the save stays exactly-once
    text = textarea(question.text, "laps")
    assert laps_of(app, run) == []
    preview = alice.post(url(event, run), data={"laps": text, "driver": "MIKE JONES",
                                                "request_key": KEY}, headers=hx("runs"))
    assert "5 laps · best 40.610 · median 40.700" in preview.text
    assert "Laps of <strong>MIKE JONES</strong>" in preview.text
    assert laps_of(app, run) == []
    form = {"laps": textarea(preview.text, "laps"), "driver": "MIKE JONES", "confirm": "1",
            "request_key": KEY}
    saved = alice.post(url(event, run), data=form, headers=hx("runs"))
    assert "Added 5 laps to A-Main." in saved.text
    assert laps_of(app, run) == MIKE
    again = alice.post(url(event, run), data=form, headers=hx("runs"))  # a retried Save
    assert "Already saved." in again.text and laps_of(app, run) == MIKE


def test_without_htmx_the_same_steps_end_in_a_redirect(alice, app, event):
    run = add_run(app, event)
    question = alice.post(url(event, run), data={"laps": LIVERC, "request_key": KEY})
    assert question.status_code == 200 and "<html" in question.text
    assert "Whose laps?" in question.text
    saved = alice.post(url(event, run), data={"laps": LIVERC, "driver": "MIKE JONES",
                                              "confirm": "1", "request_key": KEY})
    assert saved.status_code == 303
    assert laps_of(app, run) == MIKE


def test_posted_numbers_are_never_saved_unread(alice, app, event):
    # The Save re-reads the text: a tampered driver name is refused, not guessed.
    run = add_run(app, event)
    response = alice.post(url(event, run), data={"laps": LIVERC, "driver": "SOMEONE",
                                                 "confirm": "1"}, headers=hx("runs"))
    assert response.status_code == 422 and "no driver named" in response.text
    assert laps_of(app, run) == []


def test_a_comma_csv_is_read_by_its_header(alice, app, event):
    run = add_run(app, event)
    csv = "Lap,Lap Time\n1,41.882\n2,42.105\n3,41.533\n"
    preview = alice.post(url(event, run), data={"laps": csv}, headers=hx("runs"))
    assert "3 laps · best 41.533" in preview.text
    assert "read column &#39;Lap Time&#39;" in preview.text
    alice.post(url(event, run), data={"laps": csv, "confirm": "1"}, headers=hx("runs"))
    assert laps_of(app, run) == [Decimal("41.882"), Decimal("42.105"), Decimal("41.533")]


def test_the_preview_names_the_laps_it_will_leave_out(alice, app, event):
    """A tumble and a double hit are named in the preview, by the §5 rules the saved run
    is flagged with, and neither is the best or moves the median."""
    run = add_run(app, event)
    times = ["31.2", "31.0", "45.000", "30.9", "4.215", "31.1", "31.3"]
    csv = "Lap,Lap Time\n" + "".join(f"{n},{t}\n" for n, t in enumerate(times, 1))
    preview = alice.post(url(event, run), data={"laps": csv}, headers=hx("runs"))
    # R = median of the 7 laps = 31.1; short < 0.75 × 31.1 = 23.325 -> lap 5 (4.215);
    # incident > 31.1 + max(7 % × 31.1 = 2.177, 4 × 1.4826 × MAD 0.2 = 1.186) = 33.277
    # -> lap 3 (45.000). Clean: 31.2 31.0 30.9 31.1 31.3: best 30.900, median 31.100.
    assert "7 laps · best 30.900 · median 31.100" in preview.text
    assert "1 incident (lap 3, 45.000)" in preview.text
    assert "1 short (lap 5, 4.215)" in preview.text


def test_edit_returns_the_box_with_the_text_kept(alice, app, event):
    run = add_run(app, event)
    csv = "Lap,Lap Time\n1,41.882\n2,42.105\n"
    response = alice.post(url(event, run), data={"laps": csv, "edit": "1"},
                          headers=hx("runs"))
    assert response.status_code == 200 and 'id="f-laps"' in response.text
    assert textarea(response.text, "laps") == csv
    assert laps_of(app, run) == []


def test_a_refusal_names_the_line_and_the_reason(alice, app, event):
    run = add_run(app, event)
    response = alice.post(url(event, run), data={"laps": "1 45\n2 42\n3 44"},
                          headers=hx("runs"))
    assert response.status_code == 422
    assert "Line 1: “1 45” a lap number then a whole number" in response.text
    assert laps_of(app, run) == []


def test_a_lap_file_is_read_and_previewed(alice, app, event):
    run = add_run(app, event)
    data = (CORPUS / "latin1_export.csv").read_bytes()
    preview = alice.post(url(event, run, "/file"), headers=hx("runs"), data={
        "request_key": KEY, "lapfile": (io.BytesIO(data), "laps.csv")},
        content_type="multipart/form-data")
    assert preview.status_code == 200 and "3 laps · best 40.300" in preview.text
    assert laps_of(app, run) == []
    saved = alice.post(url(event, run), data={"laps": textarea(preview.text, "laps"),
                                              "confirm": "1", "request_key": KEY},
                       headers=hx("runs"))
    assert "Added 3 laps" in saved.text
    assert laps_of(app, run) == [Decimal("40.517"), Decimal("40.300"), Decimal("41.002")]


def test_a_file_over_1_mb_is_refused(alice, app, event):
    run = add_run(app, event)
    big = b"41.882\n" * 160_000  # 1.12 MB
    response = alice.post(url(event, run, "/file"), headers=hx("runs"), data={
        "lapfile": (io.BytesIO(big), "laps.txt")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "over 1 MB" in response.text
    assert laps_of(app, run) == []


def test_a_file_is_needed(alice, app, event):
    run = add_run(app, event)
    response = alice.post(url(event, run, "/file"), headers=hx("runs"), data={},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a lap file" in response.text


def test_another_racers_run_is_404(app, alice, client, auth, event):
    run = add_run(app, event)
    auth.logout()
    auth.signup("bob")
    for tail in ("", "/file"):
        response = client.post(url(event, run, tail), data={"laps": "41.1"}, headers=hx("runs"))
        assert response.status_code == 404
    assert laps_of(app, run) == []


def test_the_lap_entry_comes_before_the_notes_when_a_run_is_open(alice, app, event):
    page = alice.get(f"/race/{event.id}").text
    assert page.index('id="runs"') < page.index('id="notes"')  # no run: start one first
    add_run(app, event)
    page = alice.get(f"/race/{event.id}").text
    assert page.index('id="f-laps"') < page.index('id="notes"')
    assert page.index('id="f-lapfile"') < page.index('id="notes"')


def test_lap_file_upload_needs_the_csrf_token(store_config):
    with running_app(store_config) as app:
        client = signed_up_client(app)
        event = start_event(app)
        run = add_run(app, event)
        form = {"lapfile": (io.BytesIO(b"41.1\n"), "l.txt")}
        refused = client.post(url(event, run, "/file"), data=form,
                              content_type="multipart/form-data")
        assert refused.status_code == 400 and laps_of(app, run) == []
        token = token_from(client.get(f"/race/{event.id}").text)
        accepted = client.post(url(event, run, "/file"), data={
            "csrf_token": token, "lapfile": (io.BytesIO(b"41.1\n"), "l.txt")},
            content_type="multipart/form-data", headers=hx("runs"))
        assert accepted.status_code == 200 and "1 lap · best 41.100" in accepted.text
        assert store_of(app) is not None


@pytest.mark.parametrize(("form", "words"), [
    ({"driver": "x" * 201}, "Longer than maximum length 200"),
    ({"confirm": "maybe"}, "Not a valid boolean"),
])
def test_a_tampered_preview_answer_is_a_422_saying_why(alice, app, event, form, words):
    run = add_run(app, event)
    response = alice.post(url(event, run), data={"laps": LIVERC, **form}, headers=hx("runs"))
    assert response.status_code == 422 and words in response.text
    assert laps_of(app, run) == []
