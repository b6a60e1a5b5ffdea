"""Two phones (two tabs of one racer) save the Shop Master from the same page: the second
gets the "yours vs stored" choice in place of the form, readable and tappable at 390x844,
and saving it keeps both changes. Screenshot: /tmp/apex-shots/shop-master-conflict.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import (
    garage_with_nb48,
    no_horizontal_scroll,
    save_button,
    shot,
    tall_enough,
)

pytestmark = pytest.mark.browser


def test_a_stale_shop_master_save_offers_the_choice(page: Page, live_server: str) -> None:
    garage_with_nb48(page, live_server)
    other = page.context.new_page()
    other.goto(page.url)
    page.fill("#p-DF", "6000")
    save_button(page).click()
    expect(page.locator("#setup-form .status")).to_contain_text("Saved")

    other.fill("#p-SO_F", "500")
    save_button(other).click()
    form = other.locator("#setup-form")
    expect(form.get_by_role("heading", name="Changed on another phone")).to_be_visible()
    expect(form.get_by_role("radio", name="Yours: 500")).to_be_checked()
    expect(form.get_by_role("radio", name="Stored: 6000")).to_be_checked()
    other.evaluate("window.scrollTo(0, 0)")
    shot(other, "shop-master-conflict")
    no_horizontal_scroll(other)
    tall_enough(form.locator(".conflict label.check"), "choice")
    tall_enough(form.get_by_role("button", name="Save my choices"), "button")
    tall_enough(form.get_by_role("link", name="Keep stored"), "link")

    form.get_by_role("button", name="Save my choices").click()
    expect(other.locator("#setup-form .status")).to_contain_text("Saved")
    expect(other.locator("#p-DF")).to_have_value("6000")
    expect(other.locator("#p-SO_F")).to_have_value("500")
