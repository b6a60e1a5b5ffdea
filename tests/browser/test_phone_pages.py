"""Every tab at 390x844 with the demo racer's race day: big targets, no sideways scroll,
catalogue labels (not raw codes like SO_F) in the visible text (tests/browser/phone_check.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page

from apex.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo
from tests.browser.journeys import shot
from tests.browser.phone_check import phone_problems

pytestmark = pytest.mark.browser


@dataclass
class Demo:
    racer_id: str
    car_id: str
    event_id: str
    baseline_id: int
    document_id: str


@pytest.fixture
def demo(live_app: Flask) -> Demo:
    store = live_app.extensions["apex.store"]
    with live_app.app_context():
        seed_demo(store)
    racer_id = store.find_user(DEMO_USERNAME).racer_id
    event = min((e for e in store.list_events(racer_id) if e.is_active),
                key=lambda e: e.created_at)
    from apex.models import LibraryQuery

    baseline = store.search_library(LibraryQuery(per_page=1)).rows[0]
    # What older versions wrote into the notebook, with codes: shown with labels now.
    car = store.get_car(racer_id, event.car_id)
    store.add_track_log(racer_id, "change", "Shop Master from event Club Practice: DF 7000 → "
                        "6000, SO_F 450 → 500", track=event.track, car=car.label)
    store.add_event_log(racer_id, event.id, "system", "Restored: C_F -2.0 → -2.5")
    document = next(d for d in store.list_theory_documents() if "sway" in d.title.lower())
    return Demo(racer_id, event.car_id, event.id, baseline.id, document.id)


@pytest.fixture
def logged_in(page: Page, live_server: str, demo: Demo) -> Iterator[Page]:
    page.goto(f"{live_server}/auth/login")
    page.fill("#f-login", DEMO_USERNAME)
    page.fill("#f-password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    yield page


Paths = Callable[[Demo], list[str]]

TABS: dict[str, Paths] = {
    "garage": lambda d: ["/garage/", "/garage/profile", f"/garage/cars/{d.car_id}/setup",
                         f"/garage/cars/{d.car_id}/edit", "/garage/account/delete"],
    # The start form with its baseline suggestions (radios: their labels are the targets).
    "event": lambda d: ["/event/", "/event/new?track=Mac%27s+Track&condition=Bumpy",
                        f"/event/{d.event_id}", f"/event/{d.event_id}/push"],
    "race": lambda d: [f"/race/{d.event_id}", f"/race/{d.event_id}/notes"],
    "library": lambda d: ["/library/", "/library/?q=mac", f"/library/{d.baseline_id}",
                          f"/library/{d.baseline_id}/copy?package=Suspension&car={d.car_id}",
                          f"/library/ranges?car={d.car_id}", "/library/new",
                          f"/library/promote?car={d.car_id}", "/library/import"],
    "notebook and compare": lambda d: [
        f"/garage/cars/{d.car_id}/notes",
        f"/library/compare?a=lib:{d.baseline_id}&b=car:{d.car_id}"],
    "advisor": lambda d: [f"/advisor/{d.event_id}"],
    # The bundled tuning notes too: they name parameters by label, never by code.
    "theory": lambda d: ["/theory/", "/theory/?q=sway+bar", f"/theory/{d.document_id}",
                         "/theory/new"],
    "analysis": lambda d: ["/analysis/", "/analysis/?track=Mac%27s+Track&condition=Bumpy",
                           f"/analysis/{d.event_id}", f"/analysis/{d.event_id}/report"],
}

@pytest.mark.parametrize("tab", list(TABS))
def test_every_page_of_the_tab_is_made_for_a_phone(tab: str, logged_in: Page,
                                                   live_server: str, demo: Demo) -> None:
    page = logged_in
    found = []
    for path in TABS[tab](demo):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 200, f"{path}: {response}"
        shot(page, f"phone-{tab.replace(' ', '-')}-{path.strip('/').replace('/', '-')[:60]}")
        found += [f"{path}: {p}" for p in phone_problems(page)]
    assert not found, f"{tab}: not made for a phone:\n  " + "\n  ".join(found)
