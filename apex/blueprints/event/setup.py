"""The event setup: edit it (every change recorded), settle a clash between two phones,
go back to last known good, undo a change, push it to the Shop Master."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import versions
from apex.auth_setup import current_racer_id
from apex.blueprints.event.blueprint import bp, own_event
from apex.catalogue import (
    BY_KEY,
    LABELS,
    PARAM_KEYS,
    PARAMS,
    as_texts,
    for_power,
    format_value,
    packages,
    with_unit,
)
from apex.compare import compare_setups, setup_changes
from apex.db import get_store
from apex.event_setup import values_at
from apex.htmx import after_write, render, see_other, target_block
from apex.lap_stats import RunStats, best_run
from apex.models import Car, Event, EventSetup, Run, SetupChange
from apex.schemas import form_dict
from apex.schemas.event import EventSetupSchema
from apex.store import StaleSetupError
from apex.write_once import not_written, once

PAGE = "event/show.html"
BLOCKS = {"event-setup": "setup_form", "changes": "changes"}
PUSH_PAGE = "event/push.html"
CLOSED = "This event is closed: its setup is kept as it ran."


@bp.get("/<event_id>")
def show_event(event_id: str) -> ResponseReturnValue:
    """The event and its setup, every package folded but those named by ``open``
    (the ones the last save changed)."""
    event = own_event(event_id)
    setup = _setup(event)
    return _page(event, setup, as_texts(setup.values), {},
                 open_packages=set(request.args.getlist("open")))


def _replay_save(event_id: str) -> ResponseReturnValue:
    """A resend of a stored save: the setup as stored now."""
    event = own_event(event_id)
    setup = _setup(event)
    message = "Already saved: the setup holds this save."
    return after_write(
        lambda: _page(event, setup, as_texts(setup.values), {}, notice=message),
        message, "event.show_event", category="here-setup", event_id=event.id)


@bp.post("/<event_id>/setup")
@once(_replay_save)
def save_event_setup(event_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event = own_event(event_id)
    if not event.is_active:
        return _closed(event)
    values = form_dict(request.form)
    try:
        data = EventSetupSchema().load(values)
    except ValidationError as err:
        return _page(event, _setup(event), values, err.messages_dict, 422,
                     open_packages=_packages_of(err.messages_dict))
    car = get_store().get_car(racer_id, event.car_id)
    if car is None:  # the car and its events go together
        abort(404)
    mine = for_power({k: data[k] for k in PARAM_KEYS}, car.power)
    try:
        edit = get_store().edit_event_setup(racer_id, event.id, mine, source="manual",
                                            version=data["version"])
    except StaleSetupError as stale:
        return _page(event, stale.current, as_texts(stale.current.values), {}, 409, car=car,
                     choice=_choice(event, stale.current, mine, data["version"]))
    if edit is None:
        abort(404)
    message = _saved_message(len(edit.changes))
    if not edit.changes and data["version"] != edit.setup.version:
        # Another phone (or tab) already saved these very values (apex.versions lets an
        # equal stale save through): say so, at the stored version.
        message = "Already saved: the setup holds these values."
    # The packages just changed stay open; the message is said on the save bar.
    edited = _packages_of(c.parameter for c in edit.changes)
    return after_write(
        lambda: _page(event, edit.setup, as_texts(edit.setup.values), {}, car=car,
                      notice=message, open_packages=edited),
        message, "event.show_event", category="here-setup", event_id=event.id,
        open=sorted(edited))


def _replay_restore(event_id: str) -> ResponseReturnValue:
    event = own_event(event_id)
    flash("Already back to last known good.")
    return see_other("event.show_event", event_id=event.id)


@bp.post("/<event_id>/restore")
@once(_replay_restore)
def restore_best(event_id: str) -> ResponseReturnValue:
    """Back to last known good: the setup that ran the event's best run."""
    racer_id = current_racer_id()
    event = own_event(event_id)
    if not event.is_active:
        return _closed(event)
    store = get_store()
    setup = _setup(event)
    best = _best(racer_id, event.id, store.list_runs(racer_id, event.id))[0]
    if best is None:
        not_written()
        flash("No run with 5 clean laps yet: record some laps first.")
        return see_other("event.show_event", event_id=event.id)
    target = values_at(setup.values, store.list_changes(racer_id, event.id), best.setup_version)
    try:
        edit = store.edit_event_setup(racer_id, event.id, target, source="manual",
                                      reason=f"Back to last known good: {best.name}",
                                      version=setup.version)
    except StaleSetupError:
        not_written()
        flash("The setup was changed on another phone a moment ago: check it, then try again.")
        return see_other("event.show_event", event_id=event.id)
    if edit is None:
        abort(404)
    flash(f"Back to the setup of {best.name}: {_saved_message(len(edit.changes))}")
    return see_other("event.show_event", event_id=event.id)


