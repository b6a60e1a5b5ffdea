"""The Garage and Shop Master in a real phone-sized browser, with and without JavaScript.

Each test runs on both store backends, with CSRF on (the browser sends the
real token: a hidden field in plain forms, ``<body hx-headers>`` on HTMX).
Screenshots for a human go to /tmp/apex-shots/ (never committed).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.browser.journeys import (
    NB48,
    PASSWORD,
    add_car,
    car_item,
    expect_saved,
    expect_values,
    fill_changes,
    garage_with_nb48,
    no_horizontal_scroll,
    open_shop_master,
    save_button,
    shot,
    signup,
    tall_enough,
)

pytestmark = pytest.mark.browser


# --- tests -------------------------------------------------------------------------------------

def test_journey_with_htmx(page: Page, live_server: str) -> None:
    base = live_server
    page.goto(f"{base}/")  # the login page at once, no redirect
    expect(page.locator("#login-form")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url(f"{base}/auth/signup")
    signup(page, base)

    no_horizontal_scroll(page)
    tall_enough(page.locator("nav.tabs a"), "tab-bar link")
    shot(page, "garage")

    # Add a car inline: an HTMX swap of #cars, not a page load.
    url = page.url
    page.evaluate("window.__samePage = true")
    add_car(page, "Tekno", "NB48 2.2")
    expect(car_item(page, "Tekno NB48 2.2")).to_be_visible()
    expect(page.locator("#cars .notice")).to_contain_text("Added")
    assert page.url == url
    assert page.evaluate("window.__samePage === true"), "adding a car reloaded the page"
    no_horizontal_scroll(page)

    open_shop_master(page, "Tekno NB48 2.2")
    no_horizontal_scroll(page)
    tall_enough(save_button(page), "Save button")
    tall_enough(page.locator("nav.tabs a"), "tab-bar link")
    shot(page, "shop-master")

    fill_changes(page)
    # Hold the save in flight: the button must be disabled until the answer arrives.
    held: list[Route] = []

    def hold_post(route: Route, request: Request) -> None:
        if request.method == "POST":
            held.append(route)  # answered below, once the button has been checked
        else:
            route.continue_()

    page.route("**/setup", hold_post)
    page.evaluate("window.__samePage = true")
    save_button(page).click()
    page.wait_for_function("() => document.querySelector('#setup-form.htmx-request') !== null")
    assert len(held) == 1
    expect(save_button(page)).to_be_disabled()
    expect(page.locator("#setup-form .status")).not_to_contain_text("Saved")
    held[0].continue_()
    expect_saved(page)
    expect(save_button(page)).to_be_enabled()
    assert page.evaluate("window.__samePage === true"), "saving reloaded the page"
    page.unroute("**/setup")

    page.reload()
    expect_values(page, 2)


def test_journey_without_javascript(page_nojs: Page, live_server: str) -> None:
    page, base = page_nojs, live_server
    signup(page, base)

    add_car(page, "Tekno", "NB48 2.2", preset=NB48)
    page.wait_for_url(f"{base}/garage/#cars")
    expect(page.locator(".flash")).to_contain_text("Added Tekno NB48 2.2")
    expect(car_item(page, "Tekno NB48 2.2")).to_be_visible()
    no_horizontal_scroll(page)

    open_shop_master(page, "Tekno NB48 2.2")
    setup_url = page.url
    expect_values(page, 1)
    fill_changes(page)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        save_button(page).click()
    assert posted.value.status == 303
    assert posted.value.headers["location"].endswith(setup_url.removeprefix(base))
    page.wait_for_url(setup_url)
    expect(page.locator(".flash")).to_contain_text("Shop Master saved")

    page.reload()
    expect_values(page, 2)


def test_bad_value_shows_the_server_message(page: Page, live_server: str) -> None:
    garage_with_nb48(page, live_server)
    expect_values(page, 1)
    fill_changes(page)
    page.fill("#p-DF", "7100")  # off the 500 cSt step
    # The browser would refuse to submit (step="500"): let the server judge instead.
    page.evaluate("document.getElementById('setup-form').noValidate = true")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        save_button(page).click()
    assert posted.value.status == 422

    message = page.locator("#e-DF")
    expect(message).to_contain_text("steps of 500")
    expect(page.locator("#p-DF")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#p-DF")).to_have_attribute("aria-describedby", "e-DF")
    # Beside the field: in the same row as the input.
    row = page.locator(".invalid", has=page.locator("#p-DF"))
    expect(row.locator("#e-DF")).to_be_visible()
    expect(page.locator("#setup-form .summary")).to_contain_text("Nothing was saved")
    expect(page.locator("#p-DF")).to_have_value("7100")
    expect(page.locator("#p-SO_F")).to_have_value("500")
    expect(page.locator("#p-Toe_F")).to_have_value("-1.5")
    expect(page.locator("#banner")).to_be_hidden()
    no_horizontal_scroll(page)

    page.reload()
    expect_values(page, 1)


def test_offline_save_keeps_the_form_and_retries(page: Page, live_server: str) -> None:
    garage_with_nb48(page, live_server)
    fill_changes(page)
    banner = page.locator("#banner")

    page.context.set_offline(True)
    save_button(page).click()
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Not saved")
    expect_values(page, 2)  # what was typed is still there
    expect(save_button(page)).to_be_enabled()

    page.context.set_offline(False)
    banner.get_by_role("button", name="Retry").click()
    expect_saved(page)
    expect(banner).to_be_hidden()

    page.reload()
    expect_values(page, 2)


def test_logged_out_htmx_post_redirects_to_login(page: Page, live_server: str) -> None:
    base = live_server
    signup(page, base)
    page.context.clear_cookies()

    page.fill("#sponsors #f-name", "JConcepts")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("#sponsors").get_by_role("button", name="Add sponsor").click()
    assert posted.value.headers.get("hx-redirect", "").startswith("/auth/login")
    page.wait_for_url(re.compile(re.escape(f"{base}/auth/login")))
    expect(page.locator("main h1")).to_have_text("Log in")
    expect(page.locator("#sponsors")).to_have_count(0)


def test_logged_out_htmx_navigation_redirects_to_login(page: Page, live_server: str) -> None:
    """A boosted link while logged out: HX-Redirect to the login page, then back after it."""
    base = live_server
    username = signup(page, base)
    add_car(page, "Tekno", "NB48 2.2", preset=NB48)
    expect(car_item(page, "Tekno NB48 2.2")).to_be_visible()
    page.context.clear_cookies()

    link = car_item(page, "Tekno NB48 2.2").get_by_role("link", name="Shop Master")
    setup_path = link.get_attribute("href")
    with page.expect_response(lambda r: r.url.endswith(setup_path)) as answered:
        link.click()
    assert answered.value.status == 200
    assert answered.value.headers.get("hx-redirect", "").startswith("/auth/login?next=")
    page.wait_for_url(re.compile(re.escape(f"{base}/auth/login?next=")))
    expect(page.locator("main h1")).to_have_text("Log in")
    expect(page.locator("#cars")).to_have_count(0)

    page.fill("#f-login", username)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(base + setup_path)))
    expect_values(page, 1)
