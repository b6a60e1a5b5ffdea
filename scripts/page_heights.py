#!/usr/bin/env python3
"""How tall the race-day pages are on a phone: Event setup and Race Support at 390x844.

Starts the app on a fresh temporary CSV store seeded with the demo racer (as
scripts/bench_pages does), opens each page in Debian's Chromium at 390x844 with every
fold (<details>) as the page serves it, and prints the page's height in CSS pixels and
where its primary action sits (the top of the element, and whether it is in the first
screen of 844 px). ``--shots DIR`` also writes a full-page PNG and a first-screen PNG of each.

Goal (issue 18): each page under 2000 px with its folds closed, the primary action in
the first screen. Run it as ``.venv/bin/python scripts/page_heights.py``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_pages import Server, build_app  # noqa: E402
from bench_race_day import active_event  # noqa: E402
from bench_wire import CHROMIUM, log_in_without_page  # noqa: E402

from tests.browser.chromium import CHROME_ARGS, PHONE  # noqa: E402

SCREEN = PHONE["viewport"]["height"]  # type: ignore[index]
GOAL = 2000

# (page, path template, CSS selector of its primary action)
PAGES = [
    ("Event setup", "/event/{event}", "#event-setup button[type=submit]"),
    ("Race Support", "/race/{event}", "#runs form.laps-form button[type=submit]"),
]


def measure(base: str, event_id: str, login: tuple[str, str], shots: Path | None) -> list:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        try:
            context = browser.new_context(**PHONE)
            log_in_without_page(context, base, *login)
            page = context.new_page()
            for name, path, primary in PAGES:
                page.goto(base + path.format(event=event_id), wait_until="load")
                height = page.evaluate("() => document.documentElement.scrollHeight")
                action = page.locator(primary).first
                box = action.bounding_box() if action.count() else None
                top = None if box is None else round(box["y"] + box["height"])
                rows.append((name, height, primary, top))
                if shots:
                    shots.mkdir(parents=True, exist_ok=True)
                    stem = name.replace(" ", "-")
                    page.screenshot(path=str(shots / f"height-{stem}.png"), full_page=True)
                    page.screenshot(path=str(shots / f"first-screen-{stem}.png"))
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shots", type=Path, help="write a full-page PNG of each page here")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    data_dir = tempfile.mkdtemp(prefix="apex-heights-")
    try:
        app = build_app(data_dir)
        from apex.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo

        store = app.extensions["apex.store"]
        store.upgrade()
        with app.app_context():
            seed_demo(store)
        racer_id = store.find_user(DEMO_USERNAME).racer_id
        event = active_event(store, racer_id)
        with Server(app) as server:
            rows = measure(server.url, event.id, (DEMO_USERNAME, DEMO_PASSWORD), args.shots)
        store.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"Page heights at {PHONE['viewport']['width']}x{SCREEN}, demo data, folds as served"  # type: ignore[index]
          f" (goal: < {GOAL} px, primary action within the first {SCREEN} px)")
    print(f"{'page':<14}{'height px':>10}  {'primary action bottom px':>25}  verdict")
    for name, height, primary, bottom in rows:
        ok = height < GOAL and bottom is not None and bottom <= SCREEN
        where = "missing" if bottom is None else str(bottom)
        print(f"{name:<14}{height:>10}  {where:>25}  {'OK' if ok else 'OVER'}   ({primary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
