#!/usr/bin/env python3
"""How fast "All notes" pages: a racer with --notes notes on one event, paged 20 at a
time to the end, on a throwaway PostgreSQL (tests/pg_server.py) and on a CSV store.

Times each page of the event's notes through the real store (one transaction per
call): median and worst over every page, and the first and last page apart (keyset
paging: the last page should cost about what the first does). Figures, not
assertions: exits 0. Run it with the repo's .venv: ``.venv/bin/python scripts/bench_note_pages.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the apex package and tests.pg_server

from apex.catalogue import PRESETS  # noqa: E402
from apex.db import make_store  # noqa: E402
from apex.store import Store  # noqa: E402
from tests import pg_server  # noqa: E402

PAGE = 20


def seed(store: Store, notes: int) -> tuple[str, str]:
    store.upgrade()
    user = store.create_user("bench", "bench@example.com", "x")
    values = PRESETS["Tekno NB48 2.2"]
    car = store.add_car(user.racer_id, {"brand": "Tekno", "model": "NB48 2.2", "nickname": "",
                                        "class_name": "1/8 Buggy", "transponder": ""}, values)
    assert car is not None
    event = store.start_event(user.racer_id, {
        "name": "Bench day", "type": "Practice", "start_date": date.today(),
        "track": "Bench", "car_id": car.id}, values)
    assert event is not None
    for i in range(notes):
        store.add_event_log(user.racer_id, event.id, "note", f"note {i} loose on entry")
    return user.racer_id, event.id


def measure(name: str, store: Store, racer_id: str, event_id: str) -> None:
    times: list[float] = []
    before, seen = None, 0
    while True:
        start = time.perf_counter()
        page = store.page_track_logs(racer_id, event_id=event_id, before=before, limit=PAGE)
        times.append((time.perf_counter() - start) * 1000)
        if not page:
            break
        seen += len(page)
        before = (page[-1].timestamp, page[-1].id)
    print(f"{name}: {seen} notes in {len(times)} calls; page median "
          f"{statistics.median(times):.2f} ms, worst {max(times):.2f} ms, "
          f"first {times[0]:.2f} ms, last full page {times[-2]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=2000)
    args = parser.parse_args()
    server = pg_server.start()
    try:
        store = make_store({"DATABASE_URL": server.create_database("apex_bench_notes")})
        try:
            measure("PostgreSQL", store, *seed(store, args.notes))
        finally:
            store.close()
    finally:
        server.stop()
    with tempfile.TemporaryDirectory() as folder:
        store = make_store({"APEX_DATA_DIR": folder})
        measure("CSV", store, *seed(store, args.notes))


if __name__ == "__main__":
    main()
