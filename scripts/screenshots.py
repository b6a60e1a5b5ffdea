#!/usr/bin/env python3
"""Take the README's "first race day" phone screenshots: the demo data, 390x844, Chromium.

Starts the app on a fresh temporary CSV store seeded as ``flask db seed-demo`` seeds it,
logs in as the demo racer in Debian's Chromium (``/usr/bin/chromium``, never a
downloaded browser) at a 390x844 phone viewport, and writes one PNG per step of the
tour to ``docs/tour/`` (the first screen of each page, as a phone shows it). Each
step's page height is printed too: the screens are meant to fit a thumb.

Run it after a screen changes and check the PNGs in with the change:

    .venv/bin/python scripts/screenshots.py                 # every step -> docs/tour/
    .venv/bin/python scripts/screenshots.py --only race     # one step
    .venv/bin/python scripts/screenshots.py --full --out /tmp/apex-shots   # whole pages
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the apex package and tests.browser.chromium

from tests.browser.chromium import CHROME_ARGS, CHROMIUM, PHONE  # noqa: E402

OUT = ROOT / "docs" / "tour"


@dataclass(frozen=True)
class Step:
    name: str  # the PNG's name, "01-garage"
    path: Callable[[dict[str, str]], str]  # the URL path, from the demo's ids
    action: Callable[[Any], None] | None = None  # what to do on the page before the shot


def _ids(app: Any) -> dict[str, str]:
    """The demo racer's car, open event, a Montréal baseline and the diff-oil note."""
    from apex.demo import DEMO_USERNAME
    from apex.models import LibraryQuery

    store = app.extensions["apex.store"]
    user = store.find_user(DEMO_USERNAME)
    car = next(c for c in store.list_cars(user.racer_id) if c.model == "NB48 2.2")
    event = next(e for e in store.list_events(user.racer_id) if e.status == "active")
    found = store.search_library(LibraryQuery(text="montreal", per_page=5)).rows
    note = next(d for d in store.list_theory_documents() if d.filename.startswith("diffs-"))
    return {"car": car.id, "event": event.id, "lib": str(found[0].id),
            "lib_other": str(found[1].id), "note": note.id}


STEPS: tuple[Step, ...] = (
    Step("01-garage", lambda ids: "/garage/"),
    Step("02-event", lambda ids: f"/event/{ids['event']}"),
    Step("03-race", lambda ids: f"/race/{ids['event']}"),
    Step("04-advisor", lambda ids: f"/advisor/{ids['event']}"),
    Step("05-analysis", lambda ids: f"/analysis/{ids['event']}"),
    Step("06-library", lambda ids: "/library/?q=montreal"),
    Step("07-compare", lambda ids: f"/library/compare?a=lib:{ids['lib']}&b=car:{ids['car']}"),
    Step("08-theory", lambda ids: f"/theory/{ids['note']}"),
)


def build_app(data_dir: str) -> Any:
    os.environ.pop("DATABASE_URL", None)
    os.environ["APEX_ENV"] = "development"
    os.environ["APEX_DATA_DIR"] = data_dir
    from apex import create_app
    from apex.demo import seed_demo

    app = create_app({"RATELIMIT_ENABLED": False})
    store = app.extensions["apex.store"]
    store.upgrade()
    with app.app_context():
        seed_demo(store)
    return app


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    parser.add_argument("--only", action="append", default=[],
                        help="a step's name or part of it (repeatable)")
    parser.add_argument("--full", action="store_true", help="whole pages, not the first screen")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"screenshots: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from apex.demo import DEMO_PASSWORD, DEMO_USERNAME

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    steps = [s for s in STEPS if not args.only or any(o in s.name for o in args.only)]
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = tempfile.mkdtemp(prefix="apex-tour-")
    try:
        app = build_app(data_dir)
        ids = _ids(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROME_ARGS)
                page = browser.new_context(**PHONE).new_page()
                page.goto(f"{base}/auth/login")
                page.fill("#f-login", DEMO_USERNAME)
                page.fill("#f-password", DEMO_PASSWORD)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_url(f"{base}/garage/")
                for step in steps:
                    page.goto(base + step.path(ids))
                    if step.action:
                        step.action(page)
                    height = page.evaluate("document.documentElement.scrollHeight")
                    path = args.out / f"{step.name}.png"
                    page.screenshot(path=str(path), full_page=args.full)
                    width, tall = png_size(path)
                    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
                          f"  {width}x{tall}  {path.stat().st_size // 1024} KB"
                          f"  page {height} px tall")
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
