"""What the advisor is told about the racer's day: the store's data as a Situation."""

from __future__ import annotations

from apex.advisor.advice import PastTries
from apex.advisor.engine import Situation
from apex.auth_setup import current_racer_id
from apex.db import get_store
from apex.event_history import EventSummary, place_history, same_place, summarise
from apex.models import Event


def situation(event: Event, symptom: str, *, temperature_now: int | None = None,
              insist: bool = False) -> Situation:
    """The event setup, runs and changes, the racer's best lap at this track, and what
    worked at this track and condition at other events: this car's figures, then those
    of the racer's other cars of the same model for moves this car never tried."""
    racer_id = current_racer_id()
    store = get_store()
    setup = store.get_event_setup(racer_id, event.id)
    here = [summarise(r) for r in store.event_history(racer_id)
            if r.event.id != event.id and r.event.track.casefold() == event.track.casefold()]
    laps = [s.best_lap for s in here if s.best_lap is not None]
    return Situation(
        symptom=symptom, values=setup.values if setup else {}, event=event,
        runs=store.list_runs(racer_id, event.id), changes=store.list_changes(racer_id, event.id),
        history=_history([s for s in here if same_place(s, event.track, event.condition)],
                         event.car_id),
        own_best_at_track=min(laps) if laps else None, temperature_now=temperature_now,
        insist=insist)


def _history(summaries: list[EventSummary], car_id: str) -> dict[tuple[str, int], PastTries]:
    cars = {c.id: c for c in get_store().list_cars(current_racer_id(), archived=None)}
    car = cars.get(car_id)
    if car is None:
        return {}
    place = place_history(summaries, car, cars)
    others = f"your other {car.model or 'cars'}s"
    return {**{(t.parameter, t.direction): PastTries(t, others) for t in place.model},
            **{(t.parameter, t.direction): PastTries(t, "this car") for t in place.own}}
