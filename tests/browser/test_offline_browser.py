"""The race-day pack on a phone whose Wi-Fi drops: the service worker keeps the open
event's pages, and shows them offline with the time of the copy.

The connection is cut the way dropped track Wi-Fi cuts it: the server stops answering
(its socket is closed), so the service worker's own requests fail too, not only the
page's (Playwright's offline switch does not reach a service worker). Each test runs on
both store backends, with CSRF on. Screenshots go to /tmp/apex-shots/.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.journeys import garage_with_nb48, phone_layout, shot, signup
from tests.browser.test_race_day_browser import start_event as start_event_in_browser
from tests.race_helpers import start_event

pytestmark = pytest.mark.browser


class Track:
    """The app on a local port, and a switch that drops the connection."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._serve(0)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def _serve(self, port: int) -> None:
        self._server = make_server("127.0.0.1", port, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.up = True

    def restore(self) -> None:
        """The Wi-Fi is back: the app answers again on the same address."""
        if not self.up:
            self._serve(self._server.server_port)

    def drop(self) -> None:
        """Nothing answers on the port any more: every request is refused."""
        if self.up:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._server.server_close()
            self.up = False


@pytest.fixture
def track(live_app: Flask) -> Iterator[Track]:
    track = Track(live_app)
    try:
        yield track
    finally:
        track.drop()


def kept_copy_shows(page: Page, url: str, text: str) -> None:
    """Wait (up to the test timeout) until the phone's copy of ``url`` holds ``text``."""
    # NOTE: polled from here: wait_for_function does not wait for an async predicate.
    read = "async (url) => { const r = await caches.match(url); return r ? r.text() : ''; }"
    for _ in range(TIMEOUT_MS // 250):
        if text in page.evaluate(read, url):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the phone's copy of {url} never showed {text!r}")


def ready_for_the_track(page: Page, base: str, event_id: str) -> None:
    """The Event page's "Ready for the track" tap, on good Wi-Fi: the pack is kept."""
    page.goto(f"{base}/event/{event_id}")
    ready = page.get_by_role("button", name="Ready for the track")
    expect(ready).to_be_visible()  # shown where a service worker can keep the pack
    phone_layout(page, ready)
    ready.click()
    expect(page.locator("[data-pack-status]")).to_contain_text(
        re.compile(r"Ready: 6 pages and every static file kept on this phone at"))
    shot(page, "offline-01-ready-for-the-track")


def test_race_support_opens_offline_from_the_pack(page_sw: Page, track: Track,
                                                   live_app: Flask) -> None:
    page, base = page_sw, track.url
    username = signup(page, base)
    event = start_event(live_app, username, name="Winter Cup")
    ready_for_the_track(page, base, event.id)
    page.goto(f"{base}/race/{event.id}")
    expect(page.locator(".offline-copy")).to_have_count(0)  # online: the live page
    # A note saved online: the phone's copy of the page follows once the racer pauses.
    page.fill("#f-note", "Loose on exit of the sweeper")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-list")).to_contain_text("Loose on exit of the sweeper")
    kept_copy_shows(page, f"/race/{event.id}", "Loose on exit of the sweeper")
    # Kept: the pack's pages (GET) and its description; no answer to a write, no other page.
    keys = page.evaluate("async () => (await (await caches.open('apex-pages')).keys())"
                         ".map((r) => r.method + ' ' + new URL(r.url).pathname)")
    assert sorted(keys) == sorted(f"GET {path}" for path in (
        f"/race/{event.id}", "/race/", f"/event/{event.id}", f"/garage/cars/{event.car_id}/sheet",
        f"/advisor/{event.id}", "/advisor/", f"/analysis/{event.id}", "/offline/",
        "/offline/__pack"))

    track.drop()

    # The worker's own requests are cut too: it cannot fetch the pack again.
    page.goto(f"{base}/event/{event.id}")
    expect(page.locator(".offline-copy")).to_contain_text("Offline copy from")
    page.get_by_role("button", name="Ready for the track").click()
    expect(page.locator("[data-pack-status]")).to_contain_text("Not ready")
    shot(page, "offline-04-event-offline-not-ready")

    page.goto(f"{base}/race/{event.id}")
    line = page.locator(".offline-copy")
    expect(line).to_contain_text(re.compile(r"Offline copy from \d{1,2}:\d\d"))
    expect(page.locator("main h1")).to_contain_text("Winter Cup")
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == \
        "rgb(244, 244, 242)"  # the stylesheet came from the phone too
    phone_layout(page)
    shot(page, "offline-02-race-support-offline")

    expect(page.locator("main")).to_contain_text("Loose on exit of the sweeper")

    page.reload()  # a reload offline, and the installed app's start URL
    expect(page.locator(".offline-copy")).to_be_visible()
    page.goto(f"{base}/race/")
    expect(page.locator(".offline-copy")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text("Winter Cup")

    page.locator("nav.tabs").get_by_role("link", name="Advisor").click()  # a boosted tab
    page.wait_for_url(f"{base}/advisor/")
    expect(page.locator(".offline-copy")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Winter Cup")

    for path in (f"/advisor/{event.id}", f"/analysis/{event.id}",
                 f"/garage/cars/{event.car_id}/sheet"):
        page.goto(base + path)
        expect(page.locator(".offline-copy")).to_be_visible()

    # A page outside the pack: the offline page, linking to the pages that are kept.
    page.goto(f"{base}/library/")
    expect(page.locator("main h1")).to_have_text("Offline")
    links = page.locator("main ul a")
    expect(links).to_have_text(["Race Support", "Event setup", "Setup sheet", "Advisor",
                                "Analysis"])
    phone_layout(page, *links.all())
    shot(page, "offline-03-page-not-kept")
    links.first.click()
    page.wait_for_url(f"{base}/race/{event.id}")
    expect(page.locator(".offline-copy")).to_be_visible()


def test_another_racer_on_the_phone_never_sees_the_pack(page_sw: Page, track: Track,
                                                         live_app: Flask) -> None:
    page, base = page_sw, track.url
    first = signup(page, base)
    event = start_event(live_app, first, name="Winter Cup")
    ready_for_the_track(page, base, event.id)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/auth/login"))
    signup(page, base)  # someone else, on the same phone

    track.drop()

    page.goto(f"{base}/race/{event.id}")
    expect(page.locator("main h1")).to_have_text("Offline")
    expect(page.locator("main")).not_to_contain_text("Winter Cup")
    page.goto(f"{base}/offline/")
    expect(page.locator("main")).not_to_contain_text("Winter Cup")


def test_the_copy_stands_in_for_the_outage_page(page_sw: Page, track: Track,
                                                 live_app: Flask) -> None:
    """The server answers, but with its outage page (503: PostgreSQL is down)."""
    page, base = page_sw, track.url
    username = signup(page, base)
    event = start_event(live_app, username, name="Winter Cup")
    ready_for_the_track(page, base, event.id)
    working = live_app.wsgi_app

    def outage(environ: dict, start_response: Callable) -> list[bytes]:
        start_response("503 Service Unavailable", [("Content-Type", "text/html")])
        return [b"<!doctype html><main id='main'><h1>APEX is down</h1></main>"]

    live_app.wsgi_app = outage  # type: ignore[method-assign]
    try:
        page.goto(f"{base}/race/{event.id}")
        expect(page.locator(".offline-copy")).to_be_visible()
        expect(page.locator("main h1")).to_contain_text("Winter Cup")
        page.goto(f"{base}/library/")  # not kept: the server's own page says what is wrong
        expect(page.locator("main h1")).to_have_text("APEX is down")
    finally:
        live_app.wsgi_app = working  # type: ignore[method-assign]


def test_an_event_started_on_the_phone_is_kept_without_a_tap(page_sw: Page, track: Track) -> None:
    page, base = page_sw, track.url
    garage_with_nb48(page, base)
    event_url = start_event_in_browser(page, base, name="Club Day")
    event_id = event_url.rsplit("/", 1)[1]
    kept_copy_shows(page, f"/race/{event_id}", "Club Day")  # no "Ready for the track"
    kept_copy_shows(page, "/offline/", "Club Day")

    track.drop()

    page.goto(f"{base}/race/")  # the installed app's start URL
    expect(page.locator(".offline-copy")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text("Club Day")


def _deploy_new_css(app: Flask) -> str:
    """A deploy that changes app.css: a new fingerprint; returns its URL."""
    import brotli

    from apex.assets import Asset

    assets = app.extensions["apex.assets"]
    old = assets["app.css"]
    raw = old.raw + b"\n/* a later deploy */\n"
    new = Asset(old.name.replace(old.name.split(".")[1], "0123abcdef"), old.mimetype, raw,
                gzip.compress(raw), brotli.compress(raw))
    app.extensions["apex.assets"] = {**assets, "app.css": new}
    return "/static/" + new.name


def test_a_deploy_updates_the_worker_without_a_reload(page_sw: Page, track: Track,
                                                      live_app: Flask) -> None:
    page, base = page_sw, track.url
    signup(page, base)
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    old_css = page.locator("link[rel=stylesheet]").get_attribute("href")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))

    new_css = _deploy_new_css(live_app)
    # The browser checks /sw.js again (as it does after navigations); nothing else is asked.
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    has = "async ([name, url]) => !!(await (await caches.open(name)).match(url))"
    for _ in range(TIMEOUT_MS // 250):
        if page.evaluate(has, ["apex-static", new_css]) and \
                not page.evaluate(has, ["apex-static", old_css]):
            break
        page.wait_for_timeout(250)
    else:
        raise AssertionError("the new worker never took over the static files")
    assert loads == []  # the page was not reloaded for it, let alone in a loop
    page.goto(f"{base}/garage/")
    expect(page.locator("link[rel=stylesheet]")).to_have_attribute("href", new_css)
    page.wait_for_timeout(1000)
    assert loads == [f"{base}/garage/"]  # the one navigation the racer made


def test_chromium_finds_the_app_installable(page_sw: Page, track: Track) -> None:
    page, base = page_sw, track.url
    signup(page, base)
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    errors = {e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")[
        "installabilityErrors"]}
    # A Playwright context is a private window, where Chromium installs nothing; that is
    # the only thing it holds against the app (manifest, icons, worker, start URL pass).
    assert errors <= {"in-incognito"}, errors
