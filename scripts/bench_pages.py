#!/usr/bin/env python3
"""What APEX costs a phone on slow track Wi-Fi: bytes and requests, against DESIGN.md's budgets.

Starts the app on a fresh temporary CSV store seeded with the demo racer, serves
it on a local port, and measures:

* pages (login, Garage, a Shop Master; the Setup Library's list, a search, a
  baseline, compare, copy staging, community ranges; the events, the start form,
  an event setup, push to Shop Master, Race Support), in Debian's Chromium:
  requests and bytes on the wire for a first and a repeat visit (how:
  scripts/bench_wire.py).
* the race-day pack the service worker keeps (static files, the open event's pages)
  and the worker's own size (how: scripts/bench_pack.py).
* HTMX fragments, with the Flask test client and ``Accept-Encoding: br, gzip``:
  the compressed body size, and the server time (median of 20 requests); the
  library's live-search results and the race-day forms among them (how:
  scripts/bench_fragments.py, scripts/bench_race_day.py).

The library holds the demo's dozen baselines and ~60 more, for a realistic search;
the demo racer has an event under way (3 runs of 12 laps, changes and notes).

Prints figures, OK/OVER against the budgets; exits 0 unless ``--strict`` and something
is OVER. Run it as ``scripts/bench_pages`` (uses the repo's .venv).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the apex package and tests.browser.chromium

from bench_fragments import (  # noqa: E402
    RUNS,
    Case,
    library_cases,
    library_pages,
    measure,
    seed_library,
)
from bench_pack import measure_pack, report_pack  # noqa: E402
from bench_race_day import race_day_cases, race_day_pages  # noqa: E402
from bench_wire import CHROMIUM, csrf_from, measure_pages  # noqa: E402

KB = 1000  # budgets are read as kilobytes of 1000 bytes (the stricter reading)
BUDGET_FIRST = 40 * KB
BUDGET_REPEAT = 10 * KB
BUDGET_REPEAT_REQUESTS = 1
BUDGET_FRAGMENT = 6 * KB
BUDGET_PACK = 150 * KB


# --- the app ---------------------------------------------------------------------------------

def build_app(data_dir: str) -> Any:
    """The app as a developer runs it, on an empty CSV store in ``data_dir``."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["APEX_ENV"] = "development"
    os.environ["APEX_DATA_DIR"] = data_dir
    # The bench repeats the wrong-password login: it measures bytes, not the login limit.
    os.environ["APEX_LOGIN_FREE_PER_ACCOUNT"] = os.environ["APEX_LOGIN_FREE_PER_ADDRESS"] = "100000"
    from apex import create_app

    # The login limit (10 a minute) would trip over the 20 timed login attempts.
    return create_app({"RATELIMIT_ENABLED": False})


