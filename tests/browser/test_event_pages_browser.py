"""Issue 17 on a phone (390x844): the Analysis history and the event list a page at a
time; a tap on "More" appends the next events in place, and the pages stay phone-ready.

Each test runs on both store backends, with CSRF on. Screenshots for a human go to
/tmp/apex-shots/ (never committed).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from apex.catalogue import PRESETS
from tests.browser.journeys import shot, signup
from tests.browser.phone_check import assert_phone_ready
from tests.browser.test_race_day_browser import racer_id_of
from tests.conftest import CAR, EVENT

pytestmark = pytest.mark.browser

NB48 = PRESETS["Tekno NB48 2.2"]


def _season(live_app: Flask, racer_id: str, n: int) -> None:
    """``n`` closed events at two tracks, each with a run of laps."""
    store = live_app.extensions["apex.store"]
    car = store.add_car(racer_id, CAR, NB48)
    for i in range(n):
        day = date(2026, 1, 1) + timedelta(days=i)
        event = store.start_event(racer_id, {
            **EVENT, "name": f"Round {i + 1}", "start_date": day, "car_id": car.id,
            "track": ("Mac's Track", "Ridge")[i % 2]}, NB48)
        run = store.add_run(racer_id, event.id, "Practice 1")
        store.add_laps(racer_id, run.id, [Decimal(f"31.{j}") for j in range(6)])
        store.close_event(racer_id, event.id, day)


@pytest.mark.parametrize("path,item", [("/analysis/", "#history li.event-item"),
                                       ("/event/", "ul.events li.event-item")])
def test_more_appends_the_next_events_on_a_phone(page: Page, live_server: str,
                                                 live_app: Flask, path: str, item: str) -> None:
    signup(page, live_server)
    _season(live_app, racer_id_of(live_app, page), 45)
    page.goto(f"{live_server}{path}")
    items = page.locator(item)
    expect(items).to_have_count(20)
    more = page.locator("a.btn.more")
    more.scroll_into_view_if_needed()
    assert_phone_ready(page, f"{path} (page 1)")
    name = path.strip("/")
    shot(page, f"{name}-more")
    url = page.url
    more.click()
    expect(items).to_have_count(40)  # appended in place, the page stays
    assert page.url == url
    more.click()
    expect(items).to_have_count(45)
    expect(page.locator("a.btn.more")).to_have_count(0)  # the last page has none
    names = [t.split("\n")[0] for t in items.all_inner_texts()]
    assert sorted(names) == sorted(f"Round {i + 1}" for i in range(45))
    assert_phone_ready(page, f"{path} (every page)")
    shot(page, f"{name}-all")


def test_older_runs_append_on_the_event_analysis(page: Page, live_server: str,
                                                 live_app: Flask) -> None:
    signup(page, live_server)
    racer_id = racer_id_of(live_app, page)
    store = live_app.extensions["apex.store"]
    car = store.add_car(racer_id, CAR, NB48)
    event = store.start_event(racer_id, {**EVENT, "car_id": car.id}, NB48)
    for i in range(8):
        run = store.add_run(racer_id, event.id, f"Heat {i + 1}")
        store.add_laps(racer_id, run.id, [Decimal(f"31.{i}{j}") for j in range(6)])
    page.goto(f"{live_server}/analysis/{event.id}")
    runs = page.locator("#runs article.run-stats")
    expect(runs).to_have_count(5)
    expect(runs.first.locator("h3")).to_contain_text("Heat 8")
    older = page.get_by_role("link", name="Older runs")
    older.scroll_into_view_if_needed()
    assert_phone_ready(page, "event analysis (newest runs)")
    shot(page, "analysis-older-runs")
    older.click()
    expect(runs).to_have_count(8)
    expect(runs.last.locator("h3")).to_contain_text("Heat 1")
    expect(older).to_have_count(0)
    assert_phone_ready(page, "event analysis (every run)")
