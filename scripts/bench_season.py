#!/usr/bin/env python3
"""A season on one racer: what the history pages cost as events pile up (issue 17).

Seeds a racer through the store, one season size after the other (``--events``, e.g.
``10,200``): one car, events of ``--runs`` runs x ``--laps`` laps at two tracks, a setup
change every five runs (then closed with an audit, the last one left open). Then, in
this process with the Flask test client, times each page (median and max of ``--repeat``
requests, wall time in the server's code) and prints its size raw and gzipped:

* Analysis history (every event), "what worked here" at one track and condition,
* the Event list, one event's analysis, the open event's setup page,
* Race Support and the Advisor's ask on the open event,
* the second page of the history and of the event list, as "More" asks for it,
* a lap flag tapped on the open event (the store's write alone: since issue 17 each lap
  write recomputes the event's stored figures and outcomes in its transaction).

The CSV store in a temporary folder by default; ``--postgres`` starts a throwaway
PostgreSQL (tests/pg_server.py) instead. Figures, not assertions: a page whose time
grows with the number of events shows here as a 200-event figure far above the 10-event
one. Bounded: at most 400 events of 40 runs of 60 laps.
"""

from __future__ import annotations

import argparse
import gzip
import html
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the apex package and tests.pg_server

from bench_wire import csrf_from  # noqa: E402

from apex import create_app  # noqa: E402
from apex.catalogue import PRESETS  # noqa: E402
from apex.passwords import hash_password  # noqa: E402

