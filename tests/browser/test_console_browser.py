"""The browser console stays quiet while a racer fills forms (issue 18, item 11).

htmx 2 lets a form's ``hx-disabled-elt="find button"`` reach every element inside it
that makes a request of its own; there it finds no button and warns, once per change.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.journeys import garage_with_nb48

pytestmark = pytest.mark.browser


def test_the_new_event_form_leaves_the_console_quiet(page: Page, live_server: str) -> None:
    garage_with_nb48(page, live_server)
    messages: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if message.type in ("warning", "error"):
            messages.append(message.text)

    page.on("console", heard)
    page.goto(f"{live_server}/event/new")
    for track in ("Mac's Track", "Thunder Alley"):
        page.fill("#f-track", track)
        page.locator("#f-track").dispatch_event("change")
        page.select_option("#f-condition", "Bumpy")
        page.select_option("#f-traction", "High")
        page.wait_for_load_state("networkidle")
    expect(page.locator("#baseline-choice input[value=shop]")).to_be_checked()
    assert [m for m in messages if "hx-disabled-elt" in m or "no matches" in m] == []
