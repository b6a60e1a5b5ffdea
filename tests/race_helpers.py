"""The Race Support tests' day at the track, arranged straight in the app's store.

``start_event`` gives a racer a car and an active event on it. The ``event`` fixture of
test_race_notes_symptoms, test_race_runs_laps and test_race_page is alice's, started so.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from tests.conftest import CAR, NB48, racer, store_of

KEY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def start_event(app, username="alice", name="Club day", nickname="Blue"):
    store = store_of(app)
    racer_id = racer(app, username)
    car = store.add_car(racer_id, {**CAR, "nickname": nickname}, NB48)
    return store.start_event(racer_id, {"name": name, "type": "Practice",
                                        "start_date": date.today(), "track": "Mac's Track",
                                        "car_id": car.id}, NB48)


def add_run(app, event, name="Practice 1", laps=(), username="alice"):
    store = store_of(app)
    run = store.add_run(racer(app, username), event.id, name)
    if laps:
        run = store.add_laps(racer(app, username), run.id, [Decimal(s) for s in laps])
    return run


def logs(app, event, username="alice"):
    return store_of(app).list_event_logs(racer(app, username), event.id)


def laps_of(app, run, username="alice"):
    return [lap.seconds for lap in store_of(app).get_run(racer(app, username), run.id).laps]


def textarea(html, name):
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return match and match.group(1)