def _replay_revert(event_id: str, change_id: str) -> ResponseReturnValue:
    event = own_event(event_id)
    setup = _setup(event)
    message = "Already undone."
    return after_write(
        lambda: _page(event, setup, as_texts(setup.values), {}, changes_notice=message),
        message, "event.show_event", category="here-changes", event_id=event.id,
        _anchor="changes")


@bp.post("/<event_id>/changes/<change_id>/revert")
@once(_replay_revert, scope=lambda change_id, **_: f"revert:{change_id}")
def revert_change(event_id: str, change_id: str) -> ResponseReturnValue:
    racer_id = current_racer_id()
    event = own_event(event_id)
    store = get_store()
    change = next((c for c in store.list_changes(racer_id, event.id) if c.id == change_id), None)
    if change is None:
        abort(404)
    if not event.is_active:
        return _closed(event)
    edit = store.revert_change(racer_id, change.id) if change.status == "accepted" else None
    label = LABELS.get(change.parameter, change.parameter)
    if edit is None:
        not_written()
    if edit is None and change.status == "accepted":
        message = f"{label} was changed again since: undo its latest change instead."
    elif edit is None:
        message = f"{label}: that change was undone already."
    else:  # a front/rear pair (TUNING §3.10) is undone together
        back = "; ".join(f"{LABELS.get(c.parameter, c.parameter)} is back to "
                         f"{c.new_value or 'unset'}" for c in edit.changes)
        message = f"Undone: {back}."
    # NOTE: the answer stays at the change list (HTMX: the list, the form and last known
    # good swapped; without JavaScript: the page at #changes, the message said there).
    setup = edit.setup if edit else _setup(event)
    undone = [c.parameter for c in edit.changes] if edit else [change.parameter]
    return after_write(
        lambda: _page(event, setup, as_texts(setup.values), {}, changes_notice=message,
                      open_packages=_packages_of(undone)),
        message, "event.show_event", category="here-changes", event_id=event.id,
        open=sorted(_packages_of(undone)), _anchor="changes")


@bp.get("/<event_id>/push")
def push_preview(event_id: str) -> ResponseReturnValue:
    event = own_event(event_id)
    return render(PUSH_PAGE, {}, **_push_context(event))


@bp.post("/<event_id>/push")
def push_to_shop_master(event_id: str) -> ResponseReturnValue:
    """Copy the event setup over the car's Shop Master, noted in the notebook."""
    racer_id = current_racer_id()
    event = own_event(event_id)
    context = _push_context(event)
    changes = context["changes"]
    if not changes:
        flash("The Shop Master already matches this event setup.")
        return see_other("event.show_event", event_id=event.id)
    # The notebook is read by the racer: labels, not codes ("Front diff oil 7000 → 6000 cSt").
    summary = ", ".join(f"{BY_KEY[c.key].label} {_text(c.key, c.before)} → "
                        f"{with_unit(BY_KEY[c.key], c.after) or 'unset'}" for c in changes)
    saved = get_store().change_car_config(
        racer_id, event.car_id, {c.key: c.after for c in changes},
        f"Shop Master from event {event.name}: {summary}", track=event.track)
    if saved is None:
        abort(404)
    flash(f"Shop Master updated: {len(changes)} value{'s' if len(changes) > 1 else ''} "
          "from this event.")
    return see_other("event.show_event", event_id=event.id)


