"""Past events by track and condition, and the changes that worked (or not) there."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from apex.auth_setup import current_racer_id
from apex.blueprints.analysis.blueprint import bp
from apex.db import get_store
from apex.event_history import (
    EventSummary,
    PlaceHistory,
    same_place,
    stored_place_history,
    stored_summaries,
)
from apex.htmx import render
from apex.models import CONDITIONS, Car

PAGE = "analysis/index.html"
BLOCKS = {"history": "history"}


@bp.get("/")
def show_history() -> ResponseReturnValue:
    """Every event, newest first, grouped by track and condition; with a track (and a
    condition) chosen, what worked there: for one car (``car``, else the one raced there
    last), then for the other cars of its model."""
    racer_id = current_racer_id()
    store = get_store()
    summaries = history_summaries(racer_id)
    track = request.args.get("track", "").strip()
    condition = request.args.get("condition", "").strip()
    shown = [s for s in summaries if not track or same_place(s, track, condition)]
    cars = {c.id: c for c in store.list_cars(racer_id, archived=None)}
    raced = [cars[i] for i in dict.fromkeys(s.record.event.car_id for s in shown) if i in cars]
    car = _chosen(raced, request.args.get("car", ""))
    history: PlaceHistory | None = None
    if track and car is not None:
        # One aggregate of the stored outcomes (apex.figures), not every lap.
        history = stored_place_history(store.tried_at(racer_id, track, condition), car, cars)
    return render(PAGE, BLOCKS, groups=_groups(shown), tracks=_tracks(summaries),
                  conditions=CONDITIONS, track=track, condition=condition, history=history,
                  car=car, raced=raced,
                  active=[s for s in summaries if s.record.event.is_active])


def history_summaries(racer_id: str) -> list[EventSummary]:
    """Every event's line (newest first) from the stored figures: no lap is read."""
    return stored_summaries(get_store().history_figures(racer_id))


def _chosen(raced: list[Car], wanted: str) -> Car | None:
    """The car asked for if it raced here, else the one that raced here last."""
    return next((c for c in raced if c.id == wanted), raced[0] if raced else None)


def _tracks(summaries: list[EventSummary]) -> list[str]:
    """Each track once (as first written), in name order."""
    seen: dict[str, str] = {}
    for s in summaries:
        seen.setdefault(s.record.event.track.casefold(), s.record.event.track)
    return sorted(seen.values(), key=str.casefold)


def _groups(summaries: list[EventSummary]) -> list[tuple[str, str, list[EventSummary]]]:
    """(track, condition, events) in the order each place was last raced at."""
    groups: dict[tuple[str, str], list[EventSummary]] = {}
    for s in summaries:
        event = s.record.event
        groups.setdefault((event.track.casefold(), event.condition.casefold()), []).append(s)
    return [(g[0].record.event.track, g[0].record.event.condition, g) for g in groups.values()]
