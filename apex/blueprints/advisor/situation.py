"""What the advisor is told about the racer's day: the store's data as a Situation."""

from __future__ import annotations

from dataclasses import replace

from apex.advisor.engine import Situation
from apex.auth_setup import current_racer_id
from apex.db import get_store
from apex.event_history import summarise
from apex.lap_stats import event_run_stats
from apex.models import Event, Run, SetupChange


def situation(event: Event, symptom: str, *, temperature_now: int | None = None,
              insist: bool = False) -> Situation:
    """The event setup, runs and changes, and this car's past at this track and condition:
    earlier changes with their verdicts (the audit's, else the laps'), and this car's best
    top-5 average at this track (§3.7)."""
    racer_id = current_racer_id()
    store = get_store()
    setup = store.get_event_setup(racer_id, event.id)
    history: list[SetupChange] = []
    names: dict[str, str] = {}
    best: float | None = None
    # event_history is newest first; the engine wants history oldest first.
    for record in reversed(store.event_history(racer_id)):
        past = record.event
        if past.id == event.id or past.track.casefold() != event.track.casefold():
            continue
        summary = summarise(record)
        if past.car_id == event.car_id:
            best = _best_top5(record.runs, best)
        if past.car_id == event.car_id and past.condition.casefold() == event.condition.casefold():
            history += [replace(i.change, verdict=i.verdict) for i in summary.impacts if i.verdict]
            names[past.id] = past.name
    return Situation(
        symptom=symptom, values=setup.values if setup else {}, event=event,
        runs=store.list_runs(racer_id, event.id), changes=store.list_changes(racer_id, event.id),
        history=history, own_best_at_track=best, temperature_now=temperature_now,
        insist=insist, event_names=names,
        temperature_ref=setup.temperature_ref if setup else None,
        tyres_since=setup.tyres_fitted_at if setup else None)


def _best_top5(runs: list[Run], best: float | None) -> float | None:
    """The lower of ``best`` and the runs' best top-5 average (clean laps only)."""
    found = [s.top5 for s in event_run_stats(runs)
             if s is not None and s.comparable and s.top5 is not None]
    return min([*found, *([best] if best is not None else [])], default=None)
