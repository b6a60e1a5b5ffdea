"""Pages on the wire, in Debian's Chromium via Playwright and a CDP session (for bench_pages).

Counts requests and bytes on the wire (``Network.loadingFinished``
``encodedDataLength``: compressed body + response headers) for a first visit
(fresh browser context, cold cache) and a repeat visit (same context, navigate
again; static files are fingerprinted and cached immutable, so only the HTML
should travel). Responses served from the memory/disk cache are counted apart.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from tests.browser.chromium import CHROME_ARGS, CHROMIUM, PHONE  # noqa: F401 (CHROMIUM re-exported)

QUIET_S = 0.5  # no network event for this long (and nothing in flight) = page settled


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise SystemExit("bench_pages: no CSRF token in the page; has the form changed?")
    return match.group(1)


@dataclass
class Wire:
    """CDP Network events of one visit."""

    requests: dict[str, dict] = field(default_factory=dict)
    last_event: float = field(default_factory=time.monotonic)

    def attach(self, cdp: Any) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def reset(self) -> None:
        self.requests = {}
        self.last_event = time.monotonic()

    def _entry(self, p: dict) -> dict | None:
        self.last_event = time.monotonic()
        return self.requests.get(p["requestId"])

    def _sent(self, p: dict) -> None:
        self.last_event = time.monotonic()
        url = p["request"]["url"]
        if url.startswith(("data:", "blob:")):
            return
        rid = p["requestId"]
        if rid in self.requests and p.get("redirectResponse"):
            # A redirect reuses the id: keep the hop as its own request.
            hop = self.requests.pop(rid)
            hop.update(done=True, bytes=p["redirectResponse"].get("encodedDataLength", 0) or 0,
                       status=p["redirectResponse"].get("status"))
            self.requests[f"{rid}#{len(self.requests)}"] = hop
        self.requests[rid] = {"url": url, "status": None, "bytes": 0, "cached": False,
                              "done": False, "failed": False}

    def _from_cache(self, p: dict) -> None:
        entry = self._entry(p)
        if entry:
            entry["cached"] = True

    def _response(self, p: dict) -> None:
        entry = self._entry(p)
        if entry:
            r = p["response"]
            entry["status"] = r.get("status")
            if r.get("fromDiskCache") or r.get("fromPrefetchCache") or r.get("fromServiceWorker"):
                entry["cached"] = True

    def _finished(self, p: dict) -> None:
        entry = self._entry(p)
        if entry:
            entry.update(done=True, bytes=p.get("encodedDataLength", 0) or 0)

    def _failed(self, p: dict) -> None:
        entry = self._entry(p)
        if entry:
            entry.update(done=True, failed=True)

    def settle(self, page: Any, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            page.wait_for_timeout(50)
            busy = any(not e["done"] for e in self.requests.values())
            if not busy and time.monotonic() - self.last_event >= QUIET_S:
                return
        raise SystemExit(f"bench_pages: {page.url} did not settle in {timeout:.0f}s")

    def summary(self) -> dict:
        net = [e for e in self.requests.values() if not e["cached"]]
        hits = [e for e in self.requests.values() if e["cached"]]
        return {"requests": len(net), "bytes": sum(e["bytes"] for e in net),
                "cache_hits": len(hits), "cache_bytes": sum(e["bytes"] for e in hits),
                "failed": sum(e["failed"] for e in self.requests.values()),
                "urls": [(e["url"], e["status"], e["bytes"], e["cached"])
                         for e in self.requests.values()]}


def log_in_without_page(context: Any, base: str, username: str, password: str) -> None:
    """A session cookie for the context, without loading any asset into its cache."""
    html = context.request.get(f"{base}/auth/login").text()
    response = context.request.post(f"{base}/auth/login", form={
        "csrf_token": csrf_from(html), "login": username, "password": password,
        "remember": "true"})
    if not response.ok or "/auth/login" in response.url:
        raise SystemExit(f"bench_pages: could not log in as {username} ({response.status})")


def visit(browser: Any, base: str, path: str, login: tuple[str, str] | None) -> tuple[dict, dict]:
    """First visit in a fresh context, then a repeat visit in the same context."""
    # The page's own cost: the service worker's background download of the race-day pack
    # is measured apart (bench_pack.py), and would blur the repeat-visit count.
    context = browser.new_context(**PHONE, service_workers="block")
    try:
        if login:
            log_in_without_page(context, base, *login)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        wire = Wire()
        wire.attach(cdp)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        cdp.send("Network.clearBrowserCache")
        results = []
        for _ in ("first", "repeat"):
            page.goto("about:blank")
            wire.reset()
            response = page.goto(f"{base}{path}", wait_until="load")
            if response is None or response.status != 200 or not response.url.endswith(path):
                raise SystemExit(f"bench_pages: {path} answered {response and response.status} "
                                 f"at {response and response.url}")
            wire.settle(page)
            results.append(wire.summary())
        return results[0], results[1]
    finally:
        context.close()


def measure_pages(
    chromium: str, base: str, pages: list[tuple[str, str, tuple[str, str] | None]]
) -> tuple[str, list[tuple[str, dict, dict]]]:
    """The browser's version, and (name, first, repeat) for each (name, path, login)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROME_ARGS)
        try:
            visit(browser, base, "/auth/login", None)  # warm up the server
            return browser.version, [(name, *visit(browser, base, path, who))
                                     for name, path, who in pages]
        finally:
            browser.close()
