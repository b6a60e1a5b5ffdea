"""Two phones (two tabs of one racer) save the Shop Master from the same page: the second
gets the "yours vs stored" choice in place of the form, readable and tappable at 390x844,
and saving it keeps both changes; the car edit the same without JavaScript. Screenshots:
/tmp/apex-shots/shop-master-conflict.png and car-conflict.png."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.journeys import (
    garage_with_nb48,
    no_horizontal_scroll,
    save_button,
    shot,
    signup,
    tall_enough,
)
from tests.conftest import add_car as add_car_to
from tests.conftest import store_of

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


def test_a_stale_car_edit_offers_the_choice_without_javascript(
        page_nojs: Page, live_server: str, live_app: Flask) -> None:
    page = page_nojs
    username = signup(page, live_server)
    store = store_of(live_app)
    car = add_car_to(live_app, username)
    url = f"{live_server}/garage/cars/{car.id}/edit"
    other = page.context.new_page()
    page.goto(url)
    other.goto(url)
    page.fill("#f-nickname", "Red")
    page.get_by_role("button", name="Save car").click()
    page.wait_for_url(re.compile(r"/garage/"))

    other.fill("#f-class_name", "1/8 Truggy")
    other.get_by_role("button", name="Save car").click()
    form = other.locator("#car-form")
    expect(form.get_by_role("heading", name="Changed on another phone")).to_be_visible()
    expect(form.get_by_role("radio", name="Yours: 1/8 Truggy")).to_be_checked()
    expect(form.get_by_role("radio", name="Stored: Red")).to_be_checked()
    shot(other, "car-conflict")
    no_horizontal_scroll(other)
    tall_enough(form.locator(".conflict label.check"), "choice")

    form.get_by_role("button", name="Save my choices").click()
    other.wait_for_url(re.compile(r"/garage/"))
    saved = store.get_car(car.racer_id, car.id)
    assert (saved.nickname, saved.class_name) == ("Red", "1/8 Truggy")
