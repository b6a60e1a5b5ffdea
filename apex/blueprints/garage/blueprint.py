"""The garage blueprint and what its route modules share."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("garage", __name__, url_prefix="/garage")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every Garage route is the logged-in racer's own."""

