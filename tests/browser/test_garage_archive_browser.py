"""Removing a car, restoring it, deleting it for good and deleting the account, on a
phone with CSRF on (issue 12 finding 3). Screenshots go to /tmp/apex-shots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import (
    NB48,
    PASSWORD,
    add_car,
    car_item,
    phone_layout,
    shot,
    signup,
)

pytestmark = pytest.mark.browser


def test_remove_restore_and_delete_for_good(page: Page, live_server: str) -> None:
    base = live_server
    signup(page, base)
    add_car(page, "Tekno", "NB48 2.2", preset=NB48)
    expect(car_item(page, "Tekno NB48 2.2")).to_be_visible()

    car_item(page, "Tekno NB48 2.2").get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/garage/cars/[^/]+/edit$"))
    remove = page.get_by_role("button", name="Remove car")
    phone_layout(page, remove)
    remove.scroll_into_view_if_needed()
    shot(page, "car-remove")
    remove.click()
    page.wait_for_url(re.compile(r"/garage/(#cars)?$"))
    expect(page.locator("#cars")).to_contain_text("No cars yet.")
    page.locator("#archived-cars summary").click()
    restore = page.locator("#archived-cars").get_by_role("button", name="Restore")
    phone_layout(page, restore)
    shot(page, "garage-archived")

    restore.click()
    expect(car_item(page, "Tekno NB48 2.2").first).to_be_visible()
    expect(page.locator("#archived-cars")).to_have_count(0)

    # archive again, then delete for good: a wrong name is refused in place
    car_item(page, "Tekno NB48 2.2").get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Remove car").click()
    page.wait_for_url(re.compile(r"/garage/(#cars)?$"))
    page.locator("#archived-cars summary").click()
    page.get_by_role("link", name="Delete for good…").click()
    page.wait_for_url(re.compile(r"/garage/cars/[^/]+/delete$"))
    expect(page.locator("ul.counts")).to_contain_text("0 events")
    expect(page.get_by_role("link", name="Download all my data")).to_be_visible()
    page.fill("#f-confirm_name", "Wrong")
    page.get_by_role("button", name="Delete for good").click()
    expect(page.locator("#e-confirm_name")).to_contain_text("nothing was deleted")
    phone_layout(page, page.get_by_role("button", name="Delete for good"))
    shot(page, "delete-car-refused")
    page.fill("#f-confirm_name", "tekno nb48 2.2")  # no nickname: brand and model
    page.get_by_role("button", name="Delete for good").click()
    page.wait_for_url(re.compile(r"/garage/(#cars)?$"))
    expect(page.locator(".flash")).to_contain_text("Deleted Tekno NB48 2.2 for good")
    expect(page.locator("#cars")).to_contain_text("No cars yet.")
    expect(page.locator("#archived-cars")).to_have_count(0)


def test_delete_account_from_the_profile(page: Page, live_server: str) -> None:
    base = live_server
    username = signup(page, base)
    page.goto(f"{base}/garage/profile")
    download = page.get_by_role("link", name="Download all my data")
    phone_layout(page, download)
    download.scroll_into_view_if_needed()
    shot(page, "profile-your-data")
    page.get_by_role("link", name="Delete my account…").click()
    page.wait_for_url(f"{base}/garage/account/delete")
    page.fill("#f-password", "not my password")
    page.fill("#f-confirm_username", username)
    page.get_by_role("button", name="Delete my account and all my data").click()
    expect(page.locator("#e-password")).to_contain_text("nothing was deleted")
    shot(page, "delete-account-refused")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-confirm_username", username.upper())
    page.get_by_role("button", name="Delete my account and all my data").click()
    page.wait_for_url(re.compile(r"/auth/login"))
    expect(page.locator("body")).to_contain_text("deleted")
