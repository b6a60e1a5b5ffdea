"""Laps from a timing site on a phone (390×844): a LiveRC lap chart of three drivers
(choose the driver, check the preview, save), a comma CSV, and an Orbits file through
the import control. With and without JS.

Screenshots for a human go to /tmp/apex-shots/ (never committed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import phone_layout, shot
from tests.browser.test_race_day_browser import open_race_support

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parent.parent / "fixtures" / "laps"
LIVERC = (CORPUS / "liverc_multi_driver.txt").read_text(encoding="utf-8")
COMMA_CSV = (CORPUS / "comma_csv_lap_time.csv").read_text(encoding="utf-8")


def paste_liverc_and_save_mike(page: Page, base: str) -> None:
    open_race_support(page, base)
    page.locator("#runs").get_by_role("button", name="Start").click()
    expect(page.locator("#runs .run-head")).to_contain_text("Practice 1")
    # The lap entry is at the top, above the notes and symptoms; a lap file is one tap away.
    laps_top = page.locator("#f-laps").bounding_box()
    notes_top = page.locator("#notes").bounding_box()
    assert laps_top and notes_top and laps_top["y"] < notes_top["y"]
    page.locator("#runs summary", has_text="Import a lap file").click()
    expect(page.locator("#f-lapfile")).to_be_visible()

    page.fill("#f-laps", LIVERC)
    page.get_by_role("button", name="Add laps").click()
    drivers = page.locator("#runs button.driver")
    expect(drivers).to_have_text(["JOHN SMITH", "MIKE JONES", "ANNA BERG"])
    phone_layout(page, drivers)
    shot(page, "laps-driver-question")

    drivers.filter(has_text="MIKE JONES").click()
    preview = page.locator("#runs .lap-preview")
    expect(preview).to_contain_text("5 laps · best 40.610 · median 40.700")
    expect(preview).to_contain_text("MIKE JONES")
    phone_layout(page, page.get_by_role("button", name="Save 5 laps"),
                 page.get_by_role("button", name="Edit"))
    shot(page, "laps-preview")
    page.get_by_role("button", name="Save 5 laps").click()
    expect(page.locator("#runs ol.laps li")).to_have_count(5)
    expect(page.locator("#runs ol.laps li.best")).to_contain_text("40.610")


def paste_comma_csv(page: Page) -> None:
    page.fill("#f-laps", COMMA_CSV)
    page.get_by_role("button", name="Add laps").click()
    expect(page.locator("#runs .lap-preview")).to_contain_text("5 laps · best 41.533")
    # Edit gives the box back with the paste kept.
    page.get_by_role("button", name="Edit").click()
    expect(page.locator("#f-laps")).to_have_value(COMMA_CSV.replace("\r\n", "\n"))
    page.get_by_role("button", name="Add laps").click()
    page.get_by_role("button", name="Save 5 laps").click()
    expect(page.locator("#runs ol.laps li")).to_have_count(10)
    shot(page, "laps-saved")


def import_orbits_file(page: Page) -> None:
    """The "import a file" control under the box (a fold): an Orbits export, previewed, saved."""
    page.locator("#runs summary", has_text="Import a lap file").click()
    page.set_input_files("#f-lapfile", str(CORPUS / "orbits_passings.txt"))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#runs .lap-preview")).to_contain_text("4 laps · best 41.533")
    expect(page.locator("#runs .lap-preview")).to_contain_text("read column 'Lap Time'")
    page.get_by_role("button", name="Save 4 laps").click()
    expect(page.locator("#runs ol.laps li")).to_have_count(14)


def figures_and_a_double_hit(page: Page) -> None:
    """The run's figures over its clean laps, and a double transponder hit (a plain list
    saves at once) struck through, left out, never best."""
    runs = page.locator("#runs")
    expect(runs.locator(".tops")).to_contain_text("Top-5 average")
    expect(runs.locator(".tops")).to_contain_text("top-10")
    page.fill("#f-laps", "4.215")
    page.get_by_role("button", name="Add laps").click()
    expect(runs.locator("ol.laps li")).to_have_count(15)
    short = runs.locator("ol.laps li.left-out.short")
    expect(short).to_have_count(1)
    expect(short.locator("s")).to_have_text("4.215")
    expect(runs.locator("ol.laps li.best")).to_contain_text("40.610")  # never the hit
    expect(runs.locator(".run-sum")).to_contain_text("14/15")  # clean of all laps
    shot(page, "laps-figures-flags")


def test_liverc_driver_preview_save_a_comma_csv_and_a_file(page: Page, live_server: str):
    paste_liverc_and_save_mike(page, live_server)
    paste_comma_csv(page)
    import_orbits_file(page)
    figures_and_a_double_hit(page)


def test_the_same_without_javascript(page_nojs: Page, live_server: str):
    paste_liverc_and_save_mike(page_nojs, live_server)
    paste_comma_csv(page_nojs)
    import_orbits_file(page_nojs)
    figures_and_a_double_hit(page_nojs)
