"""Log out everywhere and the login limit's message, in a phone-sized browser (CSRF on)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from apex import login_throttle
from tests.browser.journeys import no_horizontal_scroll, shot, signup, tall_enough

pytestmark = pytest.mark.browser


def test_log_out_everywhere_from_the_profile_page(page: Page, live_server: str) -> None:
    base = live_server
    signup(page, base)
    page.goto(f"{base}/garage/profile")
    button = page.get_by_role("button", name="Log out everywhere")
    tall_enough(button, "log out everywhere button")
    no_horizontal_scroll(page)
    shot(page, "profile-logins")
    button.click()
    page.wait_for_url(f"{base}/auth/login")
    page.goto(f"{base}/garage/")
    page.wait_for_url(re.compile(re.escape(f"{base}/auth/login")))


def test_too_many_attempts_is_said_in_the_login_form(
    page: Page, live_server: str, live_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = login_throttle.now()
    monkeypatch.setattr(login_throttle, "now", lambda: frozen)  # the live server's thread too
    live_app.config["APEX_LOGIN_FREE_PER_ACCOUNT"] = 1
    base = live_server
    page.goto(f"{base}/auth/login")
    for _ in range(2):
        page.fill("#f-login", "alice")
        page.fill("#f-password", "wrong-guess")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#login-form .err").first).to_be_visible()
    expect(page.locator("#e-limited")).to_have_text("Too many attempts, try again in 1 s.")
    expect(page.locator("#f-login")).to_have_value("alice")  # what was typed stays
    no_horizontal_scroll(page)
    shot(page, "login-limited")