class Server:
    """The app on 127.0.0.1:<free port>, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


# --- fragments with the test client ----------------------------------------------------------

def measure_fragments(app: Any, racer_id: str, car_id: str, login: tuple[str, str]) -> list:
    from apex.catalogue import BY_KEY, format_value
    from apex.models import PROFILE_FIELDS

    store = app.extensions["apex.store"]
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    r = client.post("/auth/login", data={"csrf_token": token, "login": login[0],
                                         "password": login[1]})
    if r.status_code != 303:
        raise SystemExit(f"bench_pages: test client login answered {r.status_code}")
    token = csrf_from(client.get("/garage/").get_data(as_text=True))
    anonymous = app.test_client()
    anon_token = csrf_from(anonymous.get("/auth/login").get_data(as_text=True))

    setup = store.get_car_config(racer_id, car_id)
    setup_values = {k: format_value(BY_KEY[k], v) for k, v in setup.values.items()}
    profile = store.get_profile(racer_id)
    profile_values = {k: getattr(profile, k) or "" for k in PROFILE_FIELDS}

    def new_car_cleanup() -> None:
        for car in store.list_cars(racer_id):
            if car.id != car_id and car.nickname == "bench":
                store.archive_car(racer_id, car.id)  # only an archived car is deleted
                store.delete_car(racer_id, car.id)

    def new_sponsor_cleanup() -> None:
        for sponsor in store.list_sponsors(racer_id):
            if sponsor.name.startswith("Bench sponsor"):
                store.delete_sponsor(racer_id, sponsor.id)

    # (name, HX-Target, client, url, form, expected status, CSRF token, cleanup after each)
    cases = [
        Case("add sponsor", "sponsors", client, "/garage/sponsors",
             {"name": "Bench sponsor", "category": "Tyres"}, 200, token, new_sponsor_cleanup),
        Case("add car", "cars", client, "/garage/cars",
             {"brand": "Tekno", "model": "EB48 2.2", "nickname": "bench",
              "class_name": "1/8 Electric Buggy", "transponder": "", "preset": ""},
             200, token, new_car_cleanup),
        Case("save Shop Master", "setup-form", client, f"/garage/cars/{car_id}/setup",
             {**setup_values, "DF": "6500"}, 200, token),
        Case("Shop Master 422", "setup-form", client, f"/garage/cars/{car_id}/setup",
             {**setup_values, "DF": "7100"}, 422, token),
        Case("save profile", "profile-form", client, "/garage/profile", profile_values, 200,
             token),
        Case("login 422 (wrong password)", "login-form", anonymous, "/auth/login",
             {"login": login[0], "password": "not-the-password", "next": ""}, 422, anon_token),
        *library_cases(client, token),
        *race_day_cases(client, token, store, racer_id),
    ]
    out = measure(cases)
    # Leave the demo car as it was.
    store.save_car_config(racer_id, car_id, setup.values)
    return out


# --- report ----------------------------------------------------------------------------------

def verdict(ok: bool, overs: list[str], what: str) -> str:
    if not ok:
        overs.append(what)
    return "OK" if ok else "OVER"


def kb(n: int) -> str:
    return f"{n / KB:.1f}"


def report(pages: list, fragments: list, verbose: bool) -> list[str]:
    overs: list[str] = []
    print()
    print(f"Pages (Chromium {CHROME_VERSION}, 390x844 phone; KB = 1000 bytes on the wire: "
          "compressed bodies + response headers)")
    head = (f"{'page':<16} {'visit':<7} {'requests':>8} {'cache hits':>10} {'KB':>7} "
            f"{'budget':>18}  verdict")
    print(head)
    print("-" * len(head))
    for name, first, repeat in pages:
        ok = first["bytes"] <= BUDGET_FIRST
        print(f"{name:<16} {'first':<7} {first['requests']:>8} {first['cache_hits']:>10} "
              f"{kb(first['bytes']):>7} {'<= ' + kb(BUDGET_FIRST) + ' KB':>18}  "
              f"{verdict(ok, overs, name + ' first visit')}")
        ok = repeat["bytes"] <= BUDGET_REPEAT and repeat["requests"] <= BUDGET_REPEAT_REQUESTS
        budget = f"1 req, <= {kb(BUDGET_REPEAT)} KB"
        print(f"{'':<16} {'repeat':<7} {repeat['requests']:>8} {repeat['cache_hits']:>10} "
              f"{kb(repeat['bytes']):>7} {budget:>18}  "
              f"{verdict(ok, overs, name + ' repeat visit')}")
        if verbose:
            for visit_name, result in (("first", first), ("repeat", repeat)):
                for url, status, size, cached in result["urls"]:
                    where = "cache" if cached else "net"
                    print(f"    {visit_name:<6} {where:<5} {status} {size:>7} B  {url}")
    print()
    print(f"HTMX fragments (Flask test client, Accept-Encoding: br, gzip; "
          f"server time = median of {RUNS} requests)")
    head = (f"{'fragment':<27} {'HX-Target':<13} {'status':>6} {'raw KB':>7} {'wire KB':>7} "
            f"{'encoding':>8} {'server ms':>9} {'budget':>10}  verdict")
    print(head)
    print("-" * len(head))
    for f in fragments:
        ok = f.wire <= BUDGET_FRAGMENT
        print(f"{f.name:<27} {f.target:<13} {f.status:>6} {kb(f.raw):>7} {kb(f.wire):>7} "
              f"{f.encoding:>8} {f.median_ms:>9.1f} {'<= ' + kb(BUDGET_FRAGMENT) + ' KB':>10}  "
              f"{verdict(ok, overs, f.name + ' fragment')}")
    print()
    print("Budgets: DESIGN.md, 'Budgets for slow track Wi-Fi'. A fragment's 'wire KB' is its "
          "body as sent\n(encoding 'none': the server did not compress it). The login 422 time "
          "includes checking a password hash on purpose.")
    if overs:
        print("OVER budget: " + "; ".join(overs))
    else:
        print("All within budget.")
    return overs


CHROME_VERSION = "?"


def main(argv: list[str] | None = None) -> int:
    global CHROME_VERSION
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 if any figure is over its budget")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="list every request of every page visit")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"browser binary ({CHROMIUM})")
    args = parser.parse_args(argv)

    if not Path(args.chromium).exists():
        print(f"bench_pages: {args.chromium} not found (apt-get install chromium)", file=sys.stderr)
        return 2
    try:
        import playwright.sync_api  # noqa: F401  (bench_wire uses it)
    except ImportError:
        print("bench_pages: the playwright package is missing from .venv (scripts/run installs "
              "only requirements.txt); run scripts/test once, or .venv/bin/pip install -r "
              "requirements-dev.txt (never `playwright install`)", file=sys.stderr)
        return 2

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    data_dir = tempfile.mkdtemp(prefix="apex-bench-")
    try:
        app = build_app(data_dir)
        from apex.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo

        store = app.extensions["apex.store"]
        store.upgrade()
        with app.app_context():  # the demo password is hashed by the app's method
            seed_demo(store)
        extra = seed_library(store)
        racer_id = store.find_user(DEMO_USERNAME).racer_id
        car_id = store.list_cars(racer_id)[0].id
        login = (DEMO_USERNAME, DEMO_PASSWORD)
        pages_to_visit = [("login", "/auth/login", None), ("Garage", "/garage/", login),
                          ("Shop Master", f"/garage/cars/{car_id}/setup", login),
                          *library_pages(store, car_id, login),
                          *race_day_pages(store, racer_id, login)]
        with Server(app) as server:
            print(f"APEX on {server.url} (CSV store in {data_dir}, demo racer seeded, "
                  f"{extra} more library baselines)")
            CHROME_VERSION, pages = measure_pages(args.chromium, server.url, pages_to_visit)
        fragments = measure_fragments(app, racer_id, car_id, login)
        pack = measure_pack(app, login)
        store.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    overs = report(pages, fragments, args.verbose)
    if not report_pack(pack, BUDGET_PACK, kb):
        overs.append("race-day pack")
    return 1 if args.strict and overs else 0


if __name__ == "__main__":
    sys.exit(main())
