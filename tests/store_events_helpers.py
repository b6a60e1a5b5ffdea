"""The store race-day tests' event: a racer, a car and an active event on it.

Used by test_store_events_*.py, which run on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

from apex.store import Store
from tests.conftest import CAR, NB48, new_user
from tests.conftest import EVENT as BASE_EVENT

# conftest's event with every field a store keeps.
EVENT = {**BASE_EVENT, "track_size": "Large", "surface": "Dry", "temperature": 18,
         "practice_rounds": 4, "qualifying_rounds": 3, "baseline": "Shop Master"}


def new_event(store: Store, name: str = "alice"):
    user = new_user(store, name)
    car = store.add_car(user.racer_id, CAR, NB48)
    event = store.start_event(user.racer_id, {**EVENT, "car_id": car.id}, NB48)
    return user, car, event
