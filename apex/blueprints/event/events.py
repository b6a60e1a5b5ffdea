"""The racer's events: the list, and starting one (from Shop Master or the library)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import event_pages
from apex.auth_setup import current_racer_id
from apex.blueprints.event.blueprint import bp
from apex.car_rules import ARCHIVED
from apex.catalogue import Value, for_power
from apex.db import get_store
from apex.event_setup import rank_baselines
from apex.htmx import render, see_other, target_block
from apex.models import (
    CONDITIONS,
    EVENT_TYPES,
    SURFACES,
    TRACK_SIZES,
    TRACTIONS,
    Car,
    Event,
    LibraryBaseline,
    LibraryQuery,
)
from apex.paging import EventCursor
from apex.schemas import form_dict
from apex.schemas.event import SHOP_MASTER, StartEventSchema
from apex.store import DuplicateError

LIST_PAGE = "event/index.html"
LIST_BLOCKS = {"events-more": "past_page"}  # HX-Target id -> block: the next page alone
NEW_PAGE = "event/new.html"
NEW_BLOCKS = {"start-form": "start_form", "baseline-choice": "baseline_choice"}
SUGGESTED = 8
CHOICES = {"types": EVENT_TYPES, "sizes": TRACK_SIZES, "tractions": TRACTIONS,
           "surfaces": SURFACES, "conditions": CONDITIONS}


@bp.get("/")
def list_events() -> ResponseReturnValue:
    """The open events, then the past ones a page at a time (apex.event_pages); the
    "More" row (``#events-more``) gets the next page alone."""
    racer_id = current_racer_id()
    store = get_store()
    before = event_pages.before()
    past, more = event_pages.split(store.list_events(
        racer_id, active=False, before=before, limit=event_pages.PAGE_SIZE + 1))
    fragment = target_block(LIST_BLOCKS) is not None
    active = [] if fragment else store.list_events(racer_id, active=True)
    cars = {c.id: c for c in store.list_cars(racer_id, archived=None)}  # past events too
    return render(LIST_PAGE, LIST_BLOCKS, active=active, past=past, cars=cars,
                  first=before is None,
                  more=more and event_pages.more_url(EventCursor.of(past[-1])))


@bp.get("/new")
def new_event() -> ResponseReturnValue:
    """The start form; its query (car, track, conditions, baseline) refines the suggestions."""
    values: dict[str, Any] = {"type": "Practice", "start_date": date.today().isoformat(),
                              **{k: v for k, v in request.args.items() if v}}
    return _start_form(values, {})


@bp.post("/")
def start_event() -> ResponseReturnValue:
    racer_id = current_racer_id()
    values = form_dict(request.form)
    try:
        data = StartEventSchema().load(values)
    except ValidationError as err:
        return _start_form(values, err.messages_dict, 422)
    car = _own_car(data["car_id"])
    if car.archived:  # apex.car_rules: an archived car starts no event (a stale form)
        return _start_form(values, {"car_id": [ARCHIVED]}, 422)
    setup, label = _starting_setup(racer_id, car, data["baseline"])
    if setup is None:
        return _start_form(values, {"baseline": ["That baseline is no longer in the library."]},
                           422)
    try:
        # The car's power decides: a nitro baseline's engine fields stay off an electric car.
        event = get_store().start_event(racer_id, {**data, "baseline": label},
                                        for_power(setup, car.power),
                                        request_key=data["request_key"])
    except DuplicateError as err:
        return _start_form(values, {err.field: [err.message]}, 422,
                           open_event=_active_event(racer_id, car.id))
    # None: this very form was saved before (a retry after a lost answer).
    event = event or _active_event(racer_id, car.id)
    if event is None:
        abort(404)
    flash(f"Started {event.name}: the event setup is a copy of {label}.")
    return see_other("event.show_event", event_id=event.id)


def _own_car(car_id: str) -> Car:
    """The racer's car named in the form: another racer's id is a 404, as in a URL."""
    car = get_store().get_car(current_racer_id(), car_id)
    if car is None:
        abort(404)
    return car


def _active_event(racer_id: str, car_id: str) -> Event | None:
    return next((e for e in get_store().list_events(racer_id, active=True)
                 if e.car_id == car_id), None)


def _starting_setup(racer_id: str, car: Car, choice: str
                    ) -> tuple[Mapping[str, Value] | None, str]:
    """The values the event setup starts from, and how the racer calls them."""
    store = get_store()
    if choice == SHOP_MASTER:
        config = store.get_car_config(racer_id, car.id)
        return (None if config is None else config.values), f"the {car.label} Shop Master"
    baseline = store.get_library_baseline(int(choice))
    if baseline is None:
        return None, ""
    return baseline.values, f"library baseline {baseline.track} {baseline.date.isoformat()}"


def _suggestions(car: Car | None, values: Mapping[str, Any]) -> list[LibraryBaseline]:
    """The car's library baselines, those of this track and these conditions first,
    plus the one the racer came from (``baseline=<id>`` from a library page)."""
    store = get_store()
    rows: list[LibraryBaseline] = []
    if car is not None:
        query = LibraryQuery(brand=car.brand, vehicle=car.model, per_page=100)
        context = [values.get(k, "") for k in ("traction", "surface", "condition")]
        rows = rank_baselines(store.search_library(query).rows, values.get("track", ""),
                              context)[:SUGGESTED]
    chosen = str(values.get("baseline") or "")
    if re.fullmatch(r"[0-9]{1,9}", chosen) and all(str(r.id) != chosen for r in rows):
        if (picked := store.get_library_baseline(int(chosen))) is not None:
            rows.insert(0, picked)
    return rows


def _start_form(values: dict[str, Any], errors: Mapping[str, Any], status: int = 200,
                **extra: Any) -> ResponseReturnValue:
    cars = get_store().list_cars(current_racer_id())
    car = next((c for c in cars if c.id == values.get("car_id")), cars[0] if cars else None)
    if car is not None:
        values.setdefault("car_id", car.id)
    return render(NEW_PAGE, NEW_BLOCKS, status, values=values, errors=errors, cars=cars,
                  suggestions=_suggestions(car, values), shop=SHOP_MASTER, **CHOICES, **extra)
