"""Browser tests: the real app on a local server, driven by Debian's Chromium.

Every test runs on both store backends (``store_config`` is parametrised) with
CSRF on, so the browser has to send the real token, on HTMX requests too.
Chromium is ``/usr/bin/chromium``; ``playwright install`` is never needed.
The ``browser`` mark (``-m "not browser"`` skips these) is registered in pytest.ini.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from tests.browser.chromium import CHROME_ARGS, CHROMIUM, PHONE
from tests.conftest import running_app

TIMEOUT_MS = 10_000


@pytest.fixture
def live_app(store_config: dict) -> Iterator[Flask]:
    """The app ``live_server`` serves (CSRF on); a test reaches its store through it."""
    with running_app(store_config, WTF_CSRF_ENABLED=True) as app:
        yield app


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[str]:
    """``live_app`` served on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def new_page(browser: Browser, **options: object) -> tuple[BrowserContext, Page]:
    """A phone's context and page. Service workers are blocked unless a test allows them
    (``service_workers="allow"``): the offline layer's tests do; the others test the page
    itself, with Playwright's network tools, which do not see a worker's requests."""
    options.setdefault("service_workers", "block")
    context = browser.new_context(**PHONE, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page with JavaScript on; ``page.context`` is its own context."""
    context, page = new_page(browser)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page_nojs(browser: Browser) -> Iterator[Page]:
    """The same phone with JavaScript off: every form must work as a plain form."""
    context, page = new_page(browser, java_script_enabled=False)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page_sw(browser: Browser) -> Iterator[Page]:
    """The phone with service workers allowed: the offline layer's tests."""
    context, page = new_page(browser, service_workers="allow")
    try:
        yield page
    finally:
        context.close()
