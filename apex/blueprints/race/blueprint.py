"""The race blueprint and what its route modules share."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("race", __name__, url_prefix="/race")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every run, lap and note is the logged-in racer's own."""
