"""The Setup Library tab in a real phone-sized browser, with and without JavaScript.

A racer with an NB48 finds a baseline, compares it with their car and copies one
package into their Shop Master through the staging view. Each test runs on both
store backends, with CSRF on; the library is seeded with the demo's dozen
baselines through the served app's own store. Screenshots go to /tmp/apex-shots/.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from apex.catalogue import NITRO, PARAMS, PRESETS, as_texts, params_in
from apex.demo import library_rows
from tests.browser.journeys import (
    NB48,
    add_car,
    car_item,
    expect_setup,
    open_baseline,
    open_shop_master,
    open_tab,
    opens_at_top,
    phone_layout,
    shot,
    signup,
    stage_copy,
)

pytestmark = pytest.mark.browser

CAR = "Tekno NB48 2.2"
MINE = as_texts(PRESETS[NB48])  # the new car's Shop Master, as the form shows it


def _baseline(track: str, brand: str, vehicle: str) -> dict[str, str]:
    """The texts of one of the demo library's baselines."""
    row = next(r for r in library_rows(None)
               if (r["track"], r["brand"], r["vehicle"]) == (track, brand, vehicle))
    return as_texts({k: row.get(k) for k in PRESETS[NB48]})


def _package(values: dict[str, str], group: str) -> dict[str, str]:
    return {p.key: values[p.key] for p in params_in(group)}


@pytest.fixture
def library(live_app: Flask) -> None:
    """The demo's dozen baselines, in the store the live server answers from."""
    report = live_app.extensions["apex.store"].import_rows(
        {"master_library": library_rows(None)})
    assert report.counts["master_library"].created == 12


# --- tests -------------------------------------------------------------------------------------

@pytest.mark.usefixtures("library")
def test_find_compare_and_copy_with_htmx(page: Page, live_server: str) -> None:
    base = live_server
    signup(page, base)
    add_car(page, "Tekno", "NB48 2.2", preset=NB48)
    expect(car_item(page, CAR)).to_be_visible()

    open_tab(page, base, "Library", "/library/")
    expect(page.locator("main h1")).to_have_text("Setup Library")
    results = page.locator("#results h2")
    expect(results).to_have_text("12 baselines")
    phone_layout(page, page.locator("main .btn.primary"))
    shot(page, "library-index")

    # Live search: typing swaps #results in place and pushes a short, shareable URL.
    page.evaluate("window.__samePage = true")
    page.locator("#f-q").press_sequentially("silver", delay=40)
    expect(results).to_have_text("2 baselines")
    page.wait_for_url(f"{base}/library/?q=silver")  # only the fields in use
    expect(page.locator("#results a.baseline")).to_have_count(2)
    assert page.evaluate("window.__samePage === true"), "the search reloaded the page"
    phone_layout(page)
    shot(page, "library-search")

    open_baseline(page, "Silver Dollar", "Tekno NT48 2.2")
    baseline_url = page.url
    expect(page.locator("main h1")).to_contain_text("Tekno NT48 2.2")
    expect(page.locator("main h1 .sub")).to_contain_text("Silver Dollar")
    phone_layout(page, page.locator("main .btn.primary"))
    shot(page, "library-baseline")

    # Compare with my car: A is the baseline, B my Shop Master (B − A is the delta).
    page.select_option("#f-compare", label=f"My {CAR} (Shop Master)")
    page.locator("form", has=page.locator("#f-compare")).get_by_role(
        "button", name="Compare").click()
    page.wait_for_url(re.compile(r"/library/compare\?"))
    opens_at_top(page)
    expect(page.locator("main h1")).to_be_in_viewport(ratio=1)
    nitro_fields = sum(p.fits(NITRO) for p in PARAMS)
    expect(page.locator("main h1 .sub")).to_have_text(
        re.compile(rf"^\d+ of {nitro_fields} set on both match$"))
    shock = page.locator("tr", has=page.get_by_role("rowheader", name="Front shock oil"))
    expect(shock.locator("td")).to_have_text(["500 cSt", re.compile(r"^450 cSt.*−50 cSt$")])
    expect(shock.locator(".delta")).to_have_text(re.compile(r"^[+−]\d+ cSt$"))  # row names it
    phone_layout(page)
    shot(page, "library-compare")

    page.go_back()
    page.wait_for_url(baseline_url)
    expect(page.get_by_role("button", name="Review the copy")).to_be_visible()

    stage_copy(page, "Suspension", CAR)
    opens_at_top(page)
    count = page.locator("#change-count")
    expect(count).to_have_text("8 of 8 will change")
    phone_layout(page, page.get_by_role("button", name="Apply"))
    shot(page, "library-staging")
    # Edits recount at once: back to what the car has, then a value of my own.
    front_oil = page.locator("#p-SO_F")
    expect(front_oil).to_have_value("500")
    front_oil.fill("450")
    expect(count).to_have_text("7 of 8 will change")
    front_oil.fill("550")
    expect(count).to_have_text("8 of 8 will change")

    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"/garage/cars/[^/]+/setup$"))
    opens_at_top(page)
    expect(page.locator(".flash")).to_be_in_viewport(ratio=1)
    expect(page.locator(".flash")).to_contain_text(
        f"8 Suspension changes applied to the Shop Master of {CAR}")
    copied = {**_package(_baseline("Silver Dollar", "Tekno", "NT48 2.2"), "Suspension"),
              "SO_F": "550"}
    unchanged = _package(MINE, "Diffs")
    expect_setup(page, {**copied, **unchanged})
    shot(page, "library-applied")

    page.reload()
    expect_setup(page, {**copied, **unchanged})


