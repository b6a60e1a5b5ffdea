"""The event blueprint and what its route modules share."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, make_response, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from apex.auth_setup import current_racer_id
from apex.db import get_store
from apex.htmx import is_htmx, render
from apex.models import Event

bp = Blueprint("event", __name__, url_prefix="/event")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every event is the logged-in racer's own."""


def to_open_event(show: Callable[[Event], ResponseReturnValue], endpoint: str,
                  none_page: str) -> ResponseReturnValue:
    """A tab's landing: ``show(event)`` for the racer's most recent open event, answered
    at once (a tab tap is one round trip, no redirect or HX-Location hop), or
    ``none_page`` (with the ``recent`` events) when none is open. htmx puts the event's
    own address (``endpoint``) in the location bar (HX-Replace-Url: no request)."""
    mine = get_store().list_events(current_racer_id())
    active = next((e for e in mine if e.is_active), None)
    if active is None:
        return render(none_page, {}, recent=mine[:3])
    response = make_response(show(active))
    if is_htmx():
        response.headers["HX-Replace-Url"] = url_for(endpoint, event_id=active.id)
    return response


def own_event(event_id: str) -> Event:
    """The racer's event, or 404 (missing and another racer's alike)."""
    event = get_store().get_event(current_racer_id(), event_id)
    if event is None:
        abort(404)
    return event
