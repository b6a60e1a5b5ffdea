"""The advisor page: ask (symptom -> proposals stored as pending), accept, deny.

A pair (§3.10) is stored as two proposals sharing a ``pair_id`` and shown, accepted,
denied and undone as one; one ask's proposals share an ``ask_id`` (accepting one
supersedes the others). A second acceptance before a run asks "change both now"
(§3.3). Without JavaScript the ask answers post/redirect/get: its answer (guards and
notes) waits in the session for the page it redirects to.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, request, session
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex.advisor.advice import Advice, Guard
from apex.advisor.engine import advise
from apex.advisor.values import recorded_text
from apex.auth_setup import current_racer_id
from apex.blueprints.advisor.blueprint import bp
from apex.blueprints.advisor.situation import situation
from apex.blueprints.event.blueprint import own_event, to_open_event
from apex.blueprints.theory.blueprint import passages_for
from apex.catalogue import BY_KEY, LABELS
from apex.db import get_store
from apex.event_setup import as_text
from apex.htmx import after_write, render, see_other, wants_fragment
from apex.models import Event, SetupChange
from apex.note_tags import tag_keywords
from apex.schemas import form_dict
from apex.schemas.advisor import AskSchema
from apex.store import UntestedChangeError
from apex.symptoms import BY_KEY as SYMPTOMS
from apex.symptoms import grouped
from apex.write_once import not_written, once

PAGE = "advisor/show.html"
BLOCKS = {"advice": "advice"}
CLOSED = "This event is closed: the advisor works on open events."
PASSAGES_FOR = 3  # proposals that get their theory looked up (each is a search)
ANSWER = "advisor-answer"  # the session key of an answer waiting for its page (no-JS)
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
    return render(PAGE, BLOCKS, **_context(event, **_waiting_answer(event)))


def _replay_ask(event_id: str) -> ResponseReturnValue:
    """A resend of an answered ask: the proposals it stored, nothing asked again."""
    return render(PAGE, BLOCKS, **_context(own_event(event_id),
                                           notice="Already asked: see the proposals."))


@bp.post("/<event_id>/ask")
@once(_replay_ask)
def ask(event_id: str) -> ResponseReturnValue:
    """Run the rules; store each proposal as pending (so a retry, with the same key, and
    Race Support see the same ones) and note the symptom in the notebook."""
    racer_id = current_racer_id()
    event = own_event(event_id)
    if not event.is_active:
        not_written()
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
    ask_id = key or str(uuid.uuid4())
    for p in advice.proposals:  # at most max_proposals, a pair counted once (§3.10)
        reason = " · ".join(filter(None, [f"{symptom.label}: {p.why}", SPEEDS.get(p.speed, ""),
                                          p.history]))
        pair_id = f"{ask_id}:{p.param}" if p.partner is not None else ""
        for part in p.parts:
            store.propose_change(racer_id, event.id, part.param, part.proposed, reason,
                                 request_key=key and f"{key}:{part.param}", ask_id=ask_id,
                                 pair_id=pair_id, temperature_ref=p.temperature_ref)
    if not wants_fragment():  # post/redirect/get: a reload does not ask again
        session[ANSWER] = {"event": event.id, "symptom": symptom.key,
                           "guards": [[g.key, g.title, g.message, g.blocks]
                                      for g in advice.guards],
                           "notes": advice.notes, "proposed": len(advice.proposals)}
        return see_other("advisor.show", event_id=event.id)
    return render(PAGE, BLOCKS, **_context(event, advice=advice, asked=symptom,
                                           values={"symptom": data["symptom"]}))


def _waiting_answer(event: Event) -> dict[str, Any]:
    """The answer a no-JS ask left for this page (once), as ``advice`` and ``asked``."""
    answer = session.get(ANSWER)
    if not isinstance(answer, dict) or answer.get("event") != event.id:
        return {}
    session.pop(ANSWER, None)
    symptom = SYMPTOMS.get(str(answer.get("symptom")))
    if symptom is None:
        return {}
    guards = [Guard(*g) for g in answer.get("guards", [])]
    shown = Advice([], guards, list(answer.get("notes", [])))
    return {"advice": shown, "asked": symptom, "proposed": answer.get("proposed", 0),
            "values": {"symptom": symptom.key}}


def _replay(message: str) -> Any:
    def answer_replay(event_id: str, **_: Any) -> ResponseReturnValue:
        return _done(own_event(event_id), message)
    return answer_replay


@bp.post("/<event_id>/proposals/<change_id>/accept")
@once(_replay("Already applied."), scope=lambda change_id, **_: f"accept:{change_id}")
def accept(event_id: str, change_id: str) -> ResponseReturnValue:
    """Apply a proposal (both ends of a pair). While an accepted change waits for a run,
    the racer is asked first: "change both now" makes the two one bundle (§3.3)."""
    event, change = _own_proposal(event_id, change_id)
    bundle = request.form.get("bundle") == "1"
    label = LABELS.get(change.parameter, change.parameter)
    try:
        edit = get_store().accept_proposal(current_racer_id(), change.id, bundle=bundle)
    except UntestedChangeError as waiting:
        not_written()  # a question: "change both now" comes with its own key
        return render(PAGE, BLOCKS, **_context(event, confirm=change,
                                               waiting=[recorded_text(c)
                                                        for c in waiting.changes]))
    if edit is None:
        not_written()
    if edit is None and change.status in ("pending", "superseded"):
        message = f"{label}: the setup moved since this was proposed. Ask again."
    elif edit is None:
        message = f"{label}: that proposal was settled already."
    else:
        applied = "; ".join(recorded_text(c) for c in edit.changes)
        together = " Changed together with the untested change: judged as one." if bundle else ""
        message = f"Applied: {applied}.{together}"
    return _done(event, message)


@bp.post("/<event_id>/proposals/<change_id>/deny")
@once(_replay("Already denied."), scope=lambda change_id, **_: f"deny:{change_id}")
def deny(event_id: str, change_id: str) -> ResponseReturnValue:
    event, change = _own_proposal(event_id, change_id)
    denied = get_store().deny_proposal(current_racer_id(), change.id)
    if not denied:
        not_written()
    label = LABELS.get(change.parameter, change.parameter)
    message = (f"Denied: {recorded_text(change)}. The advisor won't propose it again today."
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


def shown_text(group: list[SetupChange]) -> str:
    """``Front shock oil 450 → 500 cSt + Rear shock oil 400 → 450 cSt``."""
    return " + ".join(recorded_text(c) for c in group)


def _done(event: Event, message: str) -> ResponseReturnValue:
    return after_write(lambda: render(PAGE, BLOCKS, **_context(event, notice=message)),
                       message, "advisor.show", event_id=event.id)


def _context(event: Event, **overrides: Any) -> dict[str, Any]:
    racer_id = current_racer_id()
    store = get_store()
    changes = store.list_changes(racer_id, event.id)
    advisor = [c for c in changes if c.source == "advisor"]
    latest_ask = advisor[-1].ask_id if advisor else ""
    # Pending proposals (each ask's best first), and the latest ask's superseded ones.
    shown = [c for c in advisor if c.status == "pending"
             or (c.status == "superseded" and latest_ask and c.ask_id == latest_ask)]
    setup = store.get_event_setup(racer_id, event.id)
    now = {k: as_text(k, v) for k, v in setup.values.items()} if setup else {}
    proposals = _grouped(shown)
    context: dict[str, Any] = {
        "event": event, "phases": grouped(), "labels": LABELS, "values": {}, "errors": {},
        "advice": None, "asked": None, "notice": "", "proposals": proposals, "now": now,
        "pending": [c for c in shown if c.status == "pending"],
        # A proposal made from a value the setup no longer has can only be dismissed.
        "stale": {g[0].id for g in proposals
                  if any(now.get(c.parameter) != c.old_value for c in g)},
        "passages": {g[0].id: _passages(g[0]) for g in proposals[:PASSAGES_FOR]},
        "recent": _grouped([c for c in reversed(advisor)
                            if c.status in ("accepted", "denied", "reverted")])[:5],
        "confirm": None, "waiting": [], "proposed": None, "setup": setup, "shown_text": shown_text,
    }
    context.update(overrides)
    return context


def _grouped(changes: list[SetupChange]) -> list[list[SetupChange]]:
    """The changes with the two ends of each pair together (the first end's place)."""
    groups: list[list[SetupChange]] = []
    by_pair: dict[str, list[SetupChange]] = {}
    for c in changes:
        if c.pair_id and c.pair_id in by_pair:
            by_pair[c.pair_id].append(c)
            continue
        group = [c]
        groups.append(group)
        if c.pair_id:
            by_pair[c.pair_id] = group
    return groups


def _passages(change: SetupChange) -> list:
    """The theory that backs a proposal: its symptom (the reason's start) and parameter."""
    symptom = change.reason.split(":", 1)[0]
    param = BY_KEY.get(change.parameter)
    words = [*symptom.split(), *(param.label.split() if param else []), change.parameter]
    return passages_for(words, limit=2)

