"""The event blueprint and what its route modules share."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from apex.auth_setup import current_racer_id
from apex.db import get_store
from apex.htmx import redirect_to, render
from apex.models import Event

bp = Blueprint("event", __name__, url_prefix="/event")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every event is the logged-in racer's own."""


def to_open_event(endpoint: str, none_page: str) -> ResponseReturnValue:
    """A tab's landing: ``endpoint`` for the racer's most recent open event, or
    ``none_page`` (with the ``recent`` events) when none is open."""
    mine = get_store().list_events(current_racer_id())
    active = next((e for e in mine if e.is_active), None)
    if active is None:
        return render(none_page, {}, recent=mine[:3])
    url = url_for(endpoint, event_id=active.id)
    # Never a 302 to HTMX (a boosted tab link too): it follows HX-Location instead.
    return redirect_to(url, boosted=True)


def own_event(event_id: str) -> Event:
    """The racer's event, or 404 (missing and another racer's alike)."""
    event = get_store().get_event(current_racer_id(), event_id)
    if event is None:
        abort(404)
    return event
