"""The analysis blueprint and what its route modules share."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("analysis", __name__, url_prefix="/analysis")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every event analysed is the logged-in racer's own."""