def _best(racer_id: str, event_id: str, runs: list[Run]) -> tuple[Run | None, RunStats | None]:
    """The event's best run and its figures (stored with every lap write: no lap
    worked over)."""
    figures = get_store().run_figures(racer_id, event_id)
    stats = [figures.get(r.id) for r in runs]
    index = best_run(runs, stats)
    return (None, None) if index is None else (runs[index], stats[index])


def _setup(event: Event) -> EventSetup:
    setup = get_store().get_event_setup(current_racer_id(), event.id)
    if setup is None:
        abort(404)
    return setup



def _page(event: Event, setup: EventSetup, values: dict[str, Any], errors: dict,
          status: int = 200, *, car: Car | None = None, **extra: Any) -> ResponseReturnValue:
    """The event setup page; ``car`` when the caller has it already."""
    racer_id = current_racer_id()
    store = get_store()
    runs = store.list_runs(racer_id, event.id)
    best, best_stats = _best(racer_id, event.id, runs)
    changes = store.list_changes(racer_id, event.id)
    car = car or store.get_car(racer_id, event.car_id)
    context = {"event": event, "setup": setup, "values": values, "errors": errors,
               "packages": packages(car.power if car else ""), "car": car,
               "changes": changes, "undoable": _undoable(changes, setup), "labels": LABELS,
               "best": best, "best_differs": best and _differs_from_best(setup, changes, best),
               "best_stats": best_stats,
               "open_packages": set(), "changes_notice": None, **extra}
    # A save swaps the form; the change list and last known good follow out of band (an
    # undo swaps the list; the form follows).
    oob = ("setup_form", "last_good") if target_block(BLOCKS) == "changes" else (
        "changes", "last_good")
    return render(PAGE, BLOCKS, status, oob=oob, **context)


def _packages_of(keys: Iterable[str]) -> set[str]:
    """The packages (catalogue groups) of these parameters."""
    return {BY_KEY[k].group for k in keys if k in BY_KEY}


def _differs_from_best(setup: EventSetup, changes: list[SetupChange], best: Run
                       ) -> list[str]:
    """The parameters whose value now differs from the best run's setup: last known good
    is offered only when there is something to restore (values, not version numbers)."""
    then = values_at(setup.values, changes, best.setup_version)
    return [k for k in PARAM_KEYS if _text(k, then.get(k)) != _text(k, setup.values.get(k))]


def _undoable(changes: list[SetupChange], setup: EventSetup) -> set[str]:
    """The latest accepted change of each parameter, if the setup still holds its value:
    undoing an older one would silently undo the later ones too."""
    latest: dict[str, SetupChange] = {}
    for change in changes:
        if change.version is not None:
            latest[change.parameter] = change
    return {c.id for c in latest.values() if c.status == "accepted" and c.parameter in BY_KEY
            and _text(c.parameter, setup.values.get(c.parameter)) == (c.new_value or "unset")}


def _choice(event: Event, stored: EventSetup, mine: dict[str, Any], seen_version: int
            ) -> dict[str, Any]:
    """The "yours vs stored" choice (apex.versions.choice): the page showed the setup as
    it was at ``seen_version``, which the change history gives back."""
    seen = values_at(stored.values, get_store().list_changes(current_racer_id(), event.id),
                     seen_version)
    return versions.choice(as_texts(stored.values), as_texts(mine), as_texts(seen), LABELS,
                           PARAM_KEYS, stored.version)


def _push_context(event: Event) -> dict[str, Any]:
    racer_id = current_racer_id()
    store = get_store()
    found = store.get_car_with_config(racer_id, event.car_id)
    if found is None:
        abort(404)
    car, shop = found
    setup = _setup(event)
    return {"event": event, "car": car,
            "changes": setup_changes(shop.values, setup.values, PARAMS),
            "drift": compare_setups(shop.values, setup.values).differences, "labels": LABELS}


def _closed(event: Event) -> ResponseReturnValue:
    not_written()
    flash(CLOSED)
    return see_other("event.show_event", event_id=event.id)


def _text(key: str, value: Any) -> str:
    return format_value(BY_KEY[key], value) or "unset"


def _saved_message(count: int) -> str:
    if count == 0:
        return "Saved: nothing changed."
    return f"Saved: {count} change{'s' if count > 1 else ''} recorded."
