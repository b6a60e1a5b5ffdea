"""What the advisor is told about the racer's day: the store's data as a Situation."""

from __future__ import annotations

from apex.advisor.advice import PastTries
from apex.advisor.engine import Situation
from apex.auth_setup import current_racer_id
from apex.db import get_store
from apex.event_history import EventSummary, place_history, same_place, summarise
from apex.lap_stats import event_run_stats
from apex.models import Event, Run


def situation(event: Event, symptom: str, *, temperature_now: int | None = None,
              insist: bool = False) -> Situation:
    """The event setup, runs and changes, this car's best top-5 average at this track
    (§3.7), and what worked at this track and condition at other events: this car's
    figures, then those of the racer's other cars of the same model for moves this car
    never tried."""
    racer_id = current_racer_id()
    store = get_store()
    setup = store.get_event_setup(racer_id, event.id)
    past = [r for r in store.event_history(racer_id, track=event.track)  # its rows only
            if r.event.id != event.id and r.event.track.casefold() == event.track.casefold()]
    here = [summarise(r) for r in past]
    # §3.7: this car only, by top-5 average (clean laps: short and incident laps never count).
    best = _best_top5([r.runs for r in past if r.event.car_id == event.car_id])
    return Situation(
        symptom=symptom, values=setup.values if setup else {}, event=event,
        runs=store.list_runs(racer_id, event.id), changes=store.list_changes(racer_id, event.id),
        history=_history([s for s in here if same_place(s, event.track, event.condition)],
                         event.car_id),
        own_best_at_track=best, temperature_now=temperature_now, insist=insist,
        temperature_ref=setup.temperature_ref if setup else None,
        tyres_since=setup.tyres_fitted_at if setup else None)


def _best_top5(events_runs: list[list[Run]]) -> float | None:
    """The best top-5 average of any run of these events (each event's runs together)."""
    found = [s.top5 for runs in events_runs for s in event_run_stats(runs)
             if s is not None and s.comparable and s.top5 is not None]
    return min(found, default=None)


def _history(summaries: list[EventSummary], car_id: str) -> dict[tuple[str, int], PastTries]:
    cars = {c.id: c for c in get_store().list_cars(current_racer_id(), archived=None)}
    car = cars.get(car_id)
    if car is None:
        return {}
    place = place_history(summaries, car, cars)
    others = f"your other {car.model or 'cars'}s"
    return {**{(t.parameter, t.direction): PastTries(t, others) for t in place.model},
            **{(t.parameter, t.direction): PastTries(t, "this car") for t in place.own}}
