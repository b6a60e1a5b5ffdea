"""Past events by track and condition, a page at a time, and the changes that worked
(or not) there."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from apex import event_pages
from apex.auth_setup import current_racer_id
from apex.blueprints.analysis.blueprint import bp
from apex.db import get_store
from apex.event_history import (
    EventSummary,
    PlaceHistory,
    stored_place_history,
    stored_summaries,
)
from apex.htmx import render, target_block
from apex.models import CONDITIONS, Car
from apex.paging import EventCursor

PAGE = "analysis/index.html"
# HX-Target id -> block: a new filter gets the whole history, "More" the next page alone.
BLOCKS = {"history": "history", "history-more": "history_page"}


@bp.get("/")
def show_history() -> ResponseReturnValue:
    """The racer's events, newest first, a page at a time (apex.event_pages), grouped
    by track and condition; with a track (and a condition) chosen, only the events
    there and what worked there: for one car (``car``, else the one raced there last),
    then for the other cars of its model. Only the page's events are summarised."""
    racer_id = current_racer_id()
    store = get_store()
    track = request.args.get("track", "").strip()
    condition = request.args.get("condition", "").strip()
    wanted = request.args.get("car", "")
    before = event_pages.before()
    page, more = _page_summaries(racer_id, track, condition, before)
    context: dict[str, Any] = {
        "groups": _groups(page), "track": track, "condition": condition, "first": before is None,
        "more": more and event_pages.more_url(EventCursor.of(page[-1].record.event),
                                              track=track, condition=condition, car=wanted)}
    if target_block(BLOCKS) == "history_page":
        return render(PAGE, BLOCKS, **context)
    cars = {c.id: c for c in store.list_cars(racer_id, archived=None)}
    raced: list[Car] = []
    car = history = None
    if track:
        here = store.list_events(racer_id, track=track, condition=condition)
        raced = [cars[i] for i in dict.fromkeys(e.car_id for e in here) if i in cars]
        car = _chosen(raced, wanted)
        history = None if car is None else _place_history(racer_id, track, condition, car, cars)
    return render(PAGE, BLOCKS, **context, tracks=store.event_tracks(racer_id),
                  conditions=CONDITIONS, history=history, car=car, raced=raced,
                  active=store.list_events(racer_id, active=True))


def _page_summaries(racer_id: str, track: str, condition: str, before: EventCursor | None
                    ) -> tuple[list[EventSummary], bool]:
    """One page of the history's lines, and whether there is a next page: only these
    events are read (one more, to know) and summarised."""
    # From the stored figures (apex.figures): no lap is read.
    stored = get_store().history_figures(racer_id, track=track, condition=condition,
                                         before=before, limit=event_pages.PAGE_SIZE + 1)
    summaries, more = event_pages.split(stored_summaries(stored))
    return summaries, more


def _place_history(racer_id: str, track: str, condition: str, car: Car,
                   cars: dict[str, Car]) -> PlaceHistory:
    """What worked at the place for ``car``, then for the other cars of its model: one
    aggregate of the stored outcomes (apex.figures), not every lap."""
    return stored_place_history(get_store().tried_at(racer_id, track, condition), car, cars)


def _chosen(raced: list[Car], wanted: str) -> Car | None:
    """The car asked for if it raced here, else the one that raced here last."""
    return next((c for c in raced if c.id == wanted), raced[0] if raced else None)


def _groups(summaries: list[EventSummary]) -> list[tuple[str, str, list[EventSummary]]]:
    """(track, condition, events) of one page, in the order each place was last raced
    at (a place on two pages is a group on each)."""
    groups: dict[tuple[str, str], list[EventSummary]] = {}
    for s in summaries:
        event = s.record.event
        groups.setdefault((event.track.casefold(), event.condition.casefold()), []).append(s)
    return [(g[0].record.event.track, g[0].record.event.condition, g) for g in groups.values()]
