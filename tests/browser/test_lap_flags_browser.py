"""Flagged laps on a phone (issue 13, TUNING.md §5 "Flags"): a double transponder hit
and a tumble struck through and never BEST, a tap leaves a lap out and counts it
again, with JavaScript (an HTMX swap) and without (a plain form). Both stores, CSRF on.
Screenshots for a human go to /tmp/apex-shots/ (never committed).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.journeys import garage_with_nb48, phone_layout, shot
from tests.browser.test_race_day_browser import racer_id_of, start_event

pytestmark = pytest.mark.browser

# R = 31.2: lap 3 (12.0) is short, lap 5 (45.5) an incident, lap 6 (30.9) the best.
LAPS = "31.100 31.300 12.000 31.200 45.500 30.900 31.250 31.150"


def _race_with_laps(page: Page, base: str) -> None:
    garage_with_nb48(page, base)
    start_event(page, base)
    page.get_by_role("link", name="Race Support").click()
    page.wait_for_url(re.compile(rf"{base}/race/"))
    page.locator("#runs").get_by_role("button", name="Start").click()
    page.fill("#f-laps", LAPS)
    page.get_by_role("button", name="Add laps").click()
    expect(page.locator("#runs ol.laps li")).to_have_count(8)


def _flags(app: Flask, page: Page) -> list[str]:
    store = app.extensions["apex.store"]
    racer_id = racer_id_of(app, page)
    (event,) = store.list_events(racer_id)
    (run,) = store.list_runs(racer_id, event.id)
    return [lap.flag for lap in run.laps]


def test_flagged_laps_and_a_tap_on_a_phone(page: Page, live_server: str,
                                           live_app: Flask) -> None:
    _race_with_laps(page, live_server)
    laps = page.locator("#runs ol.laps li")
    expect(laps.nth(2)).to_have_class("left-out short")
    expect(laps.nth(2).locator("s")).to_have_text("12.000")
    expect(laps.nth(4)).to_have_class("left-out incident")
    expect(laps.nth(5)).to_have_class("best")
    expect(page.locator("#runs .lap-flags")).to_contain_text("1 incident (lap 5) · 1 short (lap 3)")
    expect(page.locator("#runs .tops")).to_contain_text("Top-5 average")
    phone_layout(page, page.locator("#runs ol.laps button"))
    page.locator("#runs ol.laps").scroll_into_view_if_needed()
    shot(page, "race-lap-flags")
    page.locator("#runs .run-head").scroll_into_view_if_needed()
    shot(page, "race-run-figures")

    # lap 6 was a cut: out by hand; the best moves to the next fastest clean lap
    page.get_by_role("button", name="Leave out lap 6 (30.900)").click()
    expect(page.locator("#runs .notice")).to_contain_text("Lap 6 (30.900) left out")
    expect(laps.nth(5)).to_have_class("left-out out")
    expect(laps.nth(0)).to_have_class("best")
    # the lap form posts to the tapped button's formaction and swaps #runs: the address
    # bar stays on the race page (a boosted POST would have pushed the flag's URL)
    assert re.search(r"/race/[^/?#]+(\?|#|$)", page.url) and "/flag" not in page.url
    # the 45.5 was a real (slow) lap: counted
    page.get_by_role("button", name="Count lap 5 (45.500)").click()
    expect(page.locator("#runs .notice")).to_contain_text("Lap 5 (45.500) counted")
    expect(laps.nth(4)).not_to_have_class(re.compile("left-out"))
    assert _flags(live_app, page) == ["", "", "", "", "in", "out", "", ""]
    shot(page, "race-lap-flags-tapped")

    # no delete on every lap row: that is the "Edit laps" mode
    expect(page.get_by_role("button", name="Delete lap 8 (31.150)")).to_have_count(0)
    page.locator("#runs").get_by_role("link", name="Edit laps").click()
    # a delete still asks first (its own hx-confirm), and a refusal deletes nothing
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete lap 8 (31.150)").click()
    expect(laps).to_have_count(8)


def test_a_tap_without_javascript(page_nojs: Page, live_server: str,
                                  live_app: Flask) -> None:
    page = page_nojs
    _race_with_laps(page, live_server)
    page.get_by_role("button", name="Leave out lap 1 (31.100)").click()
    expect(page.locator(".flash, .notice").first).to_contain_text("Lap 1 (31.100) left out")
    expect(page.locator("#runs ol.laps li").nth(0)).to_have_class("left-out out")
    assert _flags(live_app, page)[0] == "out"
