"""The advisor over a day on a phone (390×844): the note box suggests a symptom and Enter
sends nothing; ask, accept one proposal (a front/rear pair, one change), see the others
superseded, try to accept a second (asked to confirm a bundle), run, ask again.

Each test runs on both store backends, with CSRF on. Screenshots for a human go to
/tmp/apex-shots/ (never committed).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import garage_with_nb48, open_tab, phone_layout, shot

pytestmark = pytest.mark.browser


def start_event(page: Page, base: str) -> None:
    """An event from Shop Master on a bumpy, high-grip, dry track at 18 °C."""
    open_tab(page, base, "Event", "/event/")
    page.get_by_role("link", name="Start an event").click()
    page.wait_for_url(f"{base}/event/new")
    page.fill("#f-name", "Winter Cup")
    page.fill("#f-track", "Mac's Track")
    page.select_option("#f-surface", "Dry")
    page.select_option("#f-condition", "Bumpy")
    page.select_option("#f-traction", "High")
    page.fill("#f-temperature", "18")
    page.get_by_role("button", name="Start event").click()
    page.wait_for_url(re.compile(rf"{base}/event/[0-9a-f-]{{36}}$"))


def test_ask_accept_superseded_bundle_run_ask_again(page: Page, live_server: str) -> None:
    base = live_server
    garage_with_nb48(page, base)
    start_event(page, base)
    open_tab(page, base, "Advisor", re.compile(r"/advisor/[0-9a-f-]{36}$"))
    advisor_url = page.url
    expect(page.locator("#temperature-ref")).to_contain_text("Shock oils set for 18 °C")

    # Typed words suggest a symptom; Enter (the phone's Go key) sends nothing.
    page.fill("#f-note", "bottoms out on the big double")
    expect(page.locator("#f-suggest")).to_have_text("Sounds like: Bottoming? Tap it below.")
    expect(page.locator("#ask-form button.sym.suggested")).to_have_text("Bottoming")
    page.press("#f-note", "Enter")
    page.wait_for_timeout(300)
    assert page.url == advisor_url
    expect(page.locator("#proposals")).to_have_count(0)

    # Ask: on a bumpy track the ride-height pair comes first, as one proposal.
    page.locator("#ask-form").get_by_role("button", name="Bottoming").click()
    proposals = page.locator("#proposals li.proposal")
    expect(proposals).to_have_count(3)
    first = proposals.first
    expect(first).to_contain_text(
        "Front ride height 27.0 → 28.0 mm + Rear ride height 28.0 → 29.0 mm")
    expect(first).to_contain_text("pair: one change")
    expect(page.locator("[data-guard=pairs]")).to_contain_text("Pairs stay together")
    phone_layout(page, first.get_by_role("button", name="Accept"),
                 page.locator("#ask-form button.sym"))
    shot(page, "advisor-asked")

    # Accept one: the others of the ask are superseded (shown, no longer pending).
    first.get_by_role("button", name="Accept").click()
    expect(page.locator("#advice .notice")).to_contain_text(
        "Applied: Front ride height 27.0 → 28.0 mm; Rear ride height 28.0 → 29.0 mm.")
    superseded = page.locator("#proposals li.proposal.superseded")
    expect(superseded).to_have_count(2)
    expect(superseded.first).to_contain_text("Superseded")
    phone_layout(page, superseded.first.get_by_role("button", name="Accept"))
    shot(page, "advisor-superseded")

    # A second acceptance before a run: asked to confirm a bundle; not now.
    superseded.first.get_by_role("button", name="Accept").click()
    confirm = page.locator("#confirm-bundle")
    expect(confirm).to_contain_text("Change both now?")
    expect(confirm).to_contain_text("Front ride height 27.0 → 28.0 mm")
    phone_layout(page, confirm.get_by_role("button", name="Change both now"))
    shot(page, "advisor-confirm-bundle")
    confirm.get_by_role("link", name="Not now: run first").click()
    expect(page.locator("#confirm-bundle")).to_have_count(0)

    # Run (laps typed on Race Support), the tyre counter follows.
    open_tab(page, base, "Race", re.compile(r"/race/[0-9a-f-]{36}$"))
    page.locator("#runs").get_by_role("button", name="Start").click()
    expect(page.locator("#runs .notice")).to_contain_text("Started")
    page.fill("#f-laps", "31.1 31.2 31.3 31.2 31.1 31.3 31.2")
    page.get_by_role("button", name="Add laps").click()
    expect(page.locator("#runs .notice")).to_contain_text("Added")
    page.reload()
    expect(page.locator("#tyres")).to_contain_text("Tyres: 1 of 6 runs")
    phone_layout(page, page.locator("#tyres button"))
    page.locator("#tyres").scroll_into_view_if_needed()
    shot(page, "race-tyres")

    # Ask again: the tested change no longer blocks; its repeat is not proposed again.
    open_tab(page, base, "Advisor", re.compile(r"/advisor/[0-9a-f-]{36}$"))
    page.locator("#ask-form").get_by_role("button", name="Bottoming").click()
    expect(page.locator("[data-guard=untested]")).to_have_count(0)
    expect(page.locator("[data-guard=repeats]")).to_contain_text("already made at this event")
    expect(page.locator("#proposals li.proposal").first).to_contain_text(
        "Front shock oil 450 → 500 cSt + Rear shock oil 400 → 450 cSt")
    page.locator("#advice h2").first.scroll_into_view_if_needed()
    phone_layout(page)
    shot(page, "advisor-ask-again")
