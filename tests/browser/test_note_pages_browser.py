"""Issue 12 on a phone: Undo after deleting a note and a lap, and every note through
"All notes" and its "More" button (appended in place), with JS and without.

Each test runs on both store backends, with CSRF on. Screenshots for a human go to
/tmp/apex-shots/ (never committed).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.journeys import phone_layout, shot
from tests.browser.test_race_day_browser import open_race_support, racer_id_of

pytestmark = pytest.mark.browser


def _event(live_app: Flask, page: Page) -> tuple[str, str]:
    store = live_app.extensions["apex.store"]
    racer_id = racer_id_of(live_app, page)
    (event,) = store.list_events(racer_id)
    return racer_id, event.id


def test_delete_and_undo_a_note_and_a_lap(page: Page, live_server: str,
                                          live_app: Flask) -> None:
    open_race_support(page, live_server)
    page.fill("#f-note", "Typo note")
    page.get_by_role("button", name="Save note").click()
    notes = page.locator("#note-list")
    expect(notes).to_contain_text("Typo note")
    page.once("dialog", lambda dialog: dialog.accept())
    notes.get_by_role("button", name=re.compile("Delete note")).click()
    expect(notes).to_contain_text("Deleted — Undo")
    expect(notes.locator("p.text")).to_have_count(0)
    undo = notes.get_by_role("button", name="Undo")
    phone_layout(page, undo)
    shot(page, "note-undo")
    undo.click()
    expect(notes.locator("p.text")).to_have_text(["Typo note"])

    page.locator("#runs").get_by_role("button", name="Start").click()
    page.fill("#f-laps", "31.1, 45.5, 31.3")
    page.get_by_role("button", name="Add laps").click()
    laps = page.locator("#runs ol.laps li")
    expect(laps).to_have_count(3)
    page.locator("#runs").get_by_role("link", name="Edit laps").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete lap 2 (45.500)").click()
    expect(laps).to_have_count(2)
    runs = page.locator("#runs")
    expect(runs).to_contain_text("Deleted lap 2 (45.500).")
    phone_layout(page, runs.get_by_role("button", name="Undo"))
    runs.locator("form.undo").scroll_into_view_if_needed()
    shot(page, "lap-undo")
    runs.get_by_role("button", name="Undo").click()
    expect(laps).to_have_count(3)
    expect(laps.nth(1)).to_contain_text("45.500")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_all_notes_pages_through_every_note(page: Page, page_nojs: Page, live_server: str,
                                            live_app: Flask, js: bool) -> None:
    open_race_support(page, live_server)
    racer_id, event_id = _event(live_app, page)
    store = live_app.extensions["apex.store"]
    for i in range(45):
        store.add_event_log(racer_id, event_id, "note", f"note {i}")
    if not js:  # the same racer's session, JavaScript off
        page_nojs.context.add_cookies(page.context.cookies())
        page = page_nojs
        page.goto(f"{live_server}/race/{event_id}")
    page.get_by_role("link", name="All notes").click()
    page.wait_for_url(f"{live_server}/race/{event_id}/notes")
    texts = page.locator("ul.logs p.text")
    expect(texts).to_have_count(20)
    more = page.get_by_role("link", name="More")
    phone_layout(page, more)
    shot(page, f"all-notes-{'js' if js else 'nojs'}")
    expect(page.locator("ul.logs time").first).to_contain_text(re.compile(r"[A-Za-z]{3}"))
    seen = texts.all_inner_texts()
    more.scroll_into_view_if_needed()
    shot(page, f"all-notes-more-{'js' if js else 'nojs'}")
    while more.count():
        url = page.url
        more.click()
        if js:  # appended in place
            expect(texts).not_to_have_count(len(seen))
            seen = texts.all_inner_texts()
        else:  # the next page
            page.wait_for_url(lambda now, was=url: now != was)
            seen += texts.all_inner_texts()
    assert seen == [f"note {i}" for i in reversed(range(45))]
