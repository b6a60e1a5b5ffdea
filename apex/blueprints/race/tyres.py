"""A fresh set of tyres (TUNING §2): the same tread and compound, new; the wear count the
advisor reads (§3.2) starts again. The counter ("Tyres: 4 of 6 runs") is in the setup
section of the page (``views.tyre_count``)."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from apex.auth_setup import current_racer_id
from apex.blueprints.event.blueprint import own_event
from apex.blueprints.race.blueprint import bp
from apex.blueprints.race.views import done, refuse_closed, replay
from apex.db import get_store
from apex.write_once import once


@bp.post("/<event_id>/tyres/fresh")
@once(replay("setup-drift", "Already fitted: the count started again then.", "tyres_notice"))
def fresh_tyres(event_id: str) -> ResponseReturnValue:
    event = own_event(event_id)
    if (closed := refuse_closed(event, "setup-drift")) is not None:
        return closed
    if get_store().fresh_tyres(current_racer_id(), event.id) is None:
        abort(404)
    message = "Fresh set of tyres fitted: the count starts again."
    return done(event, message, "setup-drift", tyres_notice=message)