@pytest.mark.usefixtures("library")
def test_find_and_copy_without_javascript(page_nojs: Page, live_server: str) -> None:
    page, base = page_nojs, live_server
    signup(page, base)
    add_car(page, "Tekno", "NB48 2.2", preset=NB48)
    page.wait_for_url(f"{base}/garage/#cars")

    open_tab(page, base, "Library", "/library/")
    page.fill("#f-q", "mac")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/library/\?(.*&)?q=mac(&|$)"))
    expect(page.locator("#results h2")).to_have_text("3 baselines")
    phone_layout(page, page.locator("main .btn.primary"))

    open_baseline(page, "Mac's Track", "Mugen MBX8R")
    stage_copy(page, "Diffs", CAR)
    expect(page.locator("#change-count")).to_have_text("2 of 3 will change")
    phone_layout(page, page.get_by_role("button", name="Apply"))
    shot(page, "library-nojs-staging")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Apply").click()
    assert posted.value.status == 303
    page.wait_for_url(re.compile(r"/garage/cars/[^/]+/setup$"))
    expect(page.locator(".flash")).to_contain_text(
        f"2 Diffs changes applied to the Shop Master of {CAR}")
    copied = _package(_baseline("Mac's Track", "Mugen", "MBX8R"), "Diffs")
    assert copied != _package(MINE, "Diffs")
    expect_setup(page, {**copied, **_package(MINE, "Suspension")})

    page.reload()
    expect_setup(page, copied)

    # The Garage's own link leads to the same Shop Master.
    open_tab(page, base, "Garage", "/garage/")
    open_shop_master(page, CAR)
    expect_setup(page, copied)


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_pick_another_library_setup_to_compare_from_a_search(
        js: bool, page: Page, page_nojs: Page, live_server: str, library: None) -> None:
    """Compare with another library setup: type a few letters, tap a hit (issue 18, item 7)."""
    phone = page if js else page_nojs
    signup(phone, live_server)
    phone.goto(f"{live_server}/library/?q=thunder+nb48")
    open_baseline(phone, "Thunder Alley", "NB48 2.2")
    picks = phone.locator("#compare-picks a.baseline")
    expect(picks.filter(has_text="Mac's Track")).to_have_count(1)  # the same car, offered
    phone.fill("#f-other", "montreal")
    if js:  # the hits follow the typing, the page stays
        expect(picks.filter(has_text="Montréal")).to_have_count(2)
        assert re.search(r"/library/\d+$", phone.url)
    else:
        phone.locator("#compare-with").get_by_role("button", name="Find").click()
        phone.wait_for_url(re.compile(r"/compare-with\?q=montreal"))
        expect(picks.filter(has_text="Montréal")).to_have_count(2)
    phone_layout(phone, *picks.all())
    phone.locator("#compare-with").evaluate("form => form.scrollIntoView()")
    shot(phone, f"library-compare-picker-{'htmx' if js else 'nojs'}")
    picks.filter(has_text="XB8").click()
    phone.wait_for_url(re.compile(r"/library/compare\?a=lib:\d+&b=lib:\d+"))
    expect(phone.locator("main")).to_contain_text("set on both match")
