"""The advisor page: ask (symptom -> proposals stored as pending), accept, deny."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex.advisor.engine import advise
from apex.auth_setup import current_racer_id
from apex.blueprints.advisor.blueprint import bp
from apex.blueprints.advisor.situation import situation
from apex.blueprints.event.blueprint import own_event, to_open_event
from apex.blueprints.theory.blueprint import passages_for
from apex.catalogue import BY_KEY, LABELS
from apex.db import get_store
from apex.event_setup import as_text
from apex.htmx import after_write, render, see_other
from apex.models import Event, SetupChange
from apex.note_tags import tag_keywords
from apex.schemas import form_dict
from apex.schemas.advisor import AskSchema
from apex.symptoms import BY_KEY as SYMPTOMS
from apex.symptoms import grouped

PAGE = "advisor/show.html"
BLOCKS = {"advice": "advice"}
CLOSED = "This event is closed: the advisor works on open events."
MAX_PROPOSALS = 3
PASSAGES_FOR = 3  # proposals that get their theory looked up (each is a search)
# How quick a proposal is to do in the pits (apex/advisor/rules.toml "speed").
SPEEDS = {"quick": "quick to do at the track", "medium": "a few minutes' work",
          "slow": "slow: a rebuild between rounds"}


@bp.get("/")
def current() -> ResponseReturnValue:
    """The advisor for the racer's most recent active event, or a page saying there is none."""
    return to_open_event(_show, "advisor.show", "advisor/none.html")


@bp.get("/<event_id>")
def show(event_id: str) -> ResponseReturnValue:
    return _show(own_event(event_id))


def _show(event: Event) -> ResponseReturnValue:
    return render(PAGE, BLOCKS, **_context(event))


@bp.post("/<event_id>/ask")
def ask(event_id: str) -> ResponseReturnValue:
    """Run the rules; store each proposal as pending (so a retry, with the same key, and
    Race Support see the same ones) and note the symptom in the notebook."""
    racer_id = current_racer_id()
    event = own_event(event_id)
    if not event.is_active:
        flash(CLOSED)
        return see_other("advisor.show", event_id=event.id)
    values = form_dict(request.form)
    try:
        data = AskSchema().load(values)
    except ValidationError as err:
        return render(PAGE, BLOCKS, 422, **_context(event, values=values, errors=err.messages))
    store = get_store()
    key = data["request_key"]
    symptom = SYMPTOMS[data["symptom"]]
    note = f"{symptom.label}: {data['note']}" if data["note"] else symptom.label
    logged = store.add_event_log(racer_id, event.id, "symptom", note,
                                 keywords=" ".join(tag_keywords(note)),
                                 request_key=key and f"{key}:symptom")
    if logged is None:  # this very ask was answered before (a retry after a lost answer)
        return render(PAGE, BLOCKS, **_context(event, notice="Already asked: see the proposals."))
    advice = advise(situation(event, data["symptom"], temperature_now=data["temperature_now"],
                              insist=data["insist"]))
    # The "up to three": the temperature's extra shock-oil proposals wait their turn.
    for p in advice.proposals[:MAX_PROPOSALS]:
        reason = " · ".join(filter(None, [f"{symptom.label}: {p.why}", SPEEDS.get(p.speed, ""),
                                          p.history]))
        store.propose_change(racer_id, event.id, p.param, p.proposed, reason,
                             request_key=key and f"{key}:{p.param}")
    return render(PAGE, BLOCKS, **_context(event, advice=advice, asked=symptom,
                                           values={"symptom": data["symptom"]}))


@bp.post("/<event_id>/proposals/<change_id>/accept")
def accept(event_id: str, change_id: str) -> ResponseReturnValue:
    event, change = _own_proposal(event_id, change_id)
    edit = get_store().accept_proposal(current_racer_id(), change.id)
    label = LABELS.get(change.parameter, change.parameter)
    if edit is None and change.status == "pending":
        message = f"{label}: the setup moved since this was proposed. Ask again."
    elif edit is None:
        message = f"{label}: that proposal was settled already."
    else:
        applied = edit.changes[0]
        message = (f"Applied: {label} {applied.old_value} → {applied.new_value} "
                   f"(setup version {edit.setup.version}).")
    return _done(event, message)


@bp.post("/<event_id>/proposals/<change_id>/deny")
def deny(event_id: str, change_id: str) -> ResponseReturnValue:
    event, change = _own_proposal(event_id, change_id)
    denied = get_store().deny_proposal(current_racer_id(), change.id)
    label = LABELS.get(change.parameter, change.parameter)
    message = (f"Denied: {label} {change.new_value}. The advisor won't propose it again today."
               if denied else f"{label}: that proposal was settled already.")
    return _done(event, message)


def _own_proposal(event_id: str, change_id: str) -> tuple[Event, SetupChange]:
    """The racer's event and one of its advisor proposals (404 otherwise)."""
    event = own_event(event_id)
    change = next((c for c in get_store().list_changes(current_racer_id(), event.id)
                   if c.id == change_id and c.source == "advisor"), None)
    if change is None:
        abort(404)
    if not event.is_active:
        flash(CLOSED)
        abort(see_other("advisor.show", event_id=event.id))
    return event, change


def _done(event: Event, message: str) -> ResponseReturnValue:
    return after_write(lambda: render(PAGE, BLOCKS, **_context(event, notice=message)),
                       message, "advisor.show", event_id=event.id)


def _context(event: Event, **overrides: Any) -> dict[str, Any]:
    racer_id = current_racer_id()
    store = get_store()
    changes = store.list_changes(racer_id, event.id)
    pending = [c for c in changes if c.status == "pending"]  # each ask's best first
    setup = store.get_event_setup(racer_id, event.id)
    now = {k: as_text(k, v) for k, v in setup.values.items()} if setup else {}
    context: dict[str, Any] = {
        "event": event, "phases": grouped(), "labels": LABELS, "values": {}, "errors": {},
        "advice": None, "asked": None, "notice": "", "pending": pending, "now": now,
        # A proposal made from a value the setup no longer has can only be dismissed.
        "stale": {c.id for c in pending if now.get(c.parameter) != c.old_value},
        "passages": {c.id: _passages(c) for c in pending[:PASSAGES_FOR]},
        "recent": [c for c in reversed(changes) if c.source == "advisor"
                   and c.status in ("accepted", "denied")][:5],
    }
    context.update(overrides)
    return context


def _passages(change: SetupChange) -> list:
    """The theory that backs a proposal: its symptom (the reason's start) and parameter."""
    symptom = change.reason.split(":", 1)[0]
    param = BY_KEY.get(change.parameter)
    words = [*symptom.split(), *(param.label.split() if param else []), change.parameter]
    return passages_for(words, limit=2)