PASSWORD = "season-bench-1"
TRACKS = (("Mac's Track", "Bumpy"), ("Thunder Alley", "Smooth"))
PRESET = next(iter(PRESETS))  # the first preset (an NB48)
HASH = "pbkdf2:sha256:1000"  # the bench logs in once per size: no need for scrypt's cost
# What a page's time is read from: the wall clock, or with --cpu this process's CPU time
# (the server's work alone, PostgreSQL's excepted, whatever else the machine runs).
clock = time.perf_counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="10,200", help="season sizes, e.g. 10,200")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--laps", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--cpu", action="store_true",
                        help="time this process's CPU, not the wall clock (a loaded machine)")
    args = parser.parse_args()
    global clock
    clock = time.process_time if args.cpu else time.perf_counter
    sizes = [min(int(n), 400) for n in args.events.split(",") if n.strip()]
    runs, laps = min(args.runs, 40), min(args.laps, 60)
    print(f"{'events':>7} {'page':<26}{'median ms':>10}{'max ms':>8}{'raw KB':>8}{'gzip KB':>8}")
    for events in sizes:
        with store_config(args.postgres, events) as config:
            app = create_app({"SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                              "PASSWORD_HASH_METHOD": HASH, **config})
            store = app.extensions["apex.store"]
            store.upgrade()
            started = time.perf_counter()
            with app.app_context():
                open_id = seed(store, events, runs, laps)
            seeded = time.perf_counter() - started
            for name, ms, worst, raw, packed in measure(app, open_id, args.repeat):
                print(f"{events:>7} {name:<26}{ms:>10.1f}{worst:>8.1f}{raw / 1000:>8.1f}"
                      f"{packed / 1000:>8.1f}")
            print(f"{events:>7} (seeded {events} x {runs} runs x {laps} laps in {seeded:.0f} s)")


@contextmanager
def store_config(postgres: bool, events: int) -> Iterator[dict[str, Any]]:
    if not postgres:
        with tempfile.TemporaryDirectory(prefix="apex-season-") as folder:
            yield {"DATABASE_URL": "", "APEX_DATA_DIR": folder}
        return
    from tests import pg_server

    server = pg_server.start()
    try:
        yield {"DATABASE_URL": server.create_database(f"apex_season_{events}")}
    finally:
        server.stop()


def seed(store: Any, events: int, runs: int, laps: int) -> str:
    """The racer's season, oldest event first; returns the open (last) event's id."""
    user = store.create_user("season", "season@example.com", hash_password(PASSWORD))
    racer = user.racer_id
    car = store.add_car(racer, {"brand": "Tekno", "model": "NB48 2.2", "nickname": "",
                                "transponder": "", "class_name": "1/8 Buggy"}, PRESETS[PRESET])
    pace = random.Random(7)
    event_id = ""
    first_day = date.today() - timedelta(days=events)
    for n in range(events):
        track, condition = TRACKS[n % len(TRACKS)]
        event = store.start_event(racer, {
            "car_id": car.id, "name": f"Round {n + 1}", "type": "Practice",
            "start_date": first_day + timedelta(days=n), "track": track,
            "track_size": "Medium", "traction": "Medium", "surface": "Dry",
            "condition": condition, "temperature": 20, "practice_rounds": 4,
            "qualifying_rounds": 2, "baseline": ""}, PRESETS[PRESET])
        event_id = event.id
        for r in range(runs):
            if r and r % 5 == 0:
                df = 6000 if (r // 5) % 2 else 7000
                store.edit_event_setup(racer, event.id, {"DF": df}, source="manual")
            run = store.add_run(racer, event.id, f"Practice {r + 1}")
            base = 31.0 - 0.01 * r
            store.add_laps(racer, run.id, [Decimal(f"{base + pace.gauss(0, 0.15):.3f}")
                                           for _ in range(laps)])
        if n < events - 1:
            store.close_event(racer, event.id, first_day + timedelta(days=n),
                              {"rating": 4, "gain": "Consistency"})
    return event_id


def measure(app: Any, event_id: str, repeat: int) -> list[tuple[str, float, float, int, int]]:
    client = app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"login": "season", "password": PASSWORD,
                                     "csrf_token": csrf_from(login)})
    token = csrf_from(client.get(f"/race/{event_id}").get_data(as_text=True))
    track = TRACKS[0][0].replace("'", "%27").replace(" ", "+")
    pages = [
        ("Analysis history", "GET", "/analysis/", None),
        ("What worked here", "GET", f"/analysis/?track={track}&condition=Bumpy", None),
        ("Event list", "GET", "/event/", None),
        ("One event's analysis", "GET", f"/analysis/{event_id}", None),
        ("Race Support", "GET", f"/race/{event_id}", None),
        ("Event setup", "GET", f"/event/{event_id}", None),
        ("Advisor ask", "POST", f"/advisor/{event_id}/ask",
         {"symptom": "push_entry", "csrf_token": token, "insist": "1"}),
    ]
    # The next page of a paged list, as "More" asks for it (an HTMX fragment).
    for name, path, target in (("History page 2 (More)", "/analysis/", "history-more"),
                               ("Event list page 2 (More)", "/event/", "events-more"),
                               ("Older runs (More)", f"/analysis/{event_id}", "runs-more")):
        if more := _more(client.get(path).get_data(as_text=True)):
            pages.append((name, "GET", more, {"HX-Target": target}))
    figures = []
    for name, method, path, data in pages:
        times, body = [], b""
        headers = {"HX-Request": "true"} if method == "POST" else {}
        if method == "GET" and data:  # a GET's "data" is the HTMX target it swaps
            headers, data = {"HX-Request": "true", **data}, None
        for _ in range(repeat):
            started = clock()
            response = client.open(path, method=method, data=data, headers=headers)
            times.append((clock() - started) * 1000)
            body = response.get_data()
            if response.status_code != 200:
                raise SystemExit(f"bench_season: {name} answered {response.status_code}")
        figures.append((name, statistics.median(times), max(times), len(body),
                        len(gzip.compress(body))))
    figures.append(("Lap flag (store write)", *flag_writes(app, event_id, repeat), 0, 0))
    return figures


def _more(page: str) -> str | None:
    """The "More" link of a paged list (None on a single page)."""
    found = re.search(r'<a class="btn more[^"]*" href="([^"]+)"', page)
    return html.unescape(found[1]) if found else None


def flag_writes(app: Any, event_id: str, repeat: int) -> tuple[float, float]:
    """Median and max ms of a lap flag set and cleared again on the open event's last
    run, through the store (what a tap on a lap costs the server beyond its page)."""
    store = app.extensions["apex.store"]
    with app.app_context():
        racer = store.find_user("season").racer_id
        run = store.list_runs(racer, event_id)[-1]
        times = []
        for n in range(repeat * 2):
            started = clock()
            store.set_lap_flag(racer, run.id, 1, "out" if n % 2 == 0 else "")
            times.append((clock() - started) * 1000)
    return statistics.median(times), max(times)


if __name__ == "__main__":
    main()
