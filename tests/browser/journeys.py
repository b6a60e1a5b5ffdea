"""Shared steps of the browser journeys: sign up, add a car, open Shop Master, check layout."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

PASSWORD = "pit-lane-password-1"
SHOTS = Path("/tmp/apex-shots")
PHONE_WIDTH = 390
MIN_TAP = 44  # px: the smallest comfortable touch target
NB48 = "Tekno NB48 2.2"
# The three parameters every journey changes: (input id, NB48 preset value, new value).
CHANGES = (("p-DF", "7000", "6000"), ("p-SO_F", "450", "500"), ("p-Toe_F", "-1.0", "-1.5"))
_names = itertools.count(1)


# --- helpers -----------------------------------------------------------------------------------

def _username() -> str:
    return f"racer{next(_names)}"


def signup(page: Page, base: str, username: str | None = None) -> str:
    """Create an account through the real form (works with and without JS); lands on the Garage."""
    username = username or _username()
    page.goto(f"{base}/auth/signup")
    page.fill("#f-username", username)
    page.fill("#f-email", f"{username}@example.com")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/garage/")
    expect(page.locator("main h1")).to_have_text(username)
    return username


def add_car(page: Page, brand: str, model: str, preset: str = "") -> None:
    """Fill and submit the Garage's "Add a car" form (the caller waits for the outcome)."""
    form = page.locator("#cars form")
    if not form.is_visible():
        page.locator("#cars summary", has_text="Add a car").click()
    form.locator("#f-brand").fill(brand)
    form.locator("#f-model").fill(model)
    if preset:
        form.locator("#f-preset").select_option(preset)
    form.get_by_role("button", name="Add car").click()


def car_item(page: Page, label: str) -> Locator:
    return page.locator("#cars li.car", has_text=label)


def open_shop_master(page: Page, label: str) -> None:
    car_item(page, label).get_by_role("link", name="Shop Master").click()
    page.wait_for_url(re.compile(r"/garage/cars/[^/]+/setup$"))
    expect(page.locator("main h1")).to_contain_text("Shop Master")


def garage_with_nb48(page: Page, base: str) -> None:
    """A new racer with an NB48 on its preset, on that car's Shop Master (JS on)."""
    signup(page, base)
    add_car(page, "Tekno", "NB48 2.2", preset=NB48)
    expect(car_item(page, "Tekno NB48 2.2")).to_be_visible()
    open_shop_master(page, "Tekno NB48 2.2")


def fill_changes(page: Page) -> None:
    for input_id, _, new in CHANGES:
        page.fill(f"#{input_id}", new)


def fill_setup(page: Page, key: str, value: str) -> None:
    """Type a value into a folded setup form (the Event page): a tap opens its package."""
    page.locator(f"#p-{key}").wait_for(state="attached")
    fold = page.locator("details.fold", has=page.locator(f"#p-{key}"))
    if fold.count() and fold.get_attribute("open") is None:
        fold.locator("summary").click()
    page.fill(f"#p-{key}", value)


def expect_values(page: Page, which: int) -> None:
    """which=1: the NB48 preset values; which=2: the changed ones."""
    for row in CHANGES:
        expect(page.locator(f"#{row[0]}")).to_have_value(row[which])


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width}px wide"


def tall_enough(locator: Locator, what: str) -> None:
    assert locator.count() > 0, f"no {what} on {locator.page.url}"
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box is not None, f"{what} #{i} is not rendered"
        assert box["height"] >= MIN_TAP, f"{what} #{i} is {box['height']}px tall"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def save_button(page: Page) -> Locator:
    return page.locator("#setup-form").get_by_role("button", name="Save Shop Master")


def expect_saved(page: Page) -> None:
    expect(page.locator("#setup-form .status")).to_contain_text("Saved")


# --- the Setup Library -------------------------------------------------------------------------

def open_tab(page: Page, base: str, name: str, path: str | re.Pattern[str]) -> None:
    """Follow a link of the bottom tab bar (works with and without JS); ``path`` is the
    URL path it lands on, or a pattern of the whole URL."""
    page.locator("nav.tabs").get_by_role("link", name=name).click()
    page.wait_for_url(path if isinstance(path, re.Pattern) else f"{base}{path}")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text(name)
    settled(page)  # a tap the instant the page shows would find its forms not yet bound


def open_baseline(page: Page, *texts: str) -> None:
    """Open the one search result that shows every text (track, car …)."""
    link = page.locator("#results a.baseline")
    for text in texts:
        link = link.filter(has_text=text)
    link.click()
    page.wait_for_url(re.compile(r"/library/\d+$"))
    settled(page)


def settled(page: Page) -> None:
    """Wait until htmx has bound the triggers of what it swapped in. A boosted link pushes
    its URL before the swap and binds the new content's triggers only when it settles
    (20 ms later), so a test typing the instant the URL changes can type into a field that
    does not answer yet; a racer cannot be that fast."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-swapping, .htmx-settling')")


def stage_copy(page: Page, package: str, car_label: str) -> None:
    """On a baseline page: pick a package and one of my cars, open the staging view."""
    page.select_option("#f-package", package)
    page.select_option("#f-car", label=car_label)
    page.get_by_role("button", name="Review the copy").click()
    page.wait_for_url(re.compile(r"/library/\d+/copy\?"))
    expect(page.locator("main h1")).to_contain_text(f"Copy {package}")


def expect_setup(page: Page, values: dict[str, str]) -> None:
    """The Shop Master form shows these texts (catalogue key -> value)."""
    for key, value in values.items():
        expect(page.locator(f"#p-{key}")).to_have_value(value)


def phone_layout(page: Page, *buttons: Locator) -> None:
    """Fits the phone's width; the tab bar and the given buttons are easy to tap."""
    no_horizontal_scroll(page)
    tall_enough(page.locator("nav.tabs a"), "tab-bar link")
    for button in buttons:
        tall_enough(button, "button")


def opens_at_top(page: Page) -> None:
    """A page just opened shows its top: a boosted navigation must not keep the old scroll."""
    try:  # a function, not an expression: Playwright evals expressions, the CSP forbids it
        page.wait_for_function("() => window.scrollY === 0", timeout=2_000)
    except PlaywrightError:
        scrolled = page.evaluate("window.scrollY")
        raise AssertionError(f"{page.url} opened scrolled down by {scrolled}px") from None
